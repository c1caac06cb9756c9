"""The thread registry: which conversations exist, with their metadata and status.

Messages live in the checkpointer; this keeps what the checkpointer does not (a
thread that has no run yet, its metadata, busy/idle/interrupted/error), in
LangGraph's own store, next to the checkpoints (SQLite or PostgreSQL).
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from langgraph.store.base import BaseStore, Item

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
# The records' namespace in the store; its table keys them by this prefix.
NAMESPACE = ("threads",)
PREFIX = ".".join(NAMESPACE)
# The owner of a thread recorded without one (AUTH_MODE=none, older records): the
# identity every request has when there is no authentication (server/auth.py).
ANONYMOUS = "anonymous"
_PAGE = 100


class RecordStatements(Protocol):
    """The two writes every run makes, each one statement on the database the
    persistence knows (persistence.py) instead of the store's generic batch."""

    async def set_status(self, thread_id: str, status: ThreadStatus) -> None:
        """Change an existing record's status (and `updated_at`); nothing else."""

    async def put(self, thread_id: str, value: dict[str, Any]) -> None:
        """Write a record whole, created if there is none."""


@dataclass(frozen=True)
class Thread:
    """A conversation's record (its messages are in the checkpointer)."""

    thread_id: str
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any]
    status: ThreadStatus
    # Who may read, run, cancel and rate it; kept beside the metadata, not in it,
    # so no client can rewrite it.
    owner: str = ANONYMOUS


def _thread(item: Item) -> Thread:
    return Thread(
        thread_id=item.key,
        created_at=item.created_at,
        updated_at=item.updated_at,
        metadata=item.value.get("metadata", {}),
        status=item.value.get("status", "idle"),
        owner=item.value.get("owner", ANONYMOUS),
    )


def _record(
    metadata: dict[str, Any], status: ThreadStatus, owner: str
) -> dict[str, Any]:
    """A record's stored value; an anonymous thread's is as it was before owners
    (no `owner` key), so AUTH_MODE=none writes exactly what it always did."""
    value: dict[str, Any] = {"metadata": metadata, "status": status}
    if owner != ANONYMOUS:
        value["owner"] = owner
    return value


def _visible(thread: Thread, owner: str | None) -> bool:
    """Whether `owner` may see the thread (None: the server itself, any thread)."""
    return owner is None or thread.owner == owner


class ThreadRegistry:
    """Create, find and update thread records."""

    def __init__(
        self, store: BaseStore, *, statements: RecordStatements | None = None
    ) -> None:
        self.store = store
        self._statements = statements

    async def create(
        self,
        thread_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        owner: str = ANONYMOUS,
    ) -> Thread:
        """Record a new thread (a random UUID unless `thread_id` is given)."""
        thread_id = await self.add(thread_id, metadata, owner=owner)
        item = await self.store.aget(NAMESPACE, thread_id)
        if item is None:
            raise RuntimeError(f"the store lost thread {thread_id} on creation")
        return _thread(item)

    async def add(
        self,
        thread_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        owner: str = ANONYMOUS,
    ) -> str:
        """Record a new idle thread and return its id, without reading the record
        back (`create` does, for its timestamps)."""
        thread_id = thread_id or str(uuid.uuid4())
        await self._put(thread_id, _record(metadata or {}, "idle", owner))
        return thread_id

    async def get(self, thread_id: str, *, owner: str | None = None) -> Thread | None:
        """The thread's record, or None if there is no such thread, or it is not
        `owner`'s: another's thread is not found, so ids cannot be probed."""
        item = await self.store.aget(NAMESPACE, thread_id)
        thread = _thread(item) if item else None
        return thread if thread and _visible(thread, owner) else None

    async def set_status(
        self,
        thread_id: str,
        status: ThreadStatus,
        *,
        metadata: dict[str, Any] | None = None,
        owner: str = ANONYMOUS,
    ) -> None:
        """Record what the thread is doing; also moves its `updated_at`.

        Without `metadata`, only the status changes: metadata written meanwhile
        is kept and a deleted thread is not recorded again. With `metadata`, the
        record is written whole, and created if there is none: only for a thread
        whose id no client has been told yet (the runner records a thread its run
        creates this way), with its `owner`. On SQLite and PostgreSQL either is
        one statement, with no read before it; on another store, the status
        change is a read and a write.
        """
        if metadata is not None:
            await self._put(thread_id, _record(metadata, status, owner))
        elif self._statements is not None:
            await self._statements.set_status(thread_id, status)
        elif item := await self.store.aget(NAMESPACE, thread_id):
            value = {**item.value, "status": status}
            await self.store.aput(NAMESPACE, thread_id, value, index=False)

    async def _put(self, thread_id: str, value: dict[str, Any]) -> None:
        if self._statements is not None:
            await self._statements.put(thread_id, value)
        else:
            await self.store.aput(NAMESPACE, thread_id, value, index=False)

    async def add_metadata(self, thread_id: str, metadata: dict[str, Any]) -> None:
        """Merge keys into the thread's metadata (no write when none changes)."""
        item = await self.store.aget(NAMESPACE, thread_id)
        if item is None:
            return
        merged = {**item.value.get("metadata", {}), **metadata}
        if merged != item.value.get("metadata", {}):
            # Not the store's put: on SQLite it replaces the row, and the
            # thread's creation time with it.
            await self._put(thread_id, {**item.value, "metadata": merged})

    async def delete(self, thread_id: str) -> None:
        """Forget the thread's record (its checkpoints are the caller's)."""
        await self.store.adelete(NAMESPACE, thread_id)

    async def search(
        self,
        *,
        metadata: dict[str, Any] | None = None,
        status: ThreadStatus | None = None,
        owner: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Thread]:
        """`owner`'s threads whose metadata contains `metadata`, most recently
        updated first."""
        found: list[Thread] = []
        async for thread in self.scan(status, owner):
            if not _visible(thread, owner):
                continue
            if metadata and any(
                thread.metadata.get(k) != v for k, v in metadata.items()
            ):
                continue
            found.append(thread)
            if len(found) >= offset + limit:
                break
        return found[offset:]

    async def scan(
        self, status: ThreadStatus | None, owner: str | None = None
    ) -> AsyncIterator[Thread]:
        """Every thread (with this status, of this owner), page by page."""
        # Metadata is matched here rather than in the store's filter, which the
        # SQLite and PostgreSQL stores do not apply alike to nested values. The
        # owner is a top-level value, like the status: the store skips others'
        # records (an anonymous record has no owner key, so it cannot be asked for).
        filter_: dict[str, Any] = {"status": status} if status else {}
        if owner is not None and owner != ANONYMOUS:
            filter_["owner"] = owner
        offset = 0
        while True:
            items = await self.store.asearch(
                NAMESPACE, filter=filter_ or None, limit=_PAGE, offset=offset
            )
            for item in items:
                yield _thread(item)
            if len(items) < _PAGE:
                return
            offset += _PAGE
