"""The one error family of a request refused before anything runs: each names its
`code`, the API's error code (the server maps codes to HTTP statuses in one table)."""

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


class AssistantNotFoundError(RequestError):
    """An Agent Protocol client named an assistant this server does not have."""

    code = "assistant_not_found"
