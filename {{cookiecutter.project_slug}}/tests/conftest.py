"""Shared fixtures: an isolated environment, and the app on a scripted model."""

import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from {{ cookiecutter.package_name }}.observability.logs import json_handler
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from .fakes.scripted_model import ScriptedChatModel
from .fakes.tools import TEST_TOOLS


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see neither the developer's settings nor any Google credentials."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name in list(os.environ):
        if name.startswith(("GOOGLE_", "GCLOUD_", "CLOUDSDK_")):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Offline settings with a private data directory."""
    return Settings(_env_file=None, data_dir=tmp_path / "data")


@pytest.fixture
def model() -> ScriptedChatModel:
    """The model `client` answers with: script its turns with `model.then(...)`;
    unscripted, it echoes the last user message."""
    return ScriptedChatModel()


@pytest.fixture
def client(settings: Settings, model: ScriptedChatModel) -> Iterator[TestClient]:
    """The app, started (lifespan included), with the scripted model and the neutral
    test tools: nothing here depends on the example agent."""
    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span the process records (the tracer provider is set once)."""
    return _SPANS


@pytest.fixture(scope="session")
def metric_reader() -> InMemoryMetricReader:
    """Every metric the process records (the meter provider is set once)."""
    return _METRICS


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The JSON log lines written during the test, as the app writes them."""
    stream = io.StringIO()
    handler = json_handler(stream, project="test-project")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


# Set before any app: the app keeps the process's providers instead of its own.
_SPANS = InMemorySpanExporter()
_PROVIDER = TracerProvider()
_PROVIDER.add_span_processor(SimpleSpanProcessor(_SPANS))
trace.set_tracer_provider(_PROVIDER)
_METRICS = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[_METRICS]))
