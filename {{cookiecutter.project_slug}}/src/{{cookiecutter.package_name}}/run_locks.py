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
from typing import Any, Protocol


class ThreadLocks(Protocol):
    """Try-locks on threads, shared by every process that shares the database."""

    async def try_lock(self, thread_id: str) -> bool: ...

    async def unlock(self, thread_id: str) -> None: ...


class ProcessLocks:
    """For SQLite, which one process uses: the runner's own table suffices."""

    async def try_lock(self, thread_id: str) -> bool:
        return True

    async def unlock(self, thread_id: str) -> None:
        pass


class PostgresLocks:
    """Advisory locks on a connection of their own (`pg_try_advisory_lock`)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        # One connection: its statements must not interleave.
        self._serial = asyncio.Lock()

    async def try_lock(self, thread_id: str) -> bool:
        return await self._call("SELECT pg_try_advisory_lock(%s) AS done", thread_id)

    async def unlock(self, thread_id: str) -> None:
        await self._call("SELECT pg_advisory_unlock(%s) AS done", thread_id)

    async def _call(self, query: str, thread_id: str) -> bool:
        async with self._serial:
            cursor = await self._connection.execute(query, (lock_key(thread_id),))
            row = await cursor.fetchone()
        return bool(row and row["done"])


def lock_key(thread_id: str) -> int:
    """The advisory lock's 64-bit key for a thread (a hash: ids are strings)."""
    digest = hashlib.blake2b(thread_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
