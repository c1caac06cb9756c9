"""The one error family of a request refused before anything runs: each names its
`code`, the API's error code (the server maps codes to HTTP statuses in one table)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar


class RequestError(Exception):
    """A request refused before anything runs; `code` says why."""

    code: ClassVar[str] = "invalid_request"


class InvalidMessageError(RequestError):
    """The user message is empty or too long."""

    code = "invalid_message"


class ThreadNotFoundError(RequestError):
    """No conversation has this thread id."""

    code = "thread_not_found"


class ThreadExistsError(RequestError):
    """A client asked to create a thread whose id is taken."""

    code = "thread_exists"


class ThreadBusyError(RequestError):
    """Another run is still going on this thread."""

    code = "thread_busy"

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"thread {thread_id!r} already has a run in progress; "
            "wait for it to finish or cancel it"
        )


class ShuttingDownError(RequestError):
    """The server is stopping: it starts no run (another instance will)."""

    code = "shutting_down"

    def __init__(self) -> None:
        super().__init__("the server is shutting down; send the request again")


class CheckpointNotFoundError(RequestError):
    """The thread has no checkpoint with this id (to read, or to run from)."""

    code = "checkpoint_not_found"

    def __init__(self, thread_id: str, checkpoint_id: str) -> None:
        super().__init__(
            f"thread {thread_id!r} has no checkpoint {checkpoint_id!r}; "
            "list its checkpoints with POST /threads/{thread_id}/history"
        )


class RunNotFoundError(RequestError):
    """No run has this id (where the client looked)."""

    code = "run_not_found"


class MemoryNotFoundError(RequestError):
    """The user has no memory under this key."""

    code = "memory_not_found"


class AssistantNotFoundError(RequestError):
    """An Agent Protocol client named an assistant this server does not have."""

    code = "assistant_not_found"


class StorageUnavailableError(RequestError):
    """The database cannot be reached (restarting, failing over): retry later."""

    code = "storage_unavailable"


def is_storage_error(error: BaseException) -> bool:
    """A database that cannot be reached: the DB-API's OperationalError of psycopg
    or sqlite3, or SQLAlchemy's wrapping one (A2A's task store), matched by name so
    no driver is imported for it; or the pool timing out waiting for a connection."""
    for kind in type(error).__mro__:
        driver = kind.__module__.split(".")[0]
        drivers = ("psycopg", "sqlite3", "sqlalchemy")
        if driver in drivers and kind.__name__ == "OperationalError":
            return True
        if driver == "psycopg_pool" and kind.__name__ == "PoolTimeout":
            return True
    return False


@asynccontextmanager
async def refused_if_storage_down() -> AsyncIterator[None]:
    """Around the database calls made before a run starts: an unreachable database
    refuses the request (StorageUnavailableError, to retry) instead of failing it."""
    try:
        yield
    except Exception as error:
        if is_storage_error(error):
            raise StorageUnavailableError(
                "the conversation store is unavailable; retry shortly"
            ) from error
        raise
