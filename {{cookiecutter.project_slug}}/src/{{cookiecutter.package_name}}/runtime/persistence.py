"""Where conversations are kept: LangGraph's checkpointer and store, opened together.

The checkpointer holds each thread's messages (a checkpoint per step); the store
holds the thread registry (see threads.py) and the users' memories
(agent/memories.py). Both live in SQLite files under
DATA_DIR, or in the PostgreSQL that DATABASE_URL names, which also keeps the
thread locks that several server processes share (see locks.py).
"""

import asyncio
import json
import select
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.store.base import BaseStore

from ..settings import Settings
from .data_dir import hold_data_dir
from .locks import PostgresLocks, SingleProcessLocks, ThreadLocks, lock_key
from .threads import PREFIX, RecordStatements, ThreadStatus

if TYPE_CHECKING:  # imported when used: see _sqlite and _postgres
    from langgraph.store.sqlite.aio import AsyncSqliteStore
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

# The registry's writes of every run, each one statement in the store's own table
# (LangGraph's `store`: prefix, key, value, created_at, updated_at), as the store
# itself would write it but without its batching: a status change is made inside
# the record's JSON, with no read before it, other keys kept and nothing written
# for a record that is gone; a whole record is an upsert that keeps `created_at`.
# The integration tests run them on a real SQLite and a real PostgreSQL.
# SQLite's CURRENT_TIMESTAMP (the table's default) keeps whole seconds: a thread
# created and run within a second would seem never updated, and threads would not
# sort by when they changed. Milliseconds (strftime's %f), as the store reads them.
_SQLITE_SET_STATUS = (
    "UPDATE store SET value = json_set(value, '$.status', ?), "
    "updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE prefix = ? AND key = ?"
)
_POSTGRES_SET_STATUS = (
    "UPDATE store SET value = jsonb_set(value, '{status}', to_jsonb(%s::text)), "
    "updated_at = CURRENT_TIMESTAMP WHERE prefix = %s AND key = %s"
)
_SQLITE_PUT = (
    "INSERT INTO store (prefix, key, value, created_at, updated_at) VALUES "
    "(?, ?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'), "
    "strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "ON CONFLICT (prefix, key) DO UPDATE "
    "SET value = excluded.value, updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now')"
)
_POSTGRES_PUT = (
    "INSERT INTO store (prefix, key, value) VALUES (%s, %s, %s::jsonb) "
    "ON CONFLICT (prefix, key) DO UPDATE "
    "SET value = excluded.value, updated_at = CURRENT_TIMESTAMP"
)
# The advisory lock held while the tables are created (not a thread id: those are
# the thread locks' keys, hashed the same way).
_SCHEMA_LOCK = "schema-setup"


@dataclass(frozen=True)
class Persistence:
    """The open checkpointer and store, and the locks that go with them."""

    checkpointer: BaseCheckpointSaver[str]
    store: BaseStore
    locks: ThreadLocks
    records: RecordStatements


@asynccontextmanager
async def open_persistence(settings: Settings) -> AsyncIterator[Persistence]:
    """Open both for the app's lifetime; tables are created on first use."""
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        async with _postgres(url, settings.database_pool_size) as persistence:
            yield persistence
        return
    # One server process per SQLite directory (data_dir.py).
    with hold_data_dir(settings.data_dir):
        async with _sqlite(settings) as persistence:
            yield persistence


@asynccontextmanager
async def _sqlite(settings: Settings) -> AsyncIterator[Persistence]:
    # Imported here: the SQLite store loads sqlite-vec and numpy (a quarter of a
    # second), which deployments on PostgreSQL never need.
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    # One file each: every file then has a single connection writing to it, and
    # concurrent runs never meet SQLite's "database is locked".
    async with (
        AsyncSqliteSaver.from_conn_string(str(settings.sqlite_path)) as checkpointer,
        AsyncSqliteStore.from_conn_string(str(settings.threads_path)) as store,
    ):
        await checkpointer.setup()
        await store.setup()
        # Write-ahead logging, as the checkpointer sets for its own file: a commit
        # then appends to the log instead of writing and deleting a rollback
        # journal, a third of the CPU time of each registry write.
        await store.conn.execute("PRAGMA journal_mode=WAL")
        records = _SqliteRecords(store)
        yield Persistence(checkpointer, store, SingleProcessLocks(), records)


