"""The one place that runs the agent, for every entry point. `start` runs the
graph for one request on a thread, in a task of its own (so a run can be
cancelled), keeps the thread's status up to date and hands back a `RunHandle`:
LangGraph's own stream parts, ending with a `RunFailed` if it fails."""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from langchain_core.messages import HumanMessage
from langgraph.graph.state import CompiledStateGraph

from ..agent.context import AgentContext
from ..agent.prompts import Prompt
from ..agent.state import AgentState
from ..observability.capture import RunCapture
from ..observability.metering import Metering, RunMeter, RunStatus
from ..observability.telemetry import lineage, run_lineage
from .active_runs import SHUTDOWN, ActiveRuns
from .errors import (
    InvalidMessageError,
    ThreadBusyError,
    ThreadNotFoundError,
    refused_if_storage_down,
)
from .history import ThreadHistory
from .locks import SingleProcessLocks, ThreadLocks
from .run_end import end_run
from .run_types import (
    Outcome,
    RunFailed,
    RunHandle,
    RunLog,
    RunRequest,
    StreamPart,
    run_config,
)
from .threads import ANONYMOUS, Thread, ThreadRegistry, ThreadStatus

logger = logging.getLogger(__name__)


class AgentRunner:
    """Runs the compiled graph; one run at a time per thread."""

    def __init__(
        self,
        graph: CompiledStateGraph[AgentState, AgentContext],
        threads: ThreadRegistry,
        *,
        prompt: Prompt,
        metering: Metering,
        context: AgentContext,
        max_message_chars: int,
        max_steps: int,
        locks: ThreadLocks | None = None,
        shutdown_grace_seconds: float = 0.0,
        capture: RunCapture | None = None,
    ) -> None:
        self.graph = graph
        self.threads = threads
        self.history = ThreadHistory(graph, threads)
        self.locks = locks or SingleProcessLocks()
        self.prompt = prompt
        self.metering = metering
        # Where finished runs are kept for evaluation (CAPTURE_RUNS), if anywhere.
        self.capture = capture
        self.context = context
        self.max_message_chars = max_message_chars
        self.max_steps = max_steps
        # What every run's trace is tagged with.
        self._metadata = {
            "prompt_version": prompt.ref,
            "model": metering.model,
            "agent_name": graph.name,
        }
        # Runs in flight in this process, by thread; `locks` covers the other
        # processes (locks.py: PostgreSQL advisory locks, or one process's).
        self.active = ActiveRuns(shutdown_grace_seconds)

    # --- Before a run ----------------------------------------------------------

    def check_message(self, message: str) -> None:
        """Refuse an empty or too long user message."""
        if not message.strip():
            raise InvalidMessageError("message must not be empty")
        if len(message) > self.max_message_chars:
            raise InvalidMessageError(
                f"message is {len(message)} characters; the limit is "
                f"{self.max_message_chars} (MAX_MESSAGE_CHARS)"
            )

    async def prepare(
        self,
        message: str,
        thread_id: str | None,
        *,
        announced: bool = True,
        owner: str = ANONYMOUS,
        memory: bool = True,
    ) -> RunRequest:
        """A run of one user message by `owner`; a missing thread id starts a new
        thread of theirs (`announced`, `memory`: see RunRequest)."""
        self.check_message(message)
        graph_input = AgentState(messages=[HumanMessage(message)])
        if thread_id is None:
            thread_id = str(uuid.uuid4())
            return RunRequest(
                thread_id,
                graph_input,
                new_thread_metadata={},
                announced=announced,
                owner=owner,
                memory=memory,
            )
        await self.require_idle_thread(thread_id, owner=owner)
        return RunRequest(thread_id, graph_input, owner=owner, memory=memory)

    async def require_idle_thread(
        self, thread_id: str, *, owner: str | None = None
    ) -> Thread:
        """The thread, if it exists (and is `owner`'s) and no run is going on it."""
        thread = await self.threads.get(thread_id, owner=owner)
        if thread is None:
            raise ThreadNotFoundError(
                f"thread {thread_id!r} does not exist; omit thread_id to start one"
            )
        if thread_id in self.active:
            raise ThreadBusyError(thread_id)
        return thread

    # --- Running ---------------------------------------------------------------

    async def start(
        self,
        request: RunRequest,
        stream_mode: Sequence[str],
        *,
        subgraphs: bool = False,
        resumable: bool = False,
    ) -> RunHandle:
        """Start the run now, in a task of its own; the thread is busy from here on.
        A `resumable` run's stream can be rejoined for a while after it ends.

        Starting before the client reads the stream means a second request for the
        thread sees it busy, whatever the timing, in this process (the table of
        active runs, claimed before any await) or in another (the thread's lock).
        """
        thread_id = request.thread_id
        active = self.active.claim(thread_id, request.run_id)
        try:
            async with refused_if_storage_down():
                await self._claim(request)
        except BaseException:
            self.active.end(thread_id)
            raise
        active.keep_log = resumable
        active.task = asyncio.create_task(
            self._pump(request, list(stream_mode), subgraphs, active.log)
        )
        return RunHandle(active.task, active.log, resumable=resumable)

    def join(
        self, thread_id: str, run_id: str, *, start: int | None = None
    ) -> RunHandle | None:
        """Follow a run another request started, from log position `start` (from
        now if None): one in flight, or a resumable one that ended lately; None if
        there is none."""
        active = self.active.get(thread_id, run_id)
        if active is None or active.task is None:
            return None
        if start is None:
            start = len(active.log.items)
        return RunHandle(
            active.task, active.log, start=start, resumable=active.keep_log
        )

    async def _claim(self, request: RunRequest) -> None:
        """Take the thread's lock (until `_release`), and record a new thread a
        client learns of before the run ends, busy, before its id is in any
        response: no client can look it up and miss it, whichever process it asks."""
        thread_id = request.thread_id
        if request.unseen:
            return
        if not await self.locks.try_lock(thread_id):
            raise ThreadBusyError(thread_id)  # a run in another process
        if (metadata := request.new_thread_metadata) is not None:
            try:
                await self.threads.set_status(
                    thread_id, "busy", metadata=metadata, owner=request.owner
                )
            except BaseException:
                await self.locks.unlock(thread_id)
                raise

    async def cancel(self, thread_id: str, run_id: str) -> bool:
        """Cancel a run in progress; False if it is not running."""
        return self.active.cancel(thread_id, run_id)

    async def _pump(
        self,
        request: RunRequest,
        stream_mode: list[str],
        subgraphs: bool,
        log: RunLog,
    ) -> None:
        thread_status: ThreadStatus = "error"
        run_status: RunStatus = "failed"
        failure: RunFailed | None = None
        meter = RunMeter()
        # Tagged onto the agent and model spans (observability/telemetry.py).
        run_lineage.set(lineage(request.run_id, self.prompt.ref, self.metering.model))
        # The run's outcome is read from its own `updates`, asked for even when
        # the caller did not ask for them, instead of reading the state back.
        outcome = Outcome()
        modes = stream_mode if "updates" in stream_mode else [*stream_mode, "updates"]
        try:
            if request.new_thread_metadata is None:  # else `start` wrote it
                await self.threads.set_status(request.thread_id, "busy")
            # Subgraphs only when asked for: LangGraph then runs each step's
            # single task inline instead of in a task of its own beside a
            # waiter, unless `messages` mode needs tokens while a node runs.
            async for part in self.graph.astream(
                request.input,
                run_config(
                    request, meter, metadata=self._metadata, max_steps=self.max_steps
                ),
                # Whose run: the user whose memories the agent reads and keeps.
                context=replace(
                    self.context, user_id=request.owner if request.memory else None
                ),
                stream_mode=modes,  # type: ignore[arg-type]
                subgraphs=subgraphs,
            ):
                namespace, mode, data = part if subgraphs else ((), *part)
                if not namespace and mode == "updates":
                    outcome.read(data)
                if mode in stream_mode:
                    log.put_nowait(StreamPart(tuple(namespace), mode, data))
            if outcome.guardrail is None:
                # The guardrail did not run (a resumed run): the decision that
                # stands is the one in the thread's state.
                state = await self.history.state(request.thread_id)
                outcome.guardrail = state.values.get("guardrail")
                outcome.interrupted = bool(state.interrupts)
            thread_status = "interrupted" if outcome.interrupted else "idle"
            run_status = "interrupted" if outcome.interrupted else "completed"
        except asyncio.CancelledError as cancelled:
            failure = RunFailed.cancelled(
                request, shutdown=cancelled.args == (SHUTDOWN,)
            )
            thread_status, run_status = "idle", "cancelled"
        except Exception as error:
            failure = RunFailed.raised(request, error, max_steps=self.max_steps)
        finally:
            try:
                await self._release(request, thread_status)
            except Exception:
                # The database went away: the reader still gets an end.
                logger.exception("run %s: its end could not be saved", request.run_id)
                failure = failure or RunFailed.of(
                    request,
                    "storage_unavailable",
                    "the conversation store is unavailable; the run's end was not "
                    f"saved (see the server log for run {request.run_id})",
                )
            finally:
                self.active.end(request.thread_id)
                end_run(
                    request,
                    log,
                    outcome,
                    meter=meter,
                    status=run_status,
                    failure=failure,
                    metering=self.metering,
                    capture=self.capture,
                )

    async def _release(self, request: RunRequest, status: ThreadStatus) -> None:
        """Record how the run left its thread (or forget a temporary thread), then
        free the thread for other processes, even if recording fails."""
        try:
            if request.temporary:
                await self.history.delete(request.thread_id)
            else:
                # A new thread not announced is recorded now, whole (RunRequest).
                metadata = None if request.announced else request.new_thread_metadata
                await self.threads.set_status(
                    request.thread_id, status, metadata=metadata, owner=request.owner
                )
        finally:
            if not request.unseen:
                await self.locks.unlock(request.thread_id)
