"""Where conversations are kept: LangGraph's checkpointer and store, opened together.

The checkpointer holds each thread's messages (a checkpoint per step); the store
holds the thread registry (see threads.py). Both live in SQLite files under
DATA_DIR, or in the PostgreSQL that DATABASE_URL names, which also keeps the
thread locks that several server processes share (see run_locks.py).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.store.base import BaseStore

from ..settings import Settings
from .locks import PostgresLocks, SingleProcessLocks, ThreadLocks


@dataclass(frozen=True)
class Persistence:
    """The open checkpointer and store, and the locks that go with them."""

    checkpointer: BaseCheckpointSaver[str]
    store: BaseStore
    locks: ThreadLocks


@asynccontextmanager
async def open_persistence(settings: Settings) -> AsyncIterator[Persistence]:
    """Open both for the app's lifetime; tables are created on first use."""
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        async with _postgres(url, settings.database_pool_size) as persistence:
            yield persistence
        return
    # Imported here: the SQLite store loads sqlite-vec and numpy (a quarter of a
    # second), which deployments on PostgreSQL never need.
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    settings.data_dir.mkdir(parents=True, exist_ok=True)
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
        yield Persistence(checkpointer, store, SingleProcessLocks())


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
    async with (
        AsyncConnectionPool(
            url, max_size=pool_size, kwargs=connection_kwargs, open=False
        ) as pool,
        # The locks' own connection, outside the pool: they live as long as it.
        await AsyncConnection.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as locks,
    ):
        checkpointer = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        store = AsyncPostgresStore(pool)  # type: ignore[arg-type]
        await checkpointer.setup()
        await store.setup()
        yield Persistence(checkpointer, store, PostgresLocks(locks))
