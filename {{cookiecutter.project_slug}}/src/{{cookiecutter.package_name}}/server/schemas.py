"""What both APIs share: thread ids, the JSON check, error bodies."""

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

ThreadId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="A conversation's id (letters, digits and . _ : -).",
    ),
]


MAX_JSON_DEPTH = 32
_INT64 = range(-(2**63), 2**63)


def storable(value: Any) -> Any:
    """Refuse JSON that parses but that the stores cannot save (SQLite, PostgreSQL,
    msgpack): integers past 64 bits, `NaN` and `1e999`, unpaired surrogates
    (`"\\ud800"`), NUL characters (`"\\u0000"`: PostgreSQL's text and JSON types
    cannot hold one), and nesting deeper than MAX_JSON_DEPTH."""
    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    while pending:
        item, path, depth = pending.pop()
        problem = None
        if depth > MAX_JSON_DEPTH:
            problem = f"nested deeper than {MAX_JSON_DEPTH} levels"
        elif isinstance(item, bool):
            pass
        elif isinstance(item, int) and item not in _INT64:
            problem = "an integer past 64 bits"
        elif isinstance(item, float) and not math.isfinite(item):
            problem = "a number that is not finite"
        elif isinstance(item, str) and not _encodable(item):
            problem = "an unpaired surrogate"
        elif isinstance(item, str) and "\x00" in item:
            problem = "a NUL character"
        elif isinstance(item, dict):
            for key, child in item.items():
                # The path goes into the error message: keep it printable.
                printable = _encodable(key) and "\x00" not in key
                where = f"{path}.{key if printable else ascii(key)}"
                pending += [(key, where, depth + 1), (child, where, depth + 1)]
        elif isinstance(item, list):
            for index, child in enumerate(item):
                pending.append((child, f"{path}.{index}", depth + 1))
        if problem:
            raise ValueError(f"{problem} at {path[1:]}" if path else problem)
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# Any other string a client sends that reaches a store (checkpoint and run ids,
# feedback text): ids are looked up in PostgreSQL, and a NUL there is a 500.
StorableStr = Annotated[str, AfterValidator(storable)]


class ErrorDetail(BaseModel):
    """What went wrong: a stable `code`, and a `message` that says what to do."""

    code: str
    message: str
    # Set when a run failed: the ids to look it up by.
    thread_id: str | None = None
    run_id: str | None = None


class ErrorOutput(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


# Every route may answer a client mistake with a 4xx and this body (OpenAPI).
CLIENT_ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": ErrorOutput,
        "description": "The request cannot be served as sent; `error.message` says "
        "what to change.",
    }
}

# The 200 of the streaming routes: Server-Sent Events, not JSON.
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events, until the run ends.",
        "content": {"text/event-stream": {}},
    }
}
