"""A run as the native API tells it: `RunStarted`, tokens, tool calls and results,
then one `RunCompleted` or `RunFailed` (see events.py)."""

from collections.abc import AsyncIterator

from ...runtime.errors import ThreadBusyError
from ...runtime.run_types import RunFailed, RunHandle, RunRequest
from ...runtime.runs import AgentRunner
from ...runtime.threads import ANONYMOUS
from .events import RunCompleted, RunEvent, RunStarted, Transcript

# What the native events are made from: tokens from `messages`, whole messages
# from `updates`. Without tokens only `updates` (the model still streams: the
# meter times the first token).
TOKEN_STREAM_MODES = ("messages", "updates")
MESSAGE_STREAM_MODES = ("updates",)


class RunFailedError(Exception):
    """`invoke` could not finish the run."""

    def __init__(self, failure: RunFailed) -> None:
        super().__init__(failure.message)
        self.failure = failure


async def start(
    runner: AgentRunner, request: RunRequest, *, tokens: bool = True
) -> RunHandle:
    """Start a run with the stream modes the native events are made from; without
    `tokens`, no `Token` events (and none of the work of making them)."""
    modes = TOKEN_STREAM_MODES if tokens else MESSAGE_STREAM_MODES
    return await runner.start(request, modes)


async def stream(
    runner: AgentRunner, request: RunRequest, handle: RunHandle | None = None
) -> AsyncIterator[RunEvent]:
    """Native events for a run, started now or already (by `start`)."""
    transcript = Transcript()
    yield RunStarted(thread_id=request.thread_id, run_id=request.run_id)
    if handle is None:
        try:
            handle = await start(runner, request)
        except ThreadBusyError as busy:
            yield RunFailed.of(request, busy.code, str(busy))
            return
    async for part in handle.parts():
        if isinstance(part, RunFailed):
            yield part
            return
        for event in transcript.events(part.mode, part.data):
            yield event
    summary = handle.summary
    if summary is None:
        raise AssertionError("a finished run always has a summary")
    yield RunCompleted(
        thread_id=request.thread_id,
        run_id=request.run_id,
        reply=transcript.reply,
        tool_calls=transcript.tool_calls,
        interrupts=transcript.interrupts,
        prompt_version=summary.prompt_version,
        model=summary.model,
        usage={
            "input_tokens": summary.input_tokens,
            "output_tokens": summary.output_tokens,
            "total_tokens": summary.total_tokens,
        },
        latency_ms=summary.latency_ms,
        time_to_first_token_ms=summary.time_to_first_token_ms,
        model_calls=summary.model_calls,
        cost_usd=summary.cost_usd,
        guardrail=summary.guardrail,
        citations=transcript.citations(),
    )


async def invoke(
    runner: AgentRunner,
    message: str,
    thread_id: str | None = None,
    *,
    owner: str = ANONYMOUS,
) -> RunCompleted:
    """Run to the end on `owner`'s thread and return the reply; raise
    `RunFailedError` on failure (and `ThreadBusyError` if another run holds the
    thread)."""
    # The thread's id reaches the client with the reply, at the end.
    request = await runner.prepare(message, thread_id, announced=False, owner=owner)
    return await finish(runner, request)


async def finish(runner: AgentRunner, request: RunRequest) -> RunCompleted:
    """Run `request` to the end, without tokens; raise `RunFailedError` on failure
    (and `ThreadBusyError` if another run holds the thread)."""
    handle = await start(runner, request, tokens=False)
    async for event in stream(runner, request, handle):
        if isinstance(event, RunFailed):
            raise RunFailedError(event)
        if isinstance(event, RunCompleted):
            return event
    raise AssertionError("a run always ends with RunCompleted or RunFailed")
