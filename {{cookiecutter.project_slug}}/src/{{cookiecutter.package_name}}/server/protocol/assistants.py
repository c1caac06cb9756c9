"""The Agent Protocol's assistants: one, this project's graph, and the server's info."""

import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from fastapi import APIRouter

from ...runtime.errors import AssistantNotFoundError
from ...settings import AGENT_NAME
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
        "description": AGENT_NAME,
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
