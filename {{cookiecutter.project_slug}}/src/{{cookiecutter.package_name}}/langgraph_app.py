"""The agent for LangGraph's own server: `make langgraph-dev` (`langgraph dev`, and
LangGraph Studio on it) reads langgraph.json, which names `graph` here.

It is the graph `make dev` serves, built from the same settings (.env). LangGraph's
server opens it for each request and brings its own checkpointer and store: its
conversations are its own, not those in DATA_DIR. A run's context (guardrail
policy, tool approval) is the assistant's, set in Studio, not the settings'.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.graph.state import CompiledStateGraph

from .agent.context import AgentContext
from .agent.state import AgentState
from .runtime.wiring import open_graph
from .settings import Settings


@asynccontextmanager
async def graph() -> AsyncIterator[CompiledStateGraph[AgentState, AgentContext]]:
    async with open_graph(Settings()) as agent:
        yield agent
