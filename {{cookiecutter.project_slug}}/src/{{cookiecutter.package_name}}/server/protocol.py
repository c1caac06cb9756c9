"""The Agent Protocol subset that LangGraph's clients speak (langgraph-sdk in Python
and JavaScript, RemoteGraph, Agent Chat UI), over the same runner and checkpointer
as the native API. `GET /threads/{id}` is shared with the native API (routes.py).
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from langgraph.types import Command
from sse_starlette import EventSourceResponse

from ..events import RunFailed
from ..runner import AgentRunner, RunRequest, StreamPart
from ..settings import AGENT_NAME
from . import wire
from .errors import ApiError
from .protocol_models import (
    CheckpointQuery,
    HistoryQuery,
    RunCreate,
    ThreadCreate,
    ThreadSearch,
)
from .routes import Runner
from .schemas import CLIENT_ERRORS, EVENT_STREAM, ThreadId

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)

# One assistant, for the one graph; its id is derived from the graph id as
# LangGraph's own server derives it, so clients configured with either work.
GRAPH_ID = "agent"
ASSISTANT_ID = str(
    uuid.uuid5(uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), GRAPH_ID)
)
_STARTED = datetime.now(UTC).isoformat()

PathThreadId = Annotated[ThreadId, Path()]


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


def _check_assistant(assistant_id: str) -> None:
    if assistant_id not in (GRAPH_ID, ASSISTANT_ID):
        raise ApiError(
            404,
            "assistant_not_found",
            f"assistant {assistant_id!r} does not exist; use {GRAPH_ID!r} "
            f"or {ASSISTANT_ID}",
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
    _check_assistant(assistant_id)
    return _assistant()


# --- Threads -------------------------------------------------------------------


@router.post("/threads")
async def create_thread(body: ThreadCreate, runner: Runner) -> dict[str, Any]:
    """Create a thread (an empty conversation)."""
    if body.thread_id and (existing := await runner.threads.get(body.thread_id)):
        if body.if_exists == "do_nothing":
            return wire.thread(existing, await runner.state(existing.thread_id))
        raise ApiError(
            409, "thread_exists", f"thread {body.thread_id!r} already exists"
        )
    created = await runner.threads.create(body.thread_id, body.metadata)
    return wire.thread(created)


@router.post("/threads/search")
async def search_threads(body: ThreadSearch, runner: Runner) -> list[dict[str, Any]]:
    """Threads whose metadata contains `metadata`, most recently updated first."""
    found = await runner.threads.search(
        metadata=body.metadata, status=body.status, limit=body.limit, offset=body.offset
    )
    if body.ids is not None:
        found = [thread for thread in found if thread.thread_id in body.ids]
    return [wire.thread(t, await runner.state(t.thread_id)) for t in found]


async def _existing_thread(thread_id: PathThreadId, runner: Runner) -> None:
    if await runner.threads.get(thread_id) is None:
        raise ApiError(404, "thread_not_found", f"thread {thread_id!r} does not exist")


ExistingThread = Depends(_existing_thread)


@router.get("/threads/{thread_id}/state", dependencies=[ExistingThread])
async def thread_state(thread_id: PathThreadId, runner: Runner) -> dict[str, Any]:
    """The thread's latest state: values, next nodes, pending interrupts."""
    return wire.thread_state(await runner.state(thread_id))


@router.get("/threads/{thread_id}/state/{checkpoint_id}", dependencies=[ExistingThread])
async def thread_state_at(
    thread_id: PathThreadId, checkpoint_id: str, runner: Runner
) -> dict[str, Any]:
    """The thread's state at a past checkpoint."""
    return wire.thread_state(await runner.state(thread_id, checkpoint_id))


@router.post("/threads/{thread_id}/state/checkpoint", dependencies=[ExistingThread])
async def thread_state_at_checkpoint(
    thread_id: PathThreadId, body: CheckpointQuery, runner: Runner
) -> dict[str, Any]:
    """The thread's state at a checkpoint (the latest if none is named)."""
    checkpoint_id = body.checkpoint.checkpoint_id
    return wire.thread_state(await runner.state(thread_id, checkpoint_id))


@router.post("/threads/{thread_id}/history", dependencies=[ExistingThread])
async def thread_history_post(
    thread_id: PathThreadId, body: HistoryQuery, runner: Runner
) -> list[dict[str, Any]]:
    """The thread's past states, newest first."""
    return await _history(runner, thread_id, body)


@router.get("/threads/{thread_id}/history", dependencies=[ExistingThread])
async def thread_history_get(
    thread_id: PathThreadId,
    runner: Runner,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    before: str | None = None,
) -> list[dict[str, Any]]:
    """The thread's past states, newest first."""
    return await _history(runner, thread_id, HistoryQuery(limit=limit, before=before))


async def _history(
    runner: AgentRunner, thread_id: str, query: HistoryQuery
) -> list[dict[str, Any]]:
    snapshots = await runner.state_history(
        thread_id, limit=query.limit, before=query.before_id()
    )
    if query.metadata:
        wanted = query.metadata.items()
        snapshots = [s for s in snapshots if wanted <= (s.metadata or {}).items()]
    return [wire.thread_state(snapshot) for snapshot in snapshots]


# --- Runs ----------------------------------------------------------------------


@router.post(
    "/threads/{thread_id}/runs/stream",
    response_class=EventSourceResponse,
    responses=EVENT_STREAM,
)
async def stream_run(
    thread_id: PathThreadId, body: RunCreate, runner: Runner
) -> EventSourceResponse:
    """Run on a thread and stream Server-Sent Events in the requested modes."""
    request = await _start(runner, thread_id, body)
    return await _event_stream(runner, request, body, temporary=False)


