"""Structured JSON logs, with the field names Cloud Logging reads."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so setup stays idempotent."""


def configure_logging(level: str) -> None:
    """Send log records to stdout as one JSON object a line (once per process)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        return
    handler = _JsonHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "severity", "name": "logger"},
            timestamp=True,
        )
    )
    root.addHandler(handler)
