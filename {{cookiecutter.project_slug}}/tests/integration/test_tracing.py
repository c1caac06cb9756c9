"""Traces follow the GenAI semantic conventions, with lineage, and no content."""

import os
import subprocess
import sys
import time
from collections.abc import Sequence

from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ..fakes.scripted_model import ScriptedChatModel, calls
from .sse import read_events

# Private words of the question, the tool's answer (`beta = 2`) and the reply: no
# span may record them unless content capture is turned on.
QUESTION = "What is beta? My codeword is heliotrope."
PRIVATE_WORDS = ("heliotrope", "beta", "marigold")


def look_up_then_answer(model: ScriptedChatModel) -> None:
    """Script a run of two model calls around one tool call."""
    model.then(calls(("lookup", {"key": "beta"})), "Stored under it: marigold.")


def finished_spans(spans: InMemorySpanExporter) -> Sequence[ReadableSpan]:
    """The spans, once the agent's span has ended: it may end just after the reply
    reached the client."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        recorded = spans.get_finished_spans()
        if any(span.name.startswith("invoke_agent") for span in recorded):
            return recorded
        time.sleep(0.05)
    raise AssertionError("no invoke_agent span within 10 s")


def test_a_streamed_run_is_one_trace(
    client: TestClient, model: ScriptedChatModel, spans: InMemorySpanExporter
) -> None:
    look_up_then_answer(model)
    spans.clear()
    events = read_events(client, "/stream", {"message": QUESTION})
    final = events[-1]["data"]

    recorded = finished_spans(spans)
    agent = next(s for s in recorded if s.name.startswith("invoke_agent"))
    chats = [s for s in recorded if s.name == f"chat {model.model_name}"]
    [tool] = [s for s in recorded if s.name == "execute_tool lookup"]
    server = next(s for s in recorded if s.name == "POST /stream")

    assert {s.context.trace_id for s in (agent, tool, *chats)} == {
        server.context.trace_id
    }
    assert agent.attributes["gen_ai.conversation.id"] == final["thread_id"]
    assert agent.attributes["app.run.id"] == final["run_id"]
    assert agent.attributes["app.prompt.version"] == final["prompt_version"]
    assert len(chats) == 2
    for chat in chats:
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.request.model"] == model.model_name
        assert chat.attributes["gen_ai.usage.input_tokens"] > 0
        assert chat.attributes["gen_ai.usage.output_tokens"] > 0
        assert chat.attributes["app.prompt.version"] == final["prompt_version"]
    assert tool.attributes["gen_ai.tool.name"] == "lookup"


def test_message_content_is_not_recorded_by_default(
    client: TestClient, model: ScriptedChatModel, spans: InMemorySpanExporter
) -> None:
    look_up_then_answer(model)
    spans.clear()
    client.post("/invoke", json={"message": QUESTION})

    recorded = finished_spans(spans)
    assert any(span.name == "execute_tool lookup" for span in recorded)
    for span in recorded:
        for value in (span.attributes or {}).values():
            for word in PRIVATE_WORDS:
                assert word not in str(value), (span.name, value)


def test_nothing_is_instrumented_when_nothing_exports() -> None:
    """Spans no one receives are not built (they cost CPU on every request): no
    instrumentation, and OpenTelemetry's no-op providers, which also keep
    FastAPI's own request telemetry off."""
    probe = (
        "from opentelemetry import metrics, trace\n"
        "from {{ cookiecutter.package_name }}.observability import telemetry\n"
        "from {{ cookiecutter.package_name }}.server.app import create_app\n"
        "create_app()\n"
        "print(telemetry._instrumented, type(trace.get_tracer_provider()).__name__,"
        " type(metrics.get_meter_provider()).__name__)\n"
    )
    answers = {}
    for exporter in ("none", "console"):
        environment = {**os.environ, "OTEL_TRACES_EXPORTER": exporter}
        environment.pop("OTEL_METRICS_EXPORTER", None)
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        answers[exporter] = " ".join(result.stdout.split()[-3:])
    assert answers == {
        "none": "False ProxyTracerProvider _ProxyMeterProvider",
        "console": "True TracerProvider _ProxyMeterProvider",
    }
