"""Where A2A tasks are kept: the A2A SDK's database task store, in the database the
conversations are in (DATABASE_URL's PostgreSQL, or a SQLite file beside the
conversations' under DATA_DIR), so a restart loses no task.

Each task is its caller's: the store keeps the owner with it and finds a task for
that owner only (another caller's task id is not found).
"""

import logging

from a2a.helpers import new_text_message
from a2a.server.context import ServerCallContext
from a2a.server.routes.common import StarletteUser
from a2a.server.tasks import DatabaseTaskStore
from a2a.types import TaskState
from sqlalchemy import make_url, select
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.authentication import SimpleUser

from ...runtime.locks import ThreadLocks
from ...settings import Settings
from .executor import thread_of

logger = logging.getLogger(__name__)
# How a working task's state is stored (A2A 1.0's name, and 0.3's).
WORKING = ("TASK_STATE_WORKING", "working")


def database_url(settings: Settings) -> str:
    """SQLAlchemy's name for the conversations' database, with an async driver:
    psycopg (which the checkpointer already uses) or aiosqlite."""
    if settings.database_url is None:
        return f"sqlite+aiosqlite:///{settings.a2a_tasks_path}"
    url = make_url(settings.database_url.get_secret_value())
    return url.set(drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )


def task_store(settings: Settings) -> DatabaseTaskStore:
    """The store, on an engine that connects when a task is first kept (its table
    is made then, if missing: `tasks`); `store.engine.dispose()` closes it."""
    # A connection the database dropped (a restart) is replaced, not lent.
    engine = create_async_engine(database_url(settings), pool_pre_ping=True)
    return DatabaseTaskStore(engine)


async def fail_abandoned_tasks(store: DatabaseTaskStore, locks: ThreadLocks) -> int:
    """Mark failed the tasks a server process left `working` when it stopped (their
    thread's lock is free: no process runs them); return how many. A task runs
    only while its thread is locked (executor.py), so a live one is left alone."""
    model = store.task_model
    query = select(model.id, model.owner, model.context_id).where(
        model.status["state"].as_string().in_(WORKING)
    )
    async with store.async_session_maker() as session:
        rows = (await session.execute(query)).all()
    failed = 0
    for task_id, owner, context_id in rows:
        thread_id = thread_of(owner, context_id)
        if not await locks.try_lock(thread_id):
            continue  # running, in another process
        try:
            context = ServerCallContext(user=StarletteUser(SimpleUser(owner)))
            task = await store.get(task_id, context)
            if task is None or task.status.state != TaskState.TASK_STATE_WORKING:
                continue
            task.status.state = TaskState.TASK_STATE_FAILED
            task.status.timestamp.GetCurrentTime()
            task.status.message.CopyFrom(
                new_text_message(
                    "the server stopped while this task ran; send the message again",
                    context_id=context_id,
                    task_id=task_id,
                )
            )
            await store.save(task, context)
            failed += 1
        finally:
            await locks.unlock(thread_id)
    if failed:
        logger.warning("%d A2A task(s) were left working by a stopped server", failed)
    return failed
