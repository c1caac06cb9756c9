"""The Agent Protocol's run streams: their Server-Sent Events, and joining a run
another request started (or rejoining one after a dropped connection)."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse

from ...runtime.errors import RequestError, RunNotFoundError
from ...runtime.multitask import until_ended_elsewhere
from ...runtime.run_types import RunFailed, RunHandle, StreamPart
from ...runtime.runs import AgentRunner
from .. import encoding
from ..dependencies import Runner
from ..schemas import CLIENT_ERRORS, EVENT_STREAM
from .threads import ExistingThread, PathThreadId

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)


@router.get(
    "/threads/{thread_id}/runs/{run_id}/stream",
    response_class=EventSourceResponse,
    responses=EVENT_STREAM,
    dependencies=[ExistingThread],
)
async def join_stream(
    thread_id: PathThreadId,
    run_id: str,
    runner: Runner,
    cancel_on_disconnect: Annotated[bool, Query()] = False,
    stream_mode: Annotated[list[str] | None, Query()] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    """Follow a run's stream: from now on, or after the event `Last-Event-ID` names
    (`-1`: from the start), which a `stream_resumable` run's events carry. A run
    that has ended streams nothing more."""
    start = _position_after(last_event_id) if last_event_id else None
    handle = runner.join(thread_id, run_id, start=start)
    if handle is None:
        await _require_run(runner, thread_id, run_id)
    modes = {LANGGRAPH_MODE.get(mode, mode) for mode in stream_mode or () if mode}
    return run_events(
        runner,
        thread_id,
        run_id,
        handle,
        cancel_on_disconnect=cancel_on_disconnect,
        modes=modes,
        announce=start == 0,  # replayed from the start, as LangGraph's server does
    )


@router.get("/threads/{thread_id}/runs/{run_id}/join", dependencies=[ExistingThread])
async def join_run(thread_id: PathThreadId, run_id: str, runner: Runner) -> Any:
    """Wait for a run to end and answer with the thread's values."""
    if runner.active.run_id(thread_id) == run_id:
        await runner.active.finished(thread_id)
    else:
        await _require_run(runner, thread_id, run_id)
        await until_ended_elsewhere(runner, thread_id)
    return encoding.jsonable((await runner.history.state(thread_id)).values)


def _position_after(event_id: str) -> int:
    """The run log's position after the event `event_id` names (`-1`: the start)."""
    if not event_id.removeprefix("-").isdigit() or int(event_id) < -1:
        raise RequestError("Last-Event-ID must be an event id this server sent, or -1")
    return int(event_id) + 1


async def _require_run(runner: AgentRunner, thread_id: str, run_id: str) -> None:
    """Refuse a run the thread never had (one that saved a checkpoint has ended)."""
    if await runner.history.run_lineage(run_id, thread_id) is None:
        raise RunNotFoundError(f"run {run_id!r} is not a run of this thread")


def run_events(
    runner: AgentRunner,
    thread_id: str,
    run_id: str,
    handle: RunHandle | None,
    *,
    cancel_on_disconnect: bool,
    modes: set[str] | None = None,
    announce: bool = True,
) -> EventSourceResponse:
    """A run's Server-Sent Events: its metadata (if `announce`), its parts (those of
    `modes` if given; a resumable run's with their log positions as ids), then an
    error or the end. `Location` is where a client whose connection drops rejoins
    the stream (LangGraph's clients do, with the last id they saw)."""

    async def events() -> AsyncIterator[dict[str, str]]:
        if announce:
            yield _sse("metadata", {"run_id": run_id, "attempt": 1})
        if handle is None:  # a run that has ended, or that another instance serves
            await until_ended_elsewhere(runner, thread_id)
            yield _sse("end", None)
            return
        async for part in handle.parts(cancel_on_disconnect=cancel_on_disconnect):
            event_id = str(handle.position) if handle.resumable else None
            if isinstance(part, RunFailed):
                error = {"error": part.code, "message": part.message}
                yield _sse("error", error, event_id)
                break
            if not modes or part.mode in modes:
                yield _sse(event_name(part), _payload(part), event_id)
        yield _sse("end", None)

    run = f"/threads/{thread_id}/runs/{run_id}"
    return EventSourceResponse(
        events(),
        headers={"Location": f"{run}/stream", "Content-Location": run},
        shutdown_grace_period=runner.active.stream_grace_seconds,
    )


LANGGRAPH_MODE = {"messages-tuple": "messages"}


def event_name(part: StreamPart) -> str:
    """The SSE event name; subgraph events carry their namespace: `values|node:id`."""
    return "|".join([part.mode, *part.namespace])


def _payload(part: StreamPart) -> Any:
    if part.mode == "messages":
        message, metadata = part.data
        return [message, metadata]
    if part.mode == "debug":
        return encoding.debug_event(part.data)
    return part.data


def _sse(event: str, data: Any, event_id: str | None = None) -> dict[str, str]:
    sent = {"event": event, "data": encoding.dumps(data)}
    if event_id is not None:
        sent["id"] = event_id
    return sent
