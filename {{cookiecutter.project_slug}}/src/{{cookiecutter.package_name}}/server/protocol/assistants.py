"""The Agent Protocol's assistants: one, this project's graph, and the server's info;
and what LangGraph Studio reads to draw the graph and fill in its forms: the graph
(nodes and edges), its schemas, its subgraphs."""

import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Query
from langgraph.pregel import Pregel
from langgraph.pregel.protocol import PregelProtocol
from pydantic import BaseModel, create_model

from ...runtime.errors import AssistantNotFoundError, RequestError
from ...settings import AGENT_NAME
from ..dependencies import Runner
from ..schemas import CLIENT_ERRORS

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)

# One assistant, for the one graph; its id is derived from the graph id as
# LangGraph's own server derives it, so clients configured with either work.
GRAPH_ID = "agent"
ASSISTANT_ID = str(
    uuid.uuid5(uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), GRAPH_ID)
)
_STARTED = datetime.now(UTC).isoformat()


def _assistant() -> dict[str, Any]:
    return {
        "assistant_id": ASSISTANT_ID,
        "graph_id": GRAPH_ID,
        "name": GRAPH_ID,
        "description": None,
        "config": {},
        "context": {},
        "metadata": {"created_by": "system"},
        "version": 1,
        "created_at": _STARTED,
        "updated_at": _STARTED,
    }


def check_assistant(assistant_id: str) -> None:
    if assistant_id not in (GRAPH_ID, ASSISTANT_ID):
        raise AssistantNotFoundError(
            f"assistant {assistant_id!r} does not exist; use {GRAPH_ID!r} "
            f"or {ASSISTANT_ID}"
        )


@router.get("/info")
async def info() -> dict[str, Any]:
    """Server information; clients use it to check the server is there."""
    return {
        "version": version(AGENT_NAME),
        "flags": {"assistants": True, "crons": False},
    }


@router.post("/assistants/search")
async def search_assistants() -> list[dict[str, Any]]:
    """The one assistant: this project's graph."""
    return [_assistant()]


@router.get("/assistants/{assistant_id}")
async def get_assistant(assistant_id: str) -> dict[str, Any]:
    """The assistant, by its id or its graph id (`agent`)."""
    check_assistant(assistant_id)
    return _assistant()


@router.get("/assistants/{assistant_id}/graph")
async def get_assistant_graph(
    assistant_id: str,
    runner: Runner,
    xray: Annotated[str | None, Query(description="true, false or a depth")] = None,
) -> dict[str, Any]:
    """The graph's nodes and edges, as Studio draws them; `xray` draws the
    subgraphs' insides too (to that depth, if a number)."""
    check_assistant(assistant_id)
    drawable = await runner.graph.aget_graph(xray=_xray(xray))
    graph: dict[str, Any] = drawable.to_json()
    for node in graph.get("nodes", []):
        # A node's data is its runnable's description; its `id` is an import path.
        if isinstance(data := node.get("data"), dict):
            data.pop("id", None)
    return graph


@router.get("/assistants/{assistant_id}/schemas")
async def get_assistant_schemas(assistant_id: str, runner: Runner) -> dict[str, Any]:
    """JSON schemas of the graph's input, output, state, config and context."""
    check_assistant(assistant_id)
    return {"graph_id": GRAPH_ID, **graph_schemas(runner.graph)}


@router.get("/assistants/{assistant_id}/subgraphs")
@router.get("/assistants/{assistant_id}/subgraphs/{namespace}")
async def get_assistant_subgraphs(
    assistant_id: str,
    runner: Runner,
    namespace: str | None = None,
    recurse: bool = False,
) -> dict[str, Any]:
    """The schemas of each subgraph, by namespace (none in this graph unless you
    add one)."""
    check_assistant(assistant_id)
    subgraphs = runner.graph.aget_subgraphs(namespace=namespace, recurse=recurse)
    return {name: graph_schemas(subgraph) async for name, subgraph in subgraphs}


def graph_schemas(graph: PregelProtocol[Any, Any, Any, Any]) -> dict[str, Any]:
    """The schemas Studio reads; a schema that cannot be made is None."""
    context = _schema(lambda: _context_schema(graph))
    return {
        "input_schema": _schema(graph.get_input_jsonschema),
        "output_schema": _schema(graph.get_output_jsonschema),
        "state_schema": _schema(lambda: _state_schema(graph)),
        # A run's context doubles as its `configurable` (LangGraph reads one from
        # the other), and LangGraph's server describes both alike.
        "config_schema": context or {},
        "context_schema": context,
    }


def _schema(make: Any) -> dict[str, Any] | None:
    try:
        schema: dict[str, Any] | None = make()
    except Exception:  # a type pydantic cannot describe: Studio shows no form
        return None
    return schema


def _context_schema(
    graph: PregelProtocol[Any, Any, Any, Any],
) -> dict[str, Any] | None:
    if not isinstance(graph, Pregel):
        raise TypeError("a remote graph: no context schema")
    return graph.get_context_jsonschema()


def _state_schema(graph: PregelProtocol[Any, Any, Any, Any]) -> dict[str, Any]:
    """Every channel a client sees, with the type an update to it takes."""
    if not isinstance(graph, Pregel):
        raise TypeError("a remote graph: no state schema")
    fields: dict[str, Any] = {}
    for name in graph.stream_channels_list:
        kind = getattr(graph.channels[name], "UpdateType", Any)
        try:
            create_model(name, value=(kind, None)).model_json_schema()
        except Exception:  # undescribable: any value
            kind = Any
        fields[name] = (kind, None)
    model: type[BaseModel] = create_model(graph.get_name("State"), **fields)
    return model.model_json_schema()


def _xray(value: str | None) -> bool | int:
    if value in (None, "", "false", "False"):
        return False
    if value in ("true", "True"):
        return True
    depth = int(value) if value.isdigit() else 0
    if depth <= 0:
        raise RequestError(
            f"xray must be true, false or a depth (a whole number above 0), "
            f"not {value!r}"
        )
    return depth
