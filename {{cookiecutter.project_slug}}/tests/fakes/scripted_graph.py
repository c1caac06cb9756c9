"""The scripted app's graph for LangGraph's own server (`langgraph dev`), so the
differential tests run one graph on both servers: the same model rule (see
scripted_app.py), the same test tools, built by the project's own wiring."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.graph.state import CompiledStateGraph

from {{ cookiecutter.package_name }}.agent.context import AgentContext
from {{ cookiecutter.package_name }}.agent.state import AgentState
from {{ cookiecutter.package_name }}.runtime.wiring import open_graph
from {{ cookiecutter.package_name }}.settings import Settings

from .scripted_app import directed
from .scripted_model import ScriptedChatModel
from .tools import TEST_TOOLS


@asynccontextmanager
async def graph() -> AsyncIterator[CompiledStateGraph[AgentState, AgentContext]]:
    delay = float(os.environ.get("SCRIPTED_TOKEN_DELAY_MS", "0")) / 1000
    model = ScriptedChatModel(fallback=directed, token_delay_seconds=delay)
    async with open_graph(Settings(), model=model, tools=TEST_TOOLS) as agent:
        yield agent
