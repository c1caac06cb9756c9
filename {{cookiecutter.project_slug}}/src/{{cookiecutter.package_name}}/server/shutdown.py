"""A graceful stop: on SIGTERM (Cloud Run's notice, 10 s before it kills the
instance) the runner starts no run, gives those going SHUTDOWN_GRACE_SECONDS to
end, then cancels the rest, so every client gets an end or a `shutting_down`
error and no thread is left busy. Meanwhile uvicorn, which the signal reaches too,
stops accepting connections and waits for the open ones to finish, and each
event stream outlives the signal by the grace and a little more
(`ActiveRuns.stream_grace_seconds`), for its run's last event."""

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from ..runtime.runs import AgentRunner

logger = logging.getLogger(__name__)


@contextmanager
def drain_on_sigterm(runner: AgentRunner) -> Iterator[None]:
    """While open, SIGTERM drains `runner` as well as stopping the server."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only (a test's in-process server)
        return
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)
    draining: set[asyncio.Task[None]] = set()

    def drain() -> None:
        logger.info(
            "SIGTERM: no new runs; %s s for the %s going",
            runner.active.grace_seconds,
            len(runner.active),
        )
        task = loop.create_task(runner.active.drain())
        draining.add(task)
        task.add_done_callback(draining.discard)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        # A signal handler runs between two steps of the loop: the drain is
        # handed to the loop, not started here.
        loop.call_soon_threadsafe(drain)
        if callable(previous):
            previous(signum, frame)  # uvicorn's: stop serving

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
