"""Structured JSON logs, with the field names Cloud Logging reads.

Each line carries `severity` and `message`, and, inside a traced request, the
trace and span ids under the `logging.googleapis.com/...` keys, so Cloud Logging
shows a request's log lines with its trace (and the trace with its lines).
"""

import logging
import sys
from typing import IO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

TRACE_FIELD = "logging.googleapis.com/trace"
SPAN_FIELD = "logging.googleapis.com/spanId"
SAMPLED_FIELD = "logging.googleapis.com/trace_sampled"


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so setup stays idempotent."""


class TraceContextFilter(logging.Filter):
    """Adds the current span's trace to each record, as Cloud Logging links it."""

    def __init__(self, project: str | None) -> None:
        super().__init__()
        self.project = project

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            trace_id = trace.format_trace_id(context.trace_id)
            # Cloud Logging links `projects/<project>/traces/<id>`; locally the id.
            if self.project:
                trace_id = f"projects/{self.project}/traces/{trace_id}"
            setattr(record, TRACE_FIELD, trace_id)
            setattr(record, SPAN_FIELD, trace.format_span_id(context.span_id))
            setattr(record, SAMPLED_FIELD, context.trace_flags.sampled)
        return True


def json_handler(stream: IO[str], project: str | None = None) -> logging.Handler:
    """A handler writing records to `stream` as one JSON object a line.

    `project` is the Google Cloud project whose Cloud Trace holds the traces.
    """
    handler = _JsonHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "severity", "name": "logger"},
            timestamp=True,
        )
    )
    handler.addFilter(TraceContextFilter(project))
    return handler


# Libraries whose DEBUG lines copy what they store or send into the log: aiosqlite
# and LangGraph's SQLite store print each statement with its parameters (the
# checkpoints: whole conversations), sse_starlette every event it streams (the
# reply, token by token), psycopg and its pool the database's host and user,
# google-genai and httpcore the model requests. They stay at WARNING whatever
# LOG_LEVEL says: DEBUG is for this app's own lines, and turning it on to chase a
# bug must not put users' messages in the logs (LOG_USER_INPUTS decides that).
QUIET_LOGGERS = (
    "aiosqlite",
    "langgraph",
    "psycopg",
    "psycopg_pool",
    "sse_starlette",
    "google_genai",
    "httpcore",
)


def configure_logging(level: str, project: str | None = None) -> None:
    """Send log records to stdout as JSON lines (the first call sets it up)."""
    root = logging.getLogger()
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        root.addHandler(json_handler(sys.stdout, project))
