"""The runs going on in this process, by thread: one at a time per thread here
(locks.py keeps it so across processes), each cancellable, all drained when the
process stops."""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from .errors import ShuttingDownError, ThreadBusyError
from .run_types import RunLog

# Why `drain` cancels a run (the task's cancel message), as its failure says.
SHUTDOWN = "shutting_down"


@dataclass
class ActiveRun:
    run_id: str
    # None while the thread's lock is being taken.
    task: "asyncio.Task[None] | None" = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    log: RunLog = field(default_factory=RunLog)
    # Kept after the run ends, for clients that rejoin its stream (resumable).
    keep_log: bool = False


# How many ended runs' logs are kept for clients that rejoin, and for how long: a
# dropped connection reconnects in seconds.
ENDED_LOGS_KEPT = 100
ENDED_LOG_SECONDS = 300.0


class ActiveRuns:
    """The table of runs in flight, claimed before any await (so a second request
    for a thread finds it busy, whatever the timing)."""

    def __init__(self, grace_seconds: float = 0.0) -> None:
        self._runs: dict[str, ActiveRun] = {}
        # How long `drain` lets runs end by themselves (SHUTDOWN_GRACE_SECONDS).
        self.grace_seconds = grace_seconds
        # Set by `drain`: the process is stopping and starts no run.
        self.stopping = False
        # Ended resumable runs: (thread, run) -> (when it ended, its run).
        self._ended: OrderedDict[tuple[str, str], tuple[float, ActiveRun]] = (
            OrderedDict()
        )

    @property
    def stream_grace_seconds(self) -> float:
        """How long a stream should outlive the stop: the drain's grace, and time
        for the cancelled runs' last event to reach their clients."""
        return self.grace_seconds + 2.0

    def __contains__(self, thread_id: str) -> bool:
        return thread_id in self._runs

    def __len__(self) -> int:
        return len(self._runs)

    def claim(self, thread_id: str, run_id: str) -> ActiveRun:
        """Record a run starting on the thread; refused if the thread has one, or
        the process is stopping."""
        if self.stopping:
            raise ShuttingDownError
        if thread_id in self._runs:
            raise ThreadBusyError(thread_id)
        active = self._runs[thread_id] = ActiveRun(run_id)
        return active

    def end(self, thread_id: str) -> None:
        active = self._runs.pop(thread_id)
        active.done.set()
        if active.keep_log:
            self._ended[thread_id, active.run_id] = (time.monotonic(), active)
            self._forget_old_logs()

    def get(self, thread_id: str, run_id: str | None = None) -> ActiveRun | None:
        """The thread's run in flight (`run_id`'s only, if given); with a run id,
        also a resumable run that ended a short while ago."""
        active = self._runs.get(thread_id)
        if run_id is None or (active is not None and active.run_id == run_id):
            return active
        self._forget_old_logs()
        ended = self._ended.get((thread_id, run_id))
        return ended[1] if ended else None

    def _forget_old_logs(self) -> None:
        horizon = time.monotonic() - ENDED_LOG_SECONDS
        while self._ended and (
            len(self._ended) > ENDED_LOGS_KEPT
            or next(iter(self._ended.values()))[0] < horizon
        ):
            self._ended.popitem(last=False)

    def cancel(self, thread_id: str, run_id: str) -> bool:
        """Cancel a run in progress; False if it is not running."""
        active = self._runs.get(thread_id)
        if active is None or active.run_id != run_id or active.task is None:
            return False
        active.task.cancel()
        return True

    async def finished(self, thread_id: str) -> None:
        """Wait until the thread's run in progress (if any) has ended."""
        if active := self._runs.get(thread_id):
            await active.done.wait()

    def run_id(self, thread_id: str) -> str | None:
        """The id of the run going on this thread, if any."""
        active = self._runs.get(thread_id)
        return active.run_id if active else None

    async def drain(self, grace_seconds: float | None = None) -> None:
        """Start no more runs; give those going `grace_seconds` (by default the
        table's) to end, then cancel them (their readers get a `shutting_down`
        failure, their threads stay usable) and wait until they have recorded how
        they ended."""
        self.stopping = True
        if grace_seconds is None:
            grace_seconds = self.grace_seconds
        running = list(self._runs.values())
        ends = [asyncio.create_task(active.done.wait()) for active in running]
        if ends:
            await asyncio.wait(ends, timeout=grace_seconds)
        for active in running:
            if active.task is not None and not active.done.is_set():
                active.task.cancel(SHUTDOWN)
        for end in ends:
            await end
