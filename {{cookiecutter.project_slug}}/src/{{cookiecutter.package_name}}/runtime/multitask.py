"""A run asked for on a busy thread: the Agent Protocol's multitask strategies.

- `reject`: refused (409 `thread_busy`);
- `interrupt`: the run going is cancelled (what it saved stays) and this one starts;
- `rollback`: the same, but this run starts from where the thread was before the
  cancelled run, as if it had never happened;
- `enqueue` (LangGraph's server's default): this run starts when the other ends.

Only a run in this process can be cancelled: a run another instance is serving
can only be waited for (`enqueue`), else the thread is busy.
"""

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Literal

from .errors import ThreadBusyError
from .run_types import RunHandle, RunRequest
from .runs import AgentRunner

Multitask = Literal["reject", "interrupt", "rollback", "enqueue"]

# How often a run waiting on a thread that another process is running looks again.
POLL_SECONDS = 0.25


async def start_on_thread(
    runner: AgentRunner,
    request: RunRequest,
    stream_mode: Sequence[str],
    *,
    multitask: Multitask,
    subgraphs: bool = False,
    resumable: bool = False,
) -> RunHandle:
    """Start the run as `runner.start` does, dealing with a run already going on
    its thread as `multitask` says."""
    while True:
        try:
            return await runner.start(
                request, stream_mode, subgraphs=subgraphs, resumable=resumable
            )
        except ThreadBusyError:
            if multitask == "reject":
                raise
            running = runner.active.get(request.thread_id)
            if running is None:  # another process's run: it cannot be stopped here
                if multitask != "enqueue":
                    raise
                await until_ended_elsewhere(runner, request.thread_id)
                continue
            if multitask != "enqueue":
                runner.active.cancel(request.thread_id, running.run_id)
            await running.done.wait()
            if multitask == "rollback":
                before = await runner.history.roll_back(
                    request.thread_id, running.run_id
                )
                request = dataclasses.replace(request, checkpoint_id=before)
                multitask = "interrupt"  # rolled back once; a next run is cancelled


async def until_ended_elsewhere(runner: AgentRunner, thread_id: str) -> None:
    """Wait while another process runs on the thread (its lock is taken) and none
    runs here: the other run can only be waited for."""
    while runner.active.run_id(thread_id) is None:
        if await runner.locks.try_lock(thread_id):
            await runner.locks.unlock(thread_id)
            return
        await asyncio.sleep(POLL_SECONDS)
