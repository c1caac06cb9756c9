"""The one place that runs the agent, for every entry point (native API, Agent
Protocol, evaluation, ...).

`execute` runs the graph for one request on a thread and yields LangGraph's own
stream parts, ending with a `RunFailed` if it fails. The graph runs in a task of its
own, so a run can be cancelled, and its thread's status is kept up to date.
The native API's `stream` and `invoke` read the same parts through a `Transcript`.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.messages import HumanMessage, convert_to_messages
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, StateSnapshot
from opentelemetry import trace

from .agent.faults import failure_code
from .agent.prompts import Prompt
from .agent.state import AgentState
from .events import RunCompleted, RunEvent, RunFailed, RunStarted, Transcript
from .guardrails import GuardrailOutcome
from .metering import Metering, RunMeter, RunStatus, RunSummary
from .run_locks import ProcessLocks, ThreadLocks
from .telemetry import lineage, run_lineage
from .threads import Thread, ThreadRegistry, ThreadStatus

logger = logging.getLogger(__name__)


class RunnerError(Exception):
    """A request the runner refuses before running anything."""

    code: ClassVar[str] = "invalid_request"


class InvalidMessageError(RunnerError):
    """The user message is empty or too long."""

    code = "invalid_message"


class ThreadNotFoundError(RunnerError):
    """No conversation has this thread id."""

    code = "thread_not_found"


class ThreadBusyError(RunnerError):
    """Another run is still going on this thread."""

    code = "thread_busy"


def _busy(thread_id: str) -> ThreadBusyError:
    return ThreadBusyError(
        f"thread {thread_id!r} already has a run in progress; "
        "wait for it to finish or cancel it"
    )


class RunFailedError(Exception):
    """`invoke` could not finish the run."""

    def __init__(self, failure: RunFailed) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class RunRequest:
    """A validated run: graph input (or a `Command`, to resume) for a thread."""

    thread_id: str
    input: AgentState | Command[Any] | None
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # Run from this checkpoint instead of the thread's latest (a fork).
    checkpoint_id: str | None = None
    # The metadata of a thread this run creates, which no client knows of yet:
    # `start` records it, busy, before the run begins (one write, no read).
    new_thread_metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class StreamPart:
    """One item of LangGraph's stream: namespace (subgraphs), mode and payload."""

    namespace: tuple[str, ...]
    mode: str
    data: Any


@dataclass
class _ActiveRun:
    run_id: str
    # None while the thread's lock is being taken.
    task: "asyncio.Task[None] | None" = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


# What the native events (events.Transcript) are derived from: tokens from
# `messages`, whole messages from `updates`. `invoke` reports no tokens, so it asks
# for `updates` only (its model still streams: RunMeter times the first token).
NATIVE_STREAM_MODES = ("messages", "updates")
INVOKE_STREAM_MODES = ("updates",)


# What a run's task hands its consumer: stream parts, then possibly a failure,
# then its summary, then None.
_RunQueue = asyncio.Queue[StreamPart | RunFailed | RunSummary | None]


class RunHandle:
    """A started run: its stream parts, from its own task through a queue."""

    def __init__(self, task: "asyncio.Task[None]", queue: _RunQueue) -> None:
        self.task, self.queue = task, queue
        # Set once the run is over and its parts have been read.
        self.summary: RunSummary | None = None

    async def parts(
        self, *, cancel_on_disconnect: bool = True
    ) -> AsyncIterator[StreamPart | RunFailed]:
        """LangGraph's stream parts, ending with `RunFailed` if the run fails.

        If the consumer stops early (a client disconnects), the run is cancelled,
        unless `cancel_on_disconnect` is False: then it finishes on its own.
        """
        ended = False
        try:
            # The pump puts None when the run is over.
            while (part := await self.queue.get()) is not None:
                if isinstance(part, RunSummary):
                    self.summary = part
                    continue
                # A failure is the run's last word; what follows is bookkeeping.
                ended = isinstance(part, RunFailed)
                yield part
            ended = True
        finally:
            if cancel_on_disconnect and not ended:
                self.task.cancel()


