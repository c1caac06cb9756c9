"""The Agent Protocol's threads: create, search, and read their states and history."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from ...runtime.errors import ThreadBusyError, ThreadExistsError, ThreadNotFoundError
from ...runtime.runs import AgentRunner
from .. import encoding
from ..auth import Owner
from ..dependencies import Runner
from ..schemas import CLIENT_ERRORS, StorableStr, ThreadId
from .models import CheckpointQuery, HistoryQuery, ThreadCreate, ThreadSearch

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)

PathThreadId = Annotated[ThreadId, Path()]


@router.post("/threads")
async def create_thread(
    body: ThreadCreate, runner: Runner, owner: Owner
) -> dict[str, Any]:
    """Create a thread (an empty conversation) of the caller's."""
    if body.thread_id and (existing := await runner.threads.get(body.thread_id)):
        # Another's thread is never handed back; its id is taken all the same.
        if body.if_exists == "do_nothing" and existing.owner == owner:
            return encoding.thread(existing, await runner.history.state(body.thread_id))
        raise ThreadExistsError(f"thread {body.thread_id!r} already exists")
    created = await runner.threads.create(body.thread_id, body.metadata, owner=owner)
    return encoding.thread(created)


@router.post("/threads/search")
async def search_threads(
    body: ThreadSearch, runner: Runner, owner: Owner
) -> list[dict[str, Any]]:
    """The caller's threads whose metadata contains `metadata`, most recently
    updated first."""
    found = await runner.threads.search(
        metadata=body.metadata,
        status=body.status,
        owner=owner,
        limit=body.limit,
        offset=body.offset,
    )
    if body.ids is not None:
        found = [thread for thread in found if thread.thread_id in body.ids]
    return [encoding.thread(t, await runner.history.state(t.thread_id)) for t in found]


async def _existing_thread(
    thread_id: PathThreadId, runner: Runner, owner: Owner
) -> None:
    # Another's thread is not found: a 404, not a 403, so ids cannot be probed.
    if await runner.threads.get(thread_id, owner=owner) is None:
        raise ThreadNotFoundError(f"thread {thread_id!r} does not exist")


ExistingThread = Depends(_existing_thread)


@router.delete(
    "/threads/{thread_id}",
    status_code=204,
    response_class=Response,
    dependencies=[ExistingThread],
)
async def delete_thread(thread_id: PathThreadId, runner: Runner) -> Response:
    """Forget a thread: its record and its checkpoints. A run going on it here is
    cancelled first, as LangGraph's server deletes a thread's runs with it; one
    that another instance serves makes it a 409."""
    if run_id := runner.active.run_id(thread_id):
        runner.active.cancel(thread_id, run_id)
        await runner.active.finished(thread_id)
    if thread_id in runner.active or not await runner.locks.try_lock(thread_id):
        raise ThreadBusyError(thread_id)
    try:
        await runner.history.delete(thread_id)
    finally:
        await runner.locks.unlock(thread_id)
    return Response(status_code=204)


@router.get("/threads/{thread_id}/state", dependencies=[ExistingThread])
async def thread_state(thread_id: PathThreadId, runner: Runner) -> dict[str, Any]:
    """The thread's latest state: values, next nodes, pending interrupts."""
    return encoding.thread_state(await runner.history.state(thread_id))


@router.get("/threads/{thread_id}/state/{checkpoint_id}", dependencies=[ExistingThread])
async def thread_state_at(
    thread_id: PathThreadId, checkpoint_id: StorableStr, runner: Runner
) -> dict[str, Any]:
    """The thread's state at a past checkpoint."""
    return encoding.thread_state(await runner.history.state(thread_id, checkpoint_id))


@router.post("/threads/{thread_id}/state/checkpoint", dependencies=[ExistingThread])
async def thread_state_at_checkpoint(
    thread_id: PathThreadId, body: CheckpointQuery, runner: Runner
) -> dict[str, Any]:
    """The thread's state at a checkpoint (the latest if none is named)."""
    checkpoint_id = body.checkpoint.checkpoint_id
    return encoding.thread_state(await runner.history.state(thread_id, checkpoint_id))


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
    before: StorableStr | None = None,
) -> list[dict[str, Any]]:
    """The thread's past states, newest first."""
    return await _history(runner, thread_id, HistoryQuery(limit=limit, before=before))


async def _history(
    runner: AgentRunner, thread_id: str, query: HistoryQuery
) -> list[dict[str, Any]]:
    snapshots = await runner.history.states(
        thread_id, limit=query.limit, before=query.before_id()
    )
    if query.metadata:
        wanted = query.metadata.items()
        snapshots = [s for s in snapshots if wanted <= (s.metadata or {}).items()]
    return [encoding.thread_state(snapshot) for snapshot in snapshots]
