"""The agent's graph: a model node and a tool node in a ReAct loop, with an
optional human approval step before tools run."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, SystemMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.prebuilt.tool_node import ToolInvocationError

from ..settings import AGENT_NAME
from .approval import approve_tool_calls
from .prompts import Prompt
from .state import AgentState
from .tools import TOOLS, ToolError


def tool_error_message(error: ToolError | ToolInvocationError) -> str:
    """Tool failures the model can act on (unknown city, bad arguments) go back to
    it as an error tool message; any other exception fails the run."""
    return str(error)


def build_graph(
    model: BaseChatModel,
    system_prompt: Prompt,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    require_tool_approval: bool = False,
) -> CompiledStateGraph[AgentState]:
    """Compile the agent: the model decides, tools act, until the model answers."""
    model_with_tools = model.bind_tools(TOOLS)

    async def agent(state: AgentState) -> AgentState:
        prompt = [SystemMessage(system_prompt.text), *state["messages"]]
        reply = await model_with_tools.ainvoke(prompt)
        if isinstance(reply, AIMessage):
            # Progress for clients streaming in `custom` mode.
            report = get_stream_writer()
            for call in reply.tool_calls:
                report({"type": "progress", "message": f"Calling {call['name']}"})
        return {"messages": [reply]}

    builder = StateGraph(AgentState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode(TOOLS, handle_tool_errors=tool_error_message))
    builder.add_edge(START, "agent")
    if require_tool_approval:
        builder.add_node("approve", approve_tool_calls, destinations=("tools", "agent"))
        builder.add_conditional_edges(
            "agent", tools_condition, {"tools": "approve", END: END}
        )
    else:
        builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer, name=AGENT_NAME)