class AgentRunner:
    """Runs the compiled graph; one run at a time per thread."""

    def __init__(
        self,
        graph: CompiledStateGraph[AgentState],
        threads: ThreadRegistry,
        *,
        prompt: Prompt,
        metering: Metering,
        max_message_chars: int,
        max_steps: int,
        locks: ThreadLocks | None = None,
    ) -> None:
        self.graph = graph
        self.threads = threads
        self.locks = locks or ProcessLocks()
        self.prompt = prompt
        self.metering = metering
        self.max_message_chars = max_message_chars
        self.max_steps = max_steps
        # Runs in flight in this process, by thread; `locks` covers the others
        # (see docs/design-decisions.md).
        self._active: dict[str, _ActiveRun] = {}

    # --- Starting runs ---------------------------------------------------------

    def check_message(self, message: str) -> None:
        """Refuse an empty or too long user message."""
        if not message.strip():
            raise InvalidMessageError("message must not be empty")
        if len(message) > self.max_message_chars:
            raise InvalidMessageError(
                f"message is {len(message)} characters; the limit is "
                f"{self.max_message_chars} (MAX_MESSAGE_CHARS)"
            )

    async def prepare(self, message: str, thread_id: str | None) -> RunRequest:
        """A run of one user message; a missing thread id starts a new thread."""
        self.check_message(message)
        graph_input = AgentState(messages=[HumanMessage(message)])
        if thread_id is None:  # recorded by `start`
            return RunRequest(str(uuid.uuid4()), graph_input, new_thread_metadata={})
        await self.require_idle_thread(thread_id)
        return RunRequest(thread_id, graph_input)

    async def require_idle_thread(self, thread_id: str) -> Thread:
        """The thread, if it exists and no run is going on it."""
        thread = await self.threads.get(thread_id)
        if thread is None:
            raise ThreadNotFoundError(
                f"thread {thread_id!r} does not exist; omit thread_id to start one"
            )
        if thread_id in self._active:
            raise _busy(thread_id)
        return thread

    async def release_abandoned_threads(self) -> int:
        """Mark idle the threads left `busy` by a process that died mid-run (their
        lock is free); return how many. Called once, when the runner opens."""
        released = 0
        async for thread in self.threads.scan(status="busy"):
            if await self.locks.try_lock(thread.thread_id):
                try:
                    await self.threads.set_status(thread.thread_id, "idle")
                    released += 1
                finally:
                    await self.locks.unlock(thread.thread_id)
        if released:
            logger.warning("%d thread(s) were left busy by a stopped run", released)
        return released

    # --- Running ---------------------------------------------------------------

    async def start(
        self,
        request: RunRequest,
        stream_mode: Sequence[str],
        *,
        subgraphs: bool = False,
    ) -> "RunHandle":
        """Start the run now, in a task of its own; the thread is busy from here on.

        Starting before the client reads the stream means a second request for the
        thread sees it busy, whatever the timing, in this process (the table of
        active runs, claimed before any await) or in another (the thread's lock).
        """
        thread_id = request.thread_id
        if thread_id in self._active:
            raise _busy(thread_id)
        active = self._active[thread_id] = _ActiveRun(request.run_id)
        try:
            locked = await self.locks.try_lock(thread_id)
        except BaseException:
            self._end(thread_id)
            raise
        if not locked:  # a run on another server process
            self._end(thread_id)
            raise _busy(thread_id)
        if request.new_thread_metadata is not None:
            # A thread this run creates is recorded here, already busy, before
            # its id is in any response, so no client can look it up and miss it
            # (whichever server process it asks).
            try:
                await self.threads.set_status(
                    thread_id, "busy", metadata=request.new_thread_metadata
                )
            except BaseException:
                try:
                    await self.locks.unlock(thread_id)
                finally:
                    self._end(thread_id)
                raise
        queue: _RunQueue = asyncio.Queue()
        active.task = asyncio.create_task(
            self._pump(request, list(stream_mode), subgraphs, queue)
        )
        return RunHandle(active.task, queue)

    def _end(self, thread_id: str) -> None:
        self._active.pop(thread_id).done.set()

    async def execute(
        self,
        request: RunRequest,
        stream_mode: Sequence[str],
        *,
        subgraphs: bool = False,
    ) -> AsyncIterator[StreamPart | RunFailed]:
        """`start`, then its stream parts; a busy thread ends in `RunFailed`."""
        try:
            handle = await self.start(request, stream_mode, subgraphs=subgraphs)
        except ThreadBusyError as busy:
            yield self._failed(request, busy.code, str(busy))
            return
        async for part in handle.parts():
            yield part

    async def cancel(self, thread_id: str, run_id: str) -> bool:
        """Cancel a run in progress; False if it is not running."""
        active = self._active.get(thread_id)
        if active is None or active.run_id != run_id or active.task is None:
            return False
        active.task.cancel()
        return True

    async def finished(self, thread_id: str) -> None:
        """Wait until the thread's run in progress (if any) has ended."""
        if active := self._active.get(thread_id):
            await active.done.wait()

    def active_run(self, thread_id: str) -> str | None:
        """The id of the run going on this thread, if any."""
        active = self._active.get(thread_id)
        return active.run_id if active else None

    async def _pump(
        self,
        request: RunRequest,
        stream_mode: list[str],
        subgraphs: bool,
        queue: _RunQueue,
    ) -> None:
        thread_status: ThreadStatus = "error"
        run_status: RunStatus = "failed"
        failure: RunFailed | None = None
        guardrail: GuardrailOutcome | None = None
        meter = RunMeter()
        # Tagged onto the agent and model spans (see telemetry.py).
        run_lineage.set(lineage(request.run_id, self.prompt.ref, self.metering.model))
        # The run's outcome is read from its own `updates`, asked for even when
        # the caller did not ask for them, instead of reading the state back.
        outcome = _Outcome()
        modes = stream_mode if "updates" in stream_mode else [*stream_mode, "updates"]
        try:
            if request.new_thread_metadata is None:  # else `start` wrote it
                await self.threads.set_status(request.thread_id, "busy")
            # Subgraphs only when asked for: LangGraph then runs each step's
            # single task inline instead of in a task of its own beside a
            # waiter, unless `messages` mode needs tokens while a node runs.
            async for part in self.graph.astream(
                request.input,
                self._config(request, meter),
                stream_mode=modes,  # type: ignore[arg-type]
                subgraphs=subgraphs,
            ):
                namespace, mode, data = part if subgraphs else ((), *part)
                if not namespace and mode == "updates":
                    outcome.read(data)
                if mode not in stream_mode:
                    continue
                queue.put_nowait(StreamPart(tuple(namespace), mode, data))
            interrupted = outcome.interrupted
            guardrail = outcome.guardrail
            if guardrail is None:
                # The guardrail did not run (a resumed run): the decision that
                # stands is the one in the thread's state.
                state = await self.state(request.thread_id)
                guardrail = state.values.get("guardrail")
                interrupted = bool(state.interrupts)
            thread_status = "interrupted" if interrupted else "idle"
            run_status = "interrupted" if interrupted else "completed"
        except asyncio.CancelledError:
            failure = self._failed(request, "cancelled", "the run was cancelled")
            thread_status, run_status = "idle", "cancelled"
        except GraphRecursionError:
            limit = f"{self.max_steps} steps (MAX_AGENT_STEPS)"
            message = f"the agent did not finish within {limit}"
            # An agent that loops is a fault to look at, like an exception.
            logger.error("run %s: %s", request.run_id, message)
            failure = self._failed(request, "agent_step_limit", message)
        except Exception as error:
            logger.exception("run %s failed", request.run_id)
            message = (
                f"the agent failed ({type(error).__name__}); "
                f"see the server log for run {request.run_id}"
            )
            failure = self._failed(request, failure_code(error), message)
        finally:
            try:
                await self.threads.set_status(request.thread_id, thread_status)
            finally:
                try:
                    await self.locks.unlock(request.thread_id)
                finally:
                    self._end(request.thread_id)
                try:
                    if failure:
                        queue.put_nowait(failure)
                    queue.put_nowait(
                        self.metering.finish(
                            meter,
                            thread_id=request.thread_id,
                            run_id=request.run_id,
                            status=run_status,
                            error=failure.code if failure else None,
                            user_input=_user_input(request.input),
                            guardrail=guardrail,
                        )
                    )
                finally:
                    queue.put_nowait(None)  # whatever happens, the reader stops

    def _config(self, request: RunRequest, meter: RunMeter) -> RunnableConfig:
        configurable = {"thread_id": request.thread_id}
        if request.checkpoint_id:
            configurable["checkpoint_id"] = request.checkpoint_id
        metadata = {
            "run_id": request.run_id,
            "prompt_version": self.prompt.ref,
            "model": self.metering.model,
            "agent_name": self.graph.name,
        }
        # The request's trace, so feedback on the run can point at it.
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            metadata["trace_id"] = trace.format_trace_id(span.trace_id)
        return {
            "configurable": configurable,
            "run_id": uuid.UUID(request.run_id),
            # One more step for the guardrail, which is not the agent's.
            "recursion_limit": self.max_steps + 1,
            "callbacks": [meter],
            # Saved with every checkpoint: feedback finds runs (and their lineage)
            # by it. `agent_name` marks the run as an agent for the GenAI
            # instrumentation.
            "metadata": metadata,
        }

    @staticmethod
    def _failed(request: RunRequest, code: str, message: str) -> RunFailed:
        return RunFailed(
            code=code,
            message=message,
            thread_id=request.thread_id,
            run_id=request.run_id,
        )

    # --- The native API --------------------------------------------------------

    async def start_native(
        self, request: RunRequest, *, tokens: bool = True
    ) -> RunHandle:
        """`start` with the stream modes the native events are made from; without
        `tokens`, no `Token` events (and none of the work of making them)."""
        modes = NATIVE_STREAM_MODES if tokens else INVOKE_STREAM_MODES
        return await self.start(request, modes)

    async def stream(
        self, request: RunRequest, handle: RunHandle | None = None
    ) -> AsyncIterator[RunEvent]:
        """Native events for a run (started now, or already by `start_native`):
        tokens, tool calls and results, then one `RunCompleted` or `RunFailed`."""
        transcript = Transcript()
        yield RunStarted(thread_id=request.thread_id, run_id=request.run_id)
        if handle is None:
            try:
                handle = await self.start_native(request)
            except ThreadBusyError as busy:
                yield self._failed(request, busy.code, str(busy))
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

    async def invoke(self, message: str, thread_id: str | None = None) -> RunCompleted:
        """Run to the end and return the reply; raise `RunFailedError` on failure
        (and `ThreadBusyError` if another run holds the thread)."""
        request = await self.prepare(message, thread_id)
        handle = await self.start_native(request, tokens=False)
        async for event in self.stream(request, handle):
            if isinstance(event, RunFailed):
                raise RunFailedError(event)
            if isinstance(event, RunCompleted):
                return event
        raise AssertionError("a run always ends with RunCompleted or RunFailed")

    # --- Reading threads -------------------------------------------------------

    async def state(
        self, thread_id: str, checkpoint_id: str | None = None
    ) -> StateSnapshot:
        """The thread's current state (or at a past checkpoint)."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        if checkpoint_id:
            config["configurable"]["checkpoint_id"] = checkpoint_id
        return await self.graph.aget_state(config)

    async def state_history(
        self, thread_id: str, *, limit: int, before: str | None = None
    ) -> list[StateSnapshot]:
        """The thread's past states, newest first."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        before_config: RunnableConfig | None = None
        if before:
            before_config = {
                "configurable": {"thread_id": thread_id, "checkpoint_id": before}
            }
        return [
            snapshot
            async for snapshot in self.graph.aget_state_history(
                config, limit=limit, before=before_config
            )
        ]

    async def run_lineage(
        self, run_id: str, thread_id: str | None = None
    ) -> dict[str, str] | None:
        """What produced a checkpointed run (thread, prompt version, model, trace);
        None if no run has this id (on the thread, if given)."""
        checkpointer = self.graph.checkpointer
        if not isinstance(checkpointer, BaseCheckpointSaver):
            return None
        config: RunnableConfig | None = None
        if thread_id:
            config = {"configurable": {"thread_id": thread_id}}
        async for checkpoint in checkpointer.alist(
            config, filter={"run_id": run_id}, limit=1
        ):
            metadata: dict[str, Any] = dict(checkpoint.metadata or {})
            found = {"thread_id": checkpoint.config["configurable"]["thread_id"]}
            for key in ("prompt_version", "model", "trace_id"):
                if isinstance(metadata.get(key), str):
                    found[key] = metadata[key]
            return found
        return None

    async def delete_thread(self, thread_id: str) -> None:
        """Forget a thread: its record and its checkpoints."""
        await self.threads.delete(thread_id)
        checkpointer = self.graph.checkpointer
        if isinstance(checkpointer, BaseCheckpointSaver):
            await checkpointer.adelete_thread(thread_id)


@dataclass
class _Outcome:
    """What a run's top-level `updates` say about how it ended."""

    # The guardrail's decision, if the guard step ran in this run.
    guardrail: GuardrailOutcome | None = None
    # The run stopped for a human (an `interrupt()` in a node).
    interrupted: bool = False

    def read(self, updates: Any) -> None:
        for node, update in updates.items():
            if node == "__interrupt__":
                self.interrupted = self.interrupted or bool(update)
            elif isinstance(update, dict) and "guardrail" in update:
                self.guardrail = update["guardrail"]


def _user_input(graph_input: Any) -> str | None:
    """The last user message of a run's input (None when resuming)."""
    if not isinstance(graph_input, dict) or not graph_input.get("messages"):
        return None
    try:
        messages = convert_to_messages(graph_input["messages"])
    except Exception:  # only for the log line: an odd input has no user text
        return None
    humans = [m for m in messages if isinstance(m, HumanMessage)]
    return humans[-1].text if humans else None
