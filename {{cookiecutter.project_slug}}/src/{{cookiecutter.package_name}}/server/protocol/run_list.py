"""`GET /threads/{id}/runs`: a thread's runs, newest first, as LangGraph's clients
list them, read back from the thread's checkpoints (each names the run that wrote
it). Each also carries what a client shows under a reply when it reloads a thread:
the reply's message id, the guardrail's decision and the passages it cites."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.types import StateSnapshot

from ...observability.capture import passages_of
from .. import encoding
from ..dependencies import Runner
from ..native.events import citations_of
from ..schemas import CLIENT_ERRORS
from .assistants import ASSISTANT_ID
from .threads import ExistingThread, PathThreadId

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)

# What a run's checkpoints record of what produced it (runtime/run_types.py).
_LINEAGE = ("prompt_version", "model", "trace_id")


@router.get("/threads/{thread_id}/runs", dependencies=[ExistingThread])
async def list_runs(
    thread_id: PathThreadId,
    runner: Runner,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """The thread's runs that saved a checkpoint, newest first."""
    newest: dict[str, StateSnapshot] = {}  # by run id: its last state, its first
    first: dict[str, StateSnapshot] = {}
    async for snapshot in runner.history.walk(thread_id):
        run_id = (snapshot.metadata or {}).get("run_id")
        if not isinstance(run_id, str):
            continue
        if run_id not in newest:
            if len(newest) == offset + limit:
                break
            newest[run_id] = snapshot
        first[run_id] = snapshot
    running = runner.active.run_id(thread_id)
    return [
        encoding.jsonable(_run(thread_id, run_id, last, first[run_id], running))
        for run_id, last in list(newest.items())[offset:]
    ]


def _run(
    thread_id: str,
    run_id: str,
    last: StateSnapshot,
    first: StateSnapshot,
    running: str | None,
) -> dict[str, Any]:
    # A run that stopped with steps left to take failed or was cancelled.
    status = (
        "running"
        if run_id == running
        else "interrupted"
        if last.interrupts
        else "error"
        if last.next
        else "success"
    )
    turn = _turn(last.values.get("messages", []))
    replies = [m for m in turn if isinstance(m, AIMessage) and m.text]
    reply = replies[-1] if replies else None
    passages = {
        passage["key"]: passage
        for message in turn
        if isinstance(message, ToolMessage)
        for passage in passages_of(message.artifact)
    }
    metadata: dict[str, Any] = dict(last.metadata or {})
    return {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": ASSISTANT_ID,
        "status": status,
        "created_at": first.created_at,
        "updated_at": last.created_at,
        "metadata": {key: metadata[key] for key in _LINEAGE if key in metadata},
        "reply_id": reply.id if reply else None,
        "guardrail": last.values.get("guardrail"),
        "citations": citations_of(reply.text, passages) if reply else [],
    }


def _turn(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The messages of the thread's last turn: from its last user message on."""
    users = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    return messages[users[-1] :] if users else messages
