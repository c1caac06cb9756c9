"""One run at a time per thread, across processes.

Within one process the runner's table of active runs is the lock. Processes that
share a PostgreSQL (Cloud Run scaled out to several instances) also take a
PostgreSQL advisory lock on the thread for the run's duration, all on one
connection per process: PostgreSQL frees a session's locks when its connection
closes, so a crashed instance never leaves a thread locked. Without it, two
instances could each accept a turn on one thread and the later checkpoint would
silently replace the other's.
"""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .threads import ThreadRegistry

logger = logging.getLogger(__name__)


class ThreadLocks(Protocol):
    """Try-locks on threads, shared by every process that shares the database."""

    async def try_lock(self, thread_id: str) -> bool: ...

    async def unlock(self, thread_id: str) -> None: ...


class SingleProcessLocks:
    """No lock to take: with SQLite one process serves, and the runner's own table
    of active runs already keeps one run per thread."""

    async def try_lock(self, thread_id: str) -> bool:
        return True

    async def unlock(self, thread_id: str) -> None:
        pass


class PostgresLocks:
    """Advisory locks on a connection of their own (`pg_try_advisory_lock`),
    opened again after the database restarts (which freed every lock it held)."""

    def __init__(self, connect: Callable[[], Awaitable[Any]]) -> None:
        self._connect = connect
        self._connection: Any = None
        # One connection: its statements must not interleave.
        self._serial = asyncio.Lock()

    async def try_lock(self, thread_id: str) -> bool:
        async with self._serial:
            if self._connection is None or self._connection.broken:
                self._connection = await self._connect()
            query = "SELECT pg_try_advisory_lock(%s) AS done"
            return await self._call(query, thread_id)

    async def unlock(self, thread_id: str) -> None:
        async with self._serial:
            if self._connection is None or self._connection.broken:
                return  # the session that held the lock is gone, and the lock with it
            await self._call("SELECT pg_advisory_unlock(%s) AS done", thread_id)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _call(self, query: str, thread_id: str) -> bool:
        cursor = await self._connection.execute(query, (lock_key(thread_id),))
        row = await cursor.fetchone()
        return bool(row and row["done"])


def lock_key(thread_id: str) -> int:
    """The advisory lock's 64-bit key for a thread (a hash: ids are strings)."""
    digest = hashlib.blake2b(thread_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def release_abandoned_threads(threads: ThreadRegistry, locks: ThreadLocks) -> int:
    """Mark idle the threads left `busy` by a process that died mid-run (their lock
    is free); return how many. Called once, when a server process opens."""
    released = 0
    async for thread in threads.scan(status="busy"):
        if await locks.try_lock(thread.thread_id):
            try:
                await threads.set_status(thread.thread_id, "idle")
                released += 1
            finally:
                await locks.unlock(thread.thread_id)
    if released:
        logger.warning("%d thread(s) were left busy by a stopped run", released)
    return released
