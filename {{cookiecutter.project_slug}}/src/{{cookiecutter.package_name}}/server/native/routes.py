"""The native API: routes translate HTTP into one runner call each."""

import asyncio
import json
import logging
import pathlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import FileResponse, JSONResponse
from sse_starlette import EventSourceResponse

from ...agent.graph import graph_tools
from ...agent.mcp_tools import MCP_SERVER
from ...observability.feedback import FeedbackStore
from ...runtime.errors import RunNotFoundError, ThreadNotFoundError
from ...runtime.run_types import RunHandle, RunRequest
from ...runtime.runs import AgentRunner
from .. import encoding
from ..auth import Owner
from ..dependencies import Runner, get_feedback_store
from ..errors import error_response
from ..schemas import CLIENT_ERRORS, EVENT_STREAM, ErrorOutput, ThreadId
from . import runs
from .events import RunCompleted, RunEvent, event_data
from .runs import RunFailedError
from .schemas import (
    FeedbackInput,
    FeedbackOutput,
    RunInput,
    ThreadOutput,
    ToolOutput,
    message_out,
)

logger = logging.getLogger(__name__)
router = APIRouter(responses=CLIENT_ERRORS)
READINESS_TIMEOUT_SECONDS = 2.0
STATIC_DIR = pathlib.Path(__file__).parent.parent / "static"


@router.post(
    "/invoke",
    response_model=RunCompleted,
    tags=["agent"],
    responses={
        409: {"model": ErrorOutput, "description": "A run is going on the thread."},
        502: {"model": ErrorOutput, "description": "The model or a tool failed."},
        503: {"model": ErrorOutput, "description": "The model is unavailable."},
        504: {
            "model": ErrorOutput,
            "description": "The model timed out, or the agent hit MAX_AGENT_STEPS.",
        },
    },
)
async def invoke(body: RunInput, runner: Runner, owner: Owner) -> Any:
    """Run the agent on one message and answer when it is done."""
    try:
        completed = await runs.invoke(runner, body.message, body.thread_id, owner=owner)
    except RunFailedError as failed:
        failure = failed.failure
        return error_response(
            failure.code,
            failure.message,
            thread_id=failure.thread_id,
            run_id=failure.run_id,
        )
    # The event's own fields, already JSON: a response made here skips FastAPI's
    # validation of the return value against `response_model` (which stays, for
    # the OpenAPI schema) and its re-encoding.
    return JSONResponse(event_data(completed))


@router.post(
    "/stream",
    tags=["agent"],
    response_class=EventSourceResponse,
    responses=EVENT_STREAM,
)
async def stream(body: RunInput, runner: Runner, owner: Owner) -> EventSourceResponse:
    """Run the agent and stream Server-Sent Events: `metadata`, then `token`,
    `tool_call` and `tool_result` as they happen, then `final` or `error`."""
    request = await runner.prepare(body.message, body.thread_id, owner=owner)
    # Started before the response: the thread is busy as soon as this returns.
    handle = await runs.start(runner, request)
    return EventSourceResponse(
        _sse(runner, request, handle),
        shutdown_grace_period=runner.active.stream_grace_seconds,
    )


async def _sse(
    runner: AgentRunner, request: RunRequest, handle: RunHandle
) -> AsyncIterator[dict[str, str]]:
    event: RunEvent
    async for event in runs.stream(runner, request, handle):
        yield {
            "event": event.event,
            "data": json.dumps(event_data(event), ensure_ascii=False),
        }


@router.get("/threads/{thread_id}", response_model=ThreadOutput, tags=["agent"])
async def get_thread(
    thread_id: Annotated[ThreadId, Path()], runner: Runner, owner: Owner
) -> Any:
    """A conversation: its messages oldest first (native API), and the thread record
    and current values that Agent Protocol clients read."""
    record = await runner.threads.get(thread_id, owner=owner)
    if record is None:
        raise ThreadNotFoundError(f"thread {thread_id!r} does not exist")
    snapshot = await runner.history.state(thread_id)
    messages = snapshot.values.get("messages", [])
    return {
        **encoding.thread(record, snapshot),
        "messages": [message_out(m) for m in messages],
    }


@router.post(
    "/feedback", response_model=FeedbackOutput, status_code=201, tags=["feedback"]
)
async def feedback(
    body: FeedbackInput,
    runner: Runner,
    owner: Owner,
    store: Annotated[FeedbackStore, Depends(get_feedback_store)],
) -> Any:
    """Rate a run (1 = thumbs up, 0 = thumbs down), with an optional comment."""
    lineage = await runner.history.run_lineage(body.run_id, body.thread_id)
    # A run on another's thread is not found, like the thread itself.
    if lineage and not await runner.threads.get(lineage["thread_id"], owner=owner):
        lineage = None
    if lineage is None:
        where = f" on thread {body.thread_id!r}" if body.thread_id else ""
        raise RunNotFoundError(f"run {body.run_id!r} does not exist{where}")
    return await store.add(
        run_id=body.run_id, score=body.score, text=body.text, lineage=lineage
    )


@router.get("/tools", response_model=list[ToolOutput], tags=["agent"])
async def list_tools(runner: Runner) -> list[ToolOutput]:
    """The tools the agent can call, with the MCP server of those that have one."""
    return [
        ToolOutput(
            name=tool.name,
            description=tool.description.strip().split("\n\n")[0],
            server=(tool.metadata or {}).get(MCP_SERVER),
        )
        for tool in graph_tools(runner.graph)
    ]


@router.get("/healthz", tags=["ops"])
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["ops"],
    response_model=None,
    responses={503: {"model": ErrorOutput, "description": "Storage is unreachable."}},
)
async def readyz(runner: Runner) -> dict[str, str] | JSONResponse:
    """The checkpointer and the thread store answer: safe to send traffic."""
    try:
        # Within a probe's period: a database that does not answer is a 503
        # now, not when the pool gives up waiting for a connection.
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await runner.history.state("readiness-probe")
    except Exception:  # any failure means "not ready"
        return _not_ready("the checkpointer")
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await runner.threads.get("readiness-probe")
    except Exception:
        return _not_ready("the thread store")
    return {"status": "ready"}


def _not_ready(store: str) -> JSONResponse:
    # The driver's error names hosts, users, databases: for the log, not the probe.
    logger.warning("not ready: %s does not answer", store, exc_info=True)
    return error_response("not_ready", f"{store} does not answer; see the server log")


# The page's own scripts and styles only (no inline code), its API calls to this
# origin, and never inside another site's frame (clickjacking).
PLAYGROUND_CSP = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

# Served only with SERVE_PLAYGROUND (see server/app.py).
playground_router = APIRouter(include_in_schema=False)


@playground_router.get("/")
async def playground() -> FileResponse:
    """The playground: a chat page over this API (static files, no build step)."""
    headers = {"Content-Security-Policy": PLAYGROUND_CSP}
    return FileResponse(STATIC_DIR / "index.html", headers=headers)
