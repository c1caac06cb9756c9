"""The agent's graph: a guardrail on each user message, then a model node (its
answers checked for leaks of the system prompt) and a tool node in a ReAct loop,
with an optional human approval step before tools run."""

from collections.abc import Sequence
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.tools import BaseTool, ToolException
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolInvocationError
from langgraph.runtime import Runtime
from langgraph.types import Command, RetryPolicy

from ..settings import AGENT_NAME
from .approval import approve_tool_calls
from .context import AgentContext, context_of
from .faults import answer_dangling_tool_calls, with_deadline
from .guardrails import Guardrail, GuardrailDecision, screen
from .leaks import LeakCheck
from .prompts import Prompt, load_prompt
from .state import AgentState

# What a blocked user reads: it says what the agent is for, so the user can go on.
REFUSAL = load_prompt("refusal", "v1").text


def tool_error_message(error: ToolException | ToolInvocationError) -> str:
    """Tool failures the model can act on (`ToolError` and any other `ToolException`,
    bad arguments) go back to it as an error tool message; any other exception fails
    the run."""
    return str(error)


def _user_turns(messages: Sequence[BaseMessage]) -> tuple[list[str], list[str]]:
    """The user messages after the agent's last turn (what this run was sent), and
    the user's messages before them."""
    users = [str(m.text) for m in messages if isinstance(m, HumanMessage)]
    new = 0
    for message in reversed(messages):
        if not isinstance(message, HumanMessage):
            break
        new += 1
    return users[len(users) - new :], users[: len(users) - new]


def build_graph(
    model: BaseChatModel,
    system_prompt: Prompt,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    tools: Sequence[BaseTool],
    guardrail: Guardrail,
    retry: RetryPolicy | None = None,
) -> CompiledStateGraph[AgentState, AgentContext]:
    """Compile the agent: the guardrail screens the message, then the model
    decides and tools act until the model answers. Each run's settings reach the
    nodes as its `AgentContext`; `retry` is how a failed model call is retried."""
    model_with_tools = model.bind_tools(tools)
    # The prompt with this graph's canary, and the check of answers against both.
    leak_check = LeakCheck(system_prompt.text)

    async def guard(state: AgentState, runtime: Runtime[AgentContext]) -> Command[str]:
        # Every user message this run brings (a client may send several), not
        # only the last, and the latest turns read together.
        new, earlier = _user_turns(state["messages"])
        policy = context_of(runtime).guardrail_policy
        decision = await screen(guardrail, policy, new, earlier)
        update: AgentState = {"messages": [], "guardrail": decision.as_dict()}
        if decision.blocked:
            update["messages"] = [AIMessage(REFUSAL)]
            return Command(goto=END, update=update)
        return Command(goto="agent", update=update)

    async def agent(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
        history = answer_dangling_tool_calls(state["messages"])
        prompt = [SystemMessage(leak_check.prompt), *history]
        context = context_of(runtime)
        reply = await with_deadline(
            model_with_tools.ainvoke(prompt), context.model_timeout_seconds
        )
        if context.guardrail_policy != "off" and leak_check.leaks(reply.text):
            blocked = context.guardrail_policy == "block"
            found = GuardrailDecision(blocked, "prompt_leak").as_dict()
            # Blocked, the answer is kept out of the thread and of the reply.
            answer = AIMessage(REFUSAL) if blocked else reply
            return {"messages": [answer], "guardrail": found}
        # Progress for clients streaming in `custom` mode.
        for call in reply.tool_calls:
            runtime.stream_writer(
                {"type": "progress", "message": f"Calling {call['name']}"}
            )
        return {"messages": [reply]}

    # Not named after the agent: the GenAI instrumentation takes a runnable whose
    # name says "agent" for an agent of its own.
    def next_step(
        state: AgentState, runtime: Runtime[AgentContext]
    ) -> Literal["approve", "tools", "__end__"]:
        last = state["messages"][-1]
        if not (isinstance(last, AIMessage) and last.tool_calls):
            return "__end__"  # END, as the literal the type names
        if context_of(runtime).require_tool_approval:
            return "approve"
        return "tools"

    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("guard", guard, destinations=("agent", END))
    builder.add_node("agent", agent, retry_policy=retry)
    builder.add_node("approve", approve_tool_calls, destinations=("tools", "agent"))
    builder.add_node("tools", ToolNode(tools, handle_tool_errors=tool_error_message))
    builder.add_edge(START, "guard")
    builder.add_conditional_edges("agent", next_step)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer, name=AGENT_NAME)
