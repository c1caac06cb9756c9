"""Production runs, kept for evaluation (CAPTURE_RUNS; off by default).

When on, each finished run becomes one record: the user's message, the answer, the
tool calls with their results, the passages retrieved, the prompt version, the
model, the guardrail's decision, latency, tokens and cost. Feedback on a run is
kept beside it. `make eval-production` scores the records; `make eval-harvest` turns
the thumbs-downs into candidate eval cases (docs/evaluation.md).

The records hold what users said, so they never go to the logs or the traces:
`local` appends them to DATA_DIR/captured_runs.jsonl, `bigquery` streams them to a
table whose readers and retention Terraform sets. Writing happens in the
background, in batches: a run never waits for it, and a failed write is logged
(without the content) and counted, never raised.
"""

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from opentelemetry import metrics

from .metering import RunSummary

logger = logging.getLogger(__name__)

# A tool's result is kept up to this many characters: enough to judge an answer
# against, without storing a whole document a tool fetched.
MAX_RESULT_CHARS = 4000
# Records waiting to be written; past this (the sink is down for long), new ones
# are dropped and counted rather than held in memory without bound.
MAX_PENDING = 10_000
BATCH_SIZE = 100

Record = dict[str, Any]


class Sink(Protocol):
    """Where records go; `write` is called in a worker thread, a batch at a time."""

    description: str

    def write(self, records: Sequence[Record]) -> None: ...


class JsonlSink:
    """One JSON object a line, appended to a local file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def write(self, records: Sequence[Record]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(lines)


class RunCapture:
    """Takes records without waiting, and writes them to its sink in the
    background; `aclose` writes what is left."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._pending: asyncio.Queue[Record] = asyncio.Queue(MAX_PENDING)
        self._writer: asyncio.Task[None] | None = None
        meter = metrics.get_meter(__name__)
        self._lost = meter.create_counter(
            "app.capture.lost",
            unit="{record}",
            description="Captured run or feedback records that could not be stored.",
        )

    def add_run(
        self,
        summary: RunSummary,
        *,
        user_input: str | None,
        messages: Sequence[BaseMessage],
        trace_id: str | None,
    ) -> None:
        """Keep one finished run."""
        try:
            record = run_record(summary, user_input, messages, trace_id)
        except Exception as error:  # a message of a shape no one foresaw
            self._count_lost(1, f"it could not be recorded ({type(error).__name__})")
            return
        self._add(record)

    def add_feedback(self, feedback: Record) -> None:
        """Keep one feedback record (observability/feedback.py)."""
        self._add({"kind": "feedback", "captured_at": _now(), **feedback})

    def _add(self, record: Record) -> None:
        try:
            self._pending.put_nowait(record)
        except asyncio.QueueFull:
            self._count_lost(1, "the capture queue is full")
            return
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while not self._pending.empty():
            batch = [self._pending.get_nowait()]
            while len(batch) < BATCH_SIZE and not self._pending.empty():
                batch.append(self._pending.get_nowait())
            try:
                await asyncio.to_thread(self.sink.write, batch)
            except Exception as error:  # never the run's problem: logged, counted
                self._count_lost(len(batch), f"{type(error).__name__}: {error}")

    def _count_lost(self, count: int, reason: str) -> None:
        self._lost.add(count)
        # The reason, not the records: they hold what users said.
        logger.warning(
            "run capture: %d record(s) not stored in %s (%s)",
            count,
            self.sink.description,
            reason,
        )

    async def aclose(self) -> None:
        """Write every record taken so far."""
        if self._writer is not None:
            await self._writer
        if not self._pending.empty():
            await self._drain()


def run_record(
    summary: RunSummary,
    user_input: str | None,
    messages: Sequence[BaseMessage],
    trace_id: str | None,
) -> Record:
    """A finished run as stored: its summary, what the user said, what the tools
    did and what the agent answered."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    answers = [m for m in messages if isinstance(m, AIMessage)]
    calls = [call for message in answers for call in message.tool_calls]
    return {
        "kind": "run",
        "captured_at": _now(),
        **vars(summary),
        "trace_id": trace_id,
        "input": user_input,
        "answer": answers[-1].text if answers else "",
        "tool_calls": [
            _tool_call(call["name"], call["args"], results.get(call["id"] or ""))
            for call in calls
        ],
        "passages": [
            passage
            for message in results.values()
            for passage in passages_of(message.artifact)
        ],
    }


def passages_of(artifact: Any) -> list[Record]:
    """A tool artifact's passages: the dicts with a string `key` (retrieval tools
    return them; other tools' artifacts have none)."""
    if not isinstance(artifact, list):
        return []
    return [
        item
        for item in artifact
        if isinstance(item, dict) and isinstance(item.get("key"), str)
    ]


def _tool_call(name: str, args: Any, result: ToolMessage | None) -> Record:
    return {
        "name": name,
        "args": args,
        # None: the run ended before the tool answered (a pause for approval).
        "is_error": None if result is None else result.status == "error",
        "result": None if result is None else result.text[:MAX_RESULT_CHARS],
    }


def _now() -> str:
    return datetime.now(UTC).isoformat()
