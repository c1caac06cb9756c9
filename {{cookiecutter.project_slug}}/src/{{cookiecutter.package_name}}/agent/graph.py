"""The agent's graph: a guardrail on each user message, then a model node and a
tool node in a ReAct loop, with an optional human approval step before tools run."""

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool, ToolException
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.prebuilt.tool_node import ToolInvocationError
from langgraph.types import Command

from ..guardrails import ALLOWED, Guardrail, GuardrailPolicy, decide
from ..settings import AGENT_NAME
from .approval import approve_tool_calls
from .faults import answer_dangling_tool_calls, model_retry_policy, with_deadline
from .prompts import Prompt, load_prompt
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
    guardrail_policy: GuardrailPolicy = "block",
    require_tool_approval: bool = False,
    model_timeout_seconds: float = 60.0,
    model_max_retries: int = 2,
    model_retry_backoff_seconds: float = 1.0,
) -> CompiledStateGraph[AgentState]:
    """Compile the agent: the guardrail screens the message, then the model
    decides and tools act until the model answers."""
    model_with_tools = model.bind_tools(tools)

    async def guard(state: AgentState) -> Command[str]:
        last = state["messages"][-1] if state["messages"] else None
        decision = ALLOWED
        if isinstance(last, HumanMessage):
            decision = await decide(guardrail, guardrail_policy, last.text)
        update: AgentState = {"messages": [], "guardrail": decision.as_dict()}
        if decision.blocked:
            update["messages"] = [AIMessage(REFUSAL)]
            return Command(goto=END, update=update)
        return Command(goto="agent", update=update)

    async def agent(state: AgentState) -> AgentState:
        history = answer_dangling_tool_calls(state["messages"])
        prompt = [SystemMessage(system_prompt.text), *history]
        reply = await with_deadline(
            model_with_tools.ainvoke(prompt), model_timeout_seconds
        )
        # Progress for clients streaming in `custom` mode.
        report = get_stream_writer()
        for call in reply.tool_calls:
            report({"type": "progress", "message": f"Calling {call['name']}"})
        return {"messages": [reply]}

    builder = StateGraph(AgentState)
    builder.add_node("guard", guard, destinations=("agent", END))
    retry = model_retry_policy(model_max_retries, model_retry_backoff_seconds)
    builder.add_node("agent", agent, retry_policy=retry)
    builder.add_node("tools", ToolNode(tools, handle_tool_errors=tool_error_message))
    builder.add_edge(START, "guard")
    if require_tool_approval:
        builder.add_node("approve", approve_tool_calls, destinations=("tools", "agent"))
        builder.add_conditional_edges(
            "agent", tools_condition, {"tools": "approve", END: END}
        )
    else:
        builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer, name=AGENT_NAME)
