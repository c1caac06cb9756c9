"""The agent's graph: a model node and a tool node in a ReAct loop."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import SystemMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.prebuilt.tool_node import ToolInvocationError

from ..settings import AGENT_NAME
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
) -> CompiledStateGraph[AgentState]:
    """Compile the agent: the model decides, tools act, until the model answers."""
    model_with_tools = model.bind_tools(TOOLS)

    async def agent(state: AgentState) -> AgentState:
        prompt = [SystemMessage(system_prompt.text), *state["messages"]]
        return {"messages": [await model_with_tools.ainvoke(prompt)]}

    builder = StateGraph(AgentState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode(TOOLS, handle_tool_errors=tool_error_message))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer, name=AGENT_NAME)
