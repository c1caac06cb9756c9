"""The agent's graph: a guardrail on what each run brings, then a model node (the
user's memories in its prompt, tool results screened before it reads them, its
answers checked for leaks of the system prompt; what the user said about
themselves kept once it has answered) and a tool node in a ReAct loop, with an
optional human approval step before tools run."""

from collections.abc import Sequence
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.tools import BaseTool, ToolException
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolInvocationError
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.types import Command, RetryPolicy

from ..settings import AGENT_NAME
from .approval import approve_tool_calls
from .context import AgentContext, context_of, needs_approval
from .faults import answer_dangling_tool_calls, with_deadline
from .guardrails import Guardrail, GuardrailDecision, GuardrailPolicy, decide
from .leaks import LeakCheck
from .memories import memory_of, memory_prompt, recall, remember, said_this_turn
from .prompts import Prompt, load_prompt
from .screen import (
    fingerprint,
    readable,
    screen_input,
    screen_results,
)
from .state import AgentState

# What a blocked user reads: it says what the agent is for, so the user can go on.
REFUSAL = load_prompt("refusal", "v1").text


def tool_error_message(error: ToolException | ToolInvocationError) -> str:
    """Tool failures the model can act on (`ToolError` and any other `ToolException`,
    bad arguments) go back to it as an error tool message; any other exception fails
    the run."""
    return str(error)


def build_graph(
    model: BaseChatModel,
    system_prompt: Prompt,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    tools: Sequence[BaseTool],
    guardrail: Guardrail,
    retry: RetryPolicy | None = None,
    store: BaseStore | None = None,
) -> CompiledStateGraph[AgentState, AgentContext]:
    """Compile the agent: the guardrail screens the message, then the model
    decides and tools act until the model answers. Each run's settings reach the
    nodes as its `AgentContext`; `retry` is how a failed model call is retried;
    `store` keeps the users' memories (none: no memory)."""
    model_with_tools = model.bind_tools(tools)
    # The prompt with this graph's canary, and the check of answers against both.
    leak_check = LeakCheck(system_prompt.text)

    async def guard(state: AgentState, runtime: Runtime[AgentContext]) -> Command[str]:
        # Every message this run brings, of any role (screen.py).
        messages = state["messages"]
        verdicts = state.get("screened", {})
        policy = context_of(runtime).guardrail_policy
        decision, passed = await screen_input(guardrail, policy, messages, verdicts)
        update: AgentState = {
            "messages": [],
            "guardrail": decision.as_dict(),
            "screened": passed,
        }
        if decision.blocked:
            update["messages"] = [refusal := AIMessage(REFUSAL)]
            update["screened"] = {**passed, fingerprint(refusal): True}
            return Command(goto=END, update=update)
        return Command(goto="agent", update=update)

    async def agent(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
        context = context_of(runtime)
        policy = context.guardrail_policy
        messages = state["messages"]
        verdicts = state.get("screened", {})
        # Tool results are untrusted input: screened before the model reads them.
        finding, withheld, passed = await screen_results(
            guardrail, policy, messages, verdicts
        )
        replaced = {m.id: m for m in withheld}
        reading = [replaced.get(m.id, m) for m in messages]
        update: AgentState = {"messages": []}
        if finding:
            update["guardrail"] = finding.as_dict()
        history = answer_dangling_tool_calls(readable(reading, verdicts | passed))
        # What the user told the agent in other conversations, read fresh (an
        # erased memory is gone at once; none is copied into the thread).
        memory = memory_of(runtime)
        memories = [m.text for m in await recall(*memory)] if memory else []
        system = "\n\n".join(filter(None, [leak_check.prompt, memory_prompt(memories)]))
        reply = await with_deadline(
            model_with_tools.ainvoke([SystemMessage(system), *history]),
            context.model_timeout_seconds,
        )
        answer = await check_answer(reply, policy)
        if answer.reason:
            update["guardrail"] = answer.as_dict()
        if answer.blocked:
            # Blocked, the answer is kept out of the thread and of the reply.
            reply = AIMessage(REFUSAL)
        # Progress for clients streaming in `custom` mode.
        for call in reply.tool_calls:
            runtime.stream_writer(
                {"type": "progress", "message": f"Calling {call['name']}"}
            )
        update["messages"] = [*withheld, reply]
        update["screened"] = {**passed, fingerprint(reply): True}
        if memory and not reply.tool_calls and not answer.blocked:
            # Answered: what the user said about themselves this turn is kept.
            await remember(*memory, said_this_turn(messages), screen=guardrail)
        return update

    async def check_answer(
        reply: AIMessage, policy: GuardrailPolicy
    ) -> GuardrailDecision:
        """The answer's leak check, then the guardrail's screen of answers."""
        if policy == "off" or not reply.text.strip():
            return GuardrailDecision(False, None, "answer")
        if leak_check.leaks(reply.text):
            return GuardrailDecision(policy == "block", "prompt_leak", "answer")
        return await decide(guardrail, policy, reply.text, "answer")

    # Not named after the agent: the GenAI instrumentation takes a runnable whose
    # name says "agent" for an agent of its own.
    def next_step(
        state: AgentState, runtime: Runtime[AgentContext]
    ) -> Literal["approve", "tools", "__end__"]:
        last = state["messages"][-1]
        if not (isinstance(last, AIMessage) and last.tool_calls):
            return "__end__"  # END, as the literal the type names
        if needs_approval(context_of(runtime), [c["name"] for c in last.tool_calls]):
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
    return builder.compile(checkpointer=checkpointer, store=store, name=AGENT_NAME)


def graph_tools(graph: CompiledStateGraph[AgentState, AgentContext]) -> list[BaseTool]:
    """The tools the graph's tool node runs: yours, and any the wiring added
    (retrieval, MCP servers')."""
    node = graph.nodes["tools"].bound
    assert isinstance(node, ToolNode)  # noqa: S101 - build_graph made it one
    return list(node.tools_by_name.values())
