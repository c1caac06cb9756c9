"""User feedback on runs: appended to a local JSONL file and logged as structured JSON.

The log line is what reaches Cloud Logging (and BigQuery through a log sink) in the
cloud, where the container's file system does not outlive the instance.
"""

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .capture import RunCapture

# The logger's name is a contract: log-based metrics and the log sink filter on it.
logger = logging.getLogger("{{ cookiecutter.package_name }}.feedback")


class FeedbackStore:
    """Appends feedback records, one JSON object a line."""

    def __init__(self, path: Path, capture: RunCapture | None = None) -> None:
        self.path = path
        # Feedback is kept beside the runs it rates, when runs are (CAPTURE_RUNS).
        self.capture = capture
        self._lock = asyncio.Lock()

    async def add(
        self,
        *,
        run_id: str,
        score: float,
        text: str | None = None,
        lineage: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Store one record and log it; return the record.

        `lineage` is what produced the run (thread id, prompt version, model, trace
        id), so a thumbs-down leads to the exact prompt and trace.
        """
        lineage = lineage or {}
        record = {
            "feedback_id": str(uuid.uuid4()),
            "run_id": run_id,
            "thread_id": lineage.get("thread_id"),
            "trace_id": lineage.get("trace_id"),
            "prompt_version": lineage.get("prompt_version"),
            "model": lineage.get("model"),
            "score": score,
            "text": text,
            "created_at": datetime.now(UTC).isoformat(),
        }
        async with self._lock:
            await asyncio.to_thread(
                self._append, json.dumps(record, ensure_ascii=False)
            )
        logger.info("feedback received", extra={"feedback": record})
        if self.capture is not None:
            self.capture.add_feedback(record)
        return record

    def read_all(self) -> list[dict[str, Any]]:
        """Every stored record, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
