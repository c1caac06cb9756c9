"""The floors the benchmarks compare the server with: bare FastAPI apps.

`create_trivial_app` imports only FastAPI and LangGraph and runs a one-node graph:
the least any LangGraph server must pay to start. `create_agent_app` serves the
project's own compiled agent (build_graph, the local model, a SQLite checkpointer or,
when DATABASE_URL is set, a PostgreSQL one) from plain routes: what serving costs
without the server's runner, thread registry, metering, telemetry and logs.

The floors run in the project's environment but live in the template: the agent
floor imports the project's package by the name BENCH_PACKAGE gives
(benchmarking.app_environment sets it), since each project names its own.
"""

import importlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any, TypedDict

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

# Set by benchmarking.app_environment; not imported from there, which would load
# httpx into the floor's process and its figures.
PACKAGE_VARIABLE = "BENCH_PACKAGE"


class Question(BaseModel):
    message: str


class EchoState(TypedDict, total=False):
    message: str
    reply: str


def _echo(state: EchoState) -> EchoState:
    return {"reply": f"You said: {state['message']}"}


def create_trivial_app() -> FastAPI:
    """/healthz, and an /invoke that runs a one-node graph."""
    builder = StateGraph(EchoState)
    builder.add_node("echo", _echo)
    builder.add_edge(START, "echo")
    builder.add_edge("echo", END)
    graph = builder.compile()
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/invoke")
    async def invoke(body: Question) -> dict[str, str]:
        result = await graph.ainvoke({"message": body.message})
        return {"reply": result["reply"]}

    return app


def project_module(name: str) -> ModuleType:
    """A module of the project's package: `agent.graph` is `<package>.agent.graph`."""
    return importlib.import_module(f"{os.environ[PACKAGE_VARIABLE]}.{name}")


def create_agent_app() -> FastAPI:
    """/healthz, /invoke and /stream over the project's compiled agent graph."""
    # Imported here: the trivial floor's cold start must not pay for them.
    from langchain_core.messages import AIMessageChunk, HumanMessage
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    agent_graph = project_module("agent.graph")
    guardrails = project_module("agent.guardrail_setup")
    prompts = project_module("agent.prompts")
    tools = project_module("agent.tools")
    chat_models = project_module("llm.chat_models")
    settings = project_module("settings").Settings()

    @asynccontextmanager
    async def open_checkpointer() -> AsyncIterator[Any]:
        """A SQLite file in DATA_DIR, or the PostgreSQL DATABASE_URL names through
        a pool of the server's size (without the server's connection checks)."""
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            path = str(settings.data_dir / "floor-checkpoints.sqlite")
            async with AsyncSqliteSaver.from_conn_string(path) as saver:
                yield saver
            return
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        async with AsyncConnectionPool(
            settings.database_url.get_secret_value(),
            max_size=settings.database_pool_size,
            kwargs={
                "autocommit": True,
                "prepare_threshold": 0,
                "row_factory": dict_row,
            },
            open=False,
        ) as pool:
            yield AsyncPostgresSaver(pool)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_checkpointer() as checkpointer:
            await checkpointer.setup()
            app.state.graph = agent_graph.build_graph(
                chat_models.chat_model_from_settings(settings),
                prompts.load_prompt("system", settings.system_prompt_version),
                checkpointer,
                tools=tools.TOOLS,
                guardrail=guardrails.guardrail_from_settings(settings),
            )
            yield

    app = FastAPI(lifespan=lifespan)

    def new_run(message: str) -> tuple[dict[str, Any], Any]:
        config = {"configurable": {"thread_id": str(uuid.uuid4())}}
        return {"messages": [HumanMessage(message)]}, config

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/invoke")
    async def invoke(body: Question, request: Request) -> dict[str, str]:
        graph_input, config = new_run(body.message)
        result = await request.app.state.graph.ainvoke(graph_input, config)
        reply: str = result["messages"][-1].text
        return {"thread_id": config["configurable"]["thread_id"], "reply": reply}

    @app.post("/stream")
    async def stream(body: Question, request: Request) -> StreamingResponse:
        graph_input, config = new_run(body.message)

        async def events() -> AsyncIterator[str]:
            graph = request.app.state.graph
            async for chunk, _ in graph.astream(
                graph_input, config, stream_mode="messages"
            ):
                if isinstance(chunk, AIMessageChunk) and chunk.text:
                    yield f"event: token\ndata: {json.dumps(chunk.text)}\n\n"
            yield "event: end\ndata: {}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app
