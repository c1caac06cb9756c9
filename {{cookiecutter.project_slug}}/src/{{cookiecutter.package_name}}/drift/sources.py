"""Where the inputs come from: production runs in a JSONL file, and the eval set.

A production line is any JSON object that carries the user's message as
- `input` (`{"input": "..."}`, written by hand or by another tool),
- `run.input` (the app's own `run finished` log line, as printed on stdout), or
- `jsonPayload.run.input` (the same line as a Cloud Logging entry, exported).
The app logs `run.input` only when LOG_USER_INPUTS=true; other lines are skipped
and counted. A `gcloud logging read --format=json` export (one JSON array) works too.
"""

import itertools
import json
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..eval.cases import load_cases

NO_INPUT = "without an input"
NOT_JSON = "not a JSON object"


class InputError(ValueError):
    """The inputs cannot be read, or there are none; the message says which."""


@dataclass
class Inputs:
    """Production inputs, in the source's order, and the lines left out."""

    texts: list[str]
    source: str
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        """How many lines or rows carried no usable input."""
        return sum(self.skipped.values())


def input_of(record: Any) -> str | None:
    """The user's message in one log record, or None if it has none."""
    if not isinstance(record, dict):
        return None
    for path in (("input",), ("run", "input"), ("jsonPayload", "run", "input")):
        value: Any = record
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return value
    return None


def read_input_file(path: Path, limit: int) -> Inputs:
    """The last `limit` inputs of a JSONL file (log files are in time order),
    read a line at a time, so a large export is never held whole."""
    skipped: Counter[str] = Counter()
    newest: deque[str] = deque(maxlen=limit)
    try:
        with path.open(encoding="utf-8") as lines:
            for record in _records(path, lines, skipped):
                if (message := input_of(record)) is not None:
                    newest.append(message)
                else:
                    skipped[NO_INPUT] += 1
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    if not newest:
        raise InputError(_nothing_found(path, skipped))
    return Inputs(list(newest), str(path), skipped)


def read_reference(path: Path) -> list[str]:
    """Every user message of the eval set: each case's input, or each user turn
    of a conversation."""
    return [turn for case in load_cases(path) for turn in case.turns if turn.strip()]


def _records(path: Path, lines: TextIO, skipped: Counter[str]) -> Iterator[Any]:
    """JSON objects, one a line; or the elements of one JSON array."""
    first = lines.readline()
    if first.lstrip().startswith("["):
        try:
            records = json.loads(first + lines.read())
        except json.JSONDecodeError as error:
            raise InputError(f"{path}: not valid JSON ({error})") from None
        yield from records if isinstance(records, list) else [records]
        return
    for line in itertools.chain([first], lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            skipped[NOT_JSON] += 1
            continue
        if isinstance(record, dict):
            yield record
        else:
            skipped[NOT_JSON] += 1


def _nothing_found(path: Path, skipped: Counter[str]) -> str:
    if not skipped:
        return f"{path}: empty, no inputs to check"
    if not skipped[NO_INPUT]:
        return (
            f"{path}: no line is a JSON object; expected JSONL, one object a line "
            '(e.g. {"input": "..."})'
        )
    return (
        f"{path}: no inputs found in {skipped.total()} lines; expected `input`, "
        "`run.input` or `jsonPayload.run.input` (production logs the user's "
        "message only with LOG_USER_INPUTS=true)"
    )
