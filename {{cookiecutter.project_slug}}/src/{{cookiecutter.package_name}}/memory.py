"""The checkpointer factory: where conversations (LangGraph threads) are kept."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from .settings import Settings


@asynccontextmanager
async def checkpointer_from_settings(
    settings: Settings,
) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """Open the checkpointer for the app's lifetime: PostgreSQL if DATABASE_URL is set,
    else a SQLite file under DATA_DIR. Tables are created on first use."""
    if settings.database_url is not None:
        async with _postgres(
            settings.database_url.get_secret_value(), settings
        ) as saver:
            yield saver
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(settings.sqlite_path)) as saver:
        await saver.setup()
        yield saver


@asynccontextmanager
async def _postgres(
    url: str, settings: Settings
) -> AsyncIterator[BaseCheckpointSaver[str]]:
    # Imported lazily: only deployments with DATABASE_URL need psycopg loaded.
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    # The settings LangGraph's saver requires of every pooled connection.
    connection_kwargs = {
        "autocommit": True,
        "prepare_threshold": 0,
        "row_factory": dict_row,
    }
    async with AsyncConnectionPool(
        url,
        max_size=settings.database_pool_size,
        kwargs=connection_kwargs,
        open=False,
    ) as pool:
        saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        await saver.setup()
        yield saver