@router.post("/runs/stream", response_class=EventSourceResponse, responses=EVENT_STREAM)
async def stream_stateless_run(body: RunCreate, runner: Runner) -> EventSourceResponse:
    """Run on a new thread, deleted afterwards unless `on_completion` is `keep`."""
    request = await _start(runner, None, body)
    temporary = body.on_completion == "delete"
    return await _event_stream(runner, request, body, temporary=temporary)


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: PathThreadId, body: RunCreate, runner: Runner) -> Any:
    """Run on a thread and answer with the final state values."""
    request = await _start(runner, thread_id, body)
    return await _wait(runner, request, temporary=False)


@router.post("/runs/wait")
async def wait_stateless_run(body: RunCreate, runner: Runner) -> Any:
    """Run on a new thread and answer with the final state values."""
    request = await _start(runner, None, body)
    return await _wait(runner, request, temporary=body.on_completion == "delete")


@router.post(
    "/threads/{thread_id}/runs/{run_id}/cancel",
    status_code=202,
    response_class=Response,
    dependencies=[ExistingThread],
)
async def cancel_run(
    thread_id: PathThreadId,
    run_id: str,
    runner: Runner,
    wait: Annotated[bool, Query()] = False,
) -> Response:
    """Cancel a run in progress (202); with `wait=1`, answer once it has stopped."""
    if not await runner.cancel(thread_id, run_id):
        raise ApiError(
            404, "run_not_found", f"run {run_id!r} is not in progress on this thread"
        )
    if not wait:
        return Response(status_code=202)
    await runner.finished(thread_id)
    return Response(status_code=204)


async def _start(
    runner: AgentRunner, thread_id: str | None, body: RunCreate
) -> RunRequest:
    """Check a run request and find (or create) its thread."""
    _check_assistant(body.assistant_id)
    # Checked before a thread is made, so a refused run leaves none behind.
    for message in body.input_messages():
        # A message of non-text parts only (an image) has no text to check.
        if isinstance(message.content, str) or message.text:
            runner.check_message(message.text)
    # Clients (Agent Chat UI) find their threads by these keys.
    run_metadata = {"graph_id": GRAPH_ID, "assistant_id": ASSISTANT_ID, **body.metadata}
    graph_input: Any = body.input
    if body.command is not None:
        graph_input = Command(resume=body.command.resume)
    if thread_id is None:
        if body.command is not None:
            raise ApiError(422, "invalid_request", "resuming needs a thread_id")
        # Recorded by the runner when the run starts (see RunRequest).
        return RunRequest(
            str(uuid.uuid4()),
            graph_input,
            checkpoint_id=body.start_checkpoint(),
            new_thread_metadata=run_metadata,
        )
    if body.if_not_exists == "create" and not await runner.threads.get(thread_id):
        await runner.threads.create(thread_id)
    else:
        await runner.require_idle_thread(thread_id)  # 404 if missing, 409 if busy
    await runner.threads.add_metadata(thread_id, run_metadata)
    return RunRequest(thread_id, graph_input, checkpoint_id=body.start_checkpoint())


async def _event_stream(
    runner: AgentRunner, request: RunRequest, body: RunCreate, *, temporary: bool
) -> EventSourceResponse:
    # Started before the response: the thread is busy as soon as this returns.
    handle = await runner.start(
        request,
        [_LANGGRAPH_MODE.get(mode, mode) for mode in body.stream_mode],
        subgraphs=body.stream_subgraphs,
    )

    async def events() -> AsyncIterator[dict[str, str]]:
        yield _sse("metadata", {"run_id": request.run_id, "attempt": 1})
        try:
            async for part in handle.parts(
                cancel_on_disconnect=body.on_disconnect == "cancel"
            ):
                if isinstance(part, RunFailed):
                    yield _sse("error", {"error": part.code, "message": part.message})
                    break
                yield _sse(event_name(part), _payload(part))
            yield _sse("end", None)
        finally:
            if temporary and runner.active_run(request.thread_id) is None:
                await runner.delete_thread(request.thread_id)

    location = f"/threads/{request.thread_id}/runs/{request.run_id}"
    return EventSourceResponse(events(), headers={"Content-Location": location})


async def _wait(runner: AgentRunner, request: RunRequest, *, temporary: bool) -> Any:
    failure: RunFailed | None = None
    async for part in runner.execute(request, ["values"]):
        if isinstance(part, RunFailed):
            failure = part
    result: dict[str, Any]
    if failure is not None:
        result = {"__error__": {"error": failure.code, "message": failure.message}}
    else:
        state = await runner.state(request.thread_id)
        result = dict(state.values)
        if state.interrupts:
            result["__interrupt__"] = list(state.interrupts)
    if temporary:
        await runner.delete_thread(request.thread_id)
    return wire.jsonable(result)


_LANGGRAPH_MODE = {"messages-tuple": "messages"}


def event_name(part: StreamPart) -> str:
    """The SSE event name; subgraph events carry their namespace: `values|node:id`."""
    return "|".join([part.mode, *part.namespace])


def _payload(part: StreamPart) -> Any:
    if part.mode == "messages":
        message, metadata = part.data
        return [message, metadata]
    return part.data


def _sse(event: str, data: Any) -> dict[str, str]:
    return {"event": event, "data": wire.dumps(data)}
