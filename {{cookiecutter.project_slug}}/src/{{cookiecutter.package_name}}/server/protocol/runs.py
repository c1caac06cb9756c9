"""The Agent Protocol's runs: streamed or awaited, on a thread or on a new one, and
cancelled."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from langchain_core.messages import HumanMessage
from langgraph.types import Command
from sse_starlette import EventSourceResponse

from ...runtime.errors import (
    CheckpointNotFoundError,
    RequestError,
    RunNotFoundError,
    ThreadNotFoundError,
)
from ...runtime.multitask import start_on_thread
from ...runtime.run_types import RunFailed, RunRequest
from ...runtime.runs import AgentRunner
from .. import encoding
from ..auth import Owner
from ..dependencies import Runner
from ..schemas import CLIENT_ERRORS, EVENT_STREAM
from .assistants import ASSISTANT_ID, GRAPH_ID, check_assistant
from .models import RunCreate
from .streams import LANGGRAPH_MODE, run_events
from .threads import ExistingThread, PathThreadId

router = APIRouter(tags=["agent protocol"], responses=CLIENT_ERRORS)


@router.post(
    "/threads/{thread_id}/runs/stream",
    response_class=EventSourceResponse,
    responses=EVENT_STREAM,
)
async def stream_run(
    thread_id: PathThreadId, body: RunCreate, runner: Runner, owner: Owner
) -> EventSourceResponse:
    """Run on a thread and stream Server-Sent Events in the requested modes."""
    request = await _start(runner, thread_id, body, owner)
    return await _event_stream(runner, request, body)


@router.post("/runs/stream", response_class=EventSourceResponse, responses=EVENT_STREAM)
async def stream_stateless_run(
    body: RunCreate, runner: Runner, owner: Owner
) -> EventSourceResponse:
    """Run on a new thread, deleted afterwards unless `on_completion` is `keep`."""
    request = await _start(runner, None, body, owner)
    return await _event_stream(runner, request, body)


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(
    thread_id: PathThreadId, body: RunCreate, runner: Runner, owner: Owner
) -> Any:
    """Run on a thread and answer with the final state values."""
    request = await _start(runner, thread_id, body, owner)
    return await _wait(runner, request, body)


@router.post("/runs/wait")
async def wait_stateless_run(body: RunCreate, runner: Runner, owner: Owner) -> Any:
    """Run on a new thread and answer with the final state values."""
    request = await _start(runner, None, body, owner)
    return await _wait(runner, request, body)


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
        raise RunNotFoundError(f"run {run_id!r} is not in progress on this thread")
    if not wait:
        return Response(status_code=202)
    await runner.active.finished(thread_id)
    return Response(status_code=204)


async def _start(
    runner: AgentRunner, thread_id: str | None, body: RunCreate, owner: str
) -> RunRequest:
    """Check a run request and find (or create) its thread, `owner`'s."""
    check_assistant(body.assistant_id)
    # Checked before a thread is made, so a refused run leaves none behind.
    for message in body.input_messages():
        # The client speaks as the user only: a system, assistant or tool message
        # would be stored in the thread and steer every later turn unscreened.
        if not isinstance(message, HumanMessage):
            raise RequestError(
                f"input.messages holds a {message.type!r} message; a client sends "
                "user messages only (system, assistant and tool messages are the "
                "agent's own)"
            )
        # A message of non-text parts only (an image) has no text to check.
        if isinstance(message.content, str) or message.text:
            runner.check_message(message.text)
    # Clients (Agent Chat UI) find their threads by these keys.
    run_metadata = {"graph_id": GRAPH_ID, "assistant_id": ASSISTANT_ID, **body.metadata}
    graph_input: Any = body.input
    if body.command is not None:
        graph_input = Command(resume=body.command.resume)
    checkpoint_id = body.start_checkpoint()
    if thread_id is None:
        if body.command is not None:
            raise RequestError("resuming needs a thread_id")
        new_thread_id = str(uuid.uuid4())
        if checkpoint_id:  # a new thread has none: a 404 rather than a blank run
            raise CheckpointNotFoundError(new_thread_id, checkpoint_id)
        # Recorded by the runner when the run starts; deleted by the run when it
        # ends unless kept, whether the client is still there or not.
        return RunRequest(
            new_thread_id,
            graph_input,
            new_thread_metadata=run_metadata,
            owner=owner,
            temporary=body.on_completion == "delete",
        )
    existing = await runner.threads.get(thread_id)
    if existing is not None and existing.owner != owner:
        # Another's thread is not found (and not taken over by if_not_exists).
        raise ThreadNotFoundError(f"thread {thread_id!r} does not exist")
    if body.if_not_exists == "create" and existing is None:
        if checkpoint_id:
            raise CheckpointNotFoundError(thread_id, checkpoint_id)
        await runner.threads.create(thread_id, owner=owner)
    else:
        if existing is None:
            raise ThreadNotFoundError(f"thread {thread_id!r} does not exist")
        if body.multitask_strategy == "reject":  # else dealt with when it starts
            await runner.require_idle_thread(thread_id)  # 409 if busy
        # LangGraph would run an unknown checkpoint from an empty state, and the
        # thread's history would then start there.
        if checkpoint_id:
            await runner.history.require_checkpoint(thread_id, checkpoint_id)
    await runner.threads.add_metadata(thread_id, run_metadata)
    return RunRequest(thread_id, graph_input, checkpoint_id=checkpoint_id, owner=owner)


async def _event_stream(
    runner: AgentRunner, request: RunRequest, body: RunCreate
) -> EventSourceResponse:
    # Started before the response: the thread is busy as soon as this returns
    # (or, queued behind another run, when that one has ended).
    handle = await start_on_thread(
        runner,
        request,
        [LANGGRAPH_MODE.get(mode, mode) for mode in body.stream_mode],
        multitask=body.multitask_strategy,
        subgraphs=body.stream_subgraphs,
        resumable=body.stream_resumable,
    )
    return run_events(
        runner,
        request.thread_id,
        request.run_id,
        handle,
        cancel_on_disconnect=body.on_disconnect == "cancel",
    )


async def _wait(runner: AgentRunner, request: RunRequest, body: RunCreate) -> Any:
    """The run's final values, read from its own stream: a temporary thread is gone
    once the run ends."""
    failure: RunFailed | None = None
    values: dict[str, Any] | None = None
    interrupts: list[Any] = []
    handle = await start_on_thread(
        runner, request, ["values", "updates"], multitask=body.multitask_strategy
    )
    async for part in handle.parts():
        if isinstance(part, RunFailed):
            failure = part
        elif part.mode == "values":
            values = part.data
        elif "__interrupt__" in part.data:
            interrupts += part.data["__interrupt__"]
    if failure is not None:
        error = {"error": failure.code, "message": failure.message}
        return encoding.jsonable({"__error__": error})
    if values is None:  # nothing ran (a resume with nothing to resume)
        values = (await runner.history.state(request.thread_id)).values
    result = dict(values)
    if interrupts:
        result["__interrupt__"] = interrupts
    return encoding.jsonable(result)