class _SqliteRecords:
    """RecordStatements on the SQLite store's connection. It commits each
    statement (autocommit); the store's lock keeps a statement from interleaving
    with the store's own."""

    def __init__(self, store: "AsyncSqliteStore") -> None:
        self._store = store

    async def set_status(self, thread_id: str, status: ThreadStatus) -> None:
        await self._execute(_SQLITE_SET_STATUS, (status, PREFIX, thread_id))

    async def put(self, thread_id: str, value: dict[str, Any]) -> None:
        await self._execute(_SQLITE_PUT, (PREFIX, thread_id, json.dumps(value)))

    async def _execute(self, statement: str, values: tuple[str, ...]) -> None:
        async with self._store.lock:
            await self._store.conn.execute(statement, values)


class _PostgresRecords:
    """RecordStatements on a connection of the pool (autocommit)."""

    def __init__(self, pool: "AsyncConnectionPool[Any]") -> None:
        self._pool = pool

    async def set_status(self, thread_id: str, status: ThreadStatus) -> None:
        await self._execute(_POSTGRES_SET_STATUS, (status, PREFIX, thread_id))

    async def put(self, thread_id: str, value: dict[str, Any]) -> None:
        await self._execute(_POSTGRES_PUT, (PREFIX, thread_id, json.dumps(value)))

    async def _execute(self, statement: str, values: tuple[str, ...]) -> None:
        async with self._pool.connection() as connection:
            await connection.execute(statement, values)


async def _lendable(connection: "AsyncConnection[Any]") -> None:
    """The pool's check of an idle connection before lending it, without the round
    trip of the pool's own check (a query: a fifth of a run's CPU time, as the
    pool lends a connection for each checkpoint read and write). A server that
    restarted closed the connection and said why: an idle connection with
    something to read is one the server has left, and the pool replaces it.
    (A connection lost without a word fails its next statement; the pool then
    drops it as broken, and that one run answers 503 storage_unavailable.)"""
    from psycopg import OperationalError

    if connection.closed or connection.broken:
        raise OperationalError("the connection is closed")
    readable, _, _ = select.select([connection.fileno()], [], [], 0)
    if readable:
        # Closed here, or the pool would take it back as idle and lend it again.
        await connection.close()
        raise OperationalError("the server closed the connection while it was idle")


@asynccontextmanager
async def _schema_lock(connection: Any) -> AsyncIterator[None]:
    """Hold the schema-setup advisory lock. Polled with the non-blocking try: a
    session waiting inside `pg_advisory_lock` keeps a transaction open, which the
    holder's CREATE INDEX CONCURRENTLY would wait for in turn (a deadlock)."""
    key = (lock_key(_SCHEMA_LOCK),)
    while True:
        cursor = await connection.execute(
            "SELECT pg_try_advisory_lock(%s) AS done", key
        )
        row = await cursor.fetchone()
        if row and row["done"]:
            break
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        await connection.execute("SELECT pg_advisory_unlock(%s)", key)


@asynccontextmanager
async def _postgres(url: str, pool_size: int) -> AsyncIterator[Persistence]:
    # Imported lazily: only deployments with DATABASE_URL need psycopg loaded.
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.store.postgres.aio import AsyncPostgresStore
    from psycopg import AsyncConnection
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    # The settings LangGraph's saver and store require of every pooled connection.
    connection_kwargs = {
        "autocommit": True,
        "prepare_threshold": 0,
        "row_factory": dict_row,
    }

    def connect() -> Awaitable[AsyncConnection[Any]]:
        return AsyncConnection.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row
        )

    # The pool checks a connection before lending it: after a database restart
    # the broken ones are replaced instead of failing the next runs.
    async with AsyncConnectionPool(
        url,
        max_size=pool_size,
        kwargs=connection_kwargs,
        open=False,
        check=_lendable,
    ) as pool:
        checkpointer = AsyncPostgresSaver(pool)
        store = AsyncPostgresStore(pool)
        # Instances that start together (a deploy scaling out from zero) would
        # race to create the same tables: one sets them up at a time, the others
        # then find them there.
        async with await connect() as connection, _schema_lock(connection):
            await checkpointer.setup()
            await store.setup()

        # The locks' own connection, outside the pool: the locks live as long as it.
        locks = PostgresLocks(connect)
        try:
            yield Persistence(checkpointer, store, locks, _PostgresRecords(pool))
        finally:
            await locks.close()
