"""Acceptance: a real server exporting over OTLP/HTTP to a local receiver sends one
trace per streamed run, with the GenAI spans, lineage, and no message text."""

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from {{ cookiecutter.package_name }}.settings import AGENT_NAME

from . import live_server as serving
from .otlp_receiver import Received, ReceivedSpan, otlp_receiver

# The server process runs the scripted app: its model calls `lookup` for
# `lookup:<key>` and answers a tool result with `Found: <result>`.
QUESTION = "Please lookup:beta for me, codeword heliotrope."
# Words of the question, the tool's answer (`beta = 2`) and the reply: none may
# be exported.
PRIVATE_WORDS = ("heliotrope", "beta")


def wait_for(received: Received, ready: Callable[[Received], bool]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with received.lock:
            if ready(received):
                return
        time.sleep(0.1)
    raise AssertionError(f"not received within 20 s: {received.spans}")


def stream_one_run(url: str) -> dict[str, object]:
    """POST /stream and return the final event's data."""
    final: dict[str, object] = {}
    with httpx.stream(
        "POST", f"{url}/stream", json={"message": QUESTION}, timeout=30
    ) as response:
        assert response.status_code == 200
        event = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event == "final":
                final = json.loads(line.removeprefix("data:"))
    assert final, "no final event"
    assert final["reply"] == "Found: beta = 2"
    return final


def named(spans: list[ReceivedSpan], prefix: str) -> list[ReceivedSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


def test_a_streamed_run_reaches_an_otlp_receiver_as_one_trace(tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    with otlp_receiver() as (endpoint, received):
        settings = {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_METRICS_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_METRIC_EXPORT_INTERVAL": "200",
        }
        with serving.live_server(tmp_path / "data", settings, log_path=log_path) as url:
            final = stream_one_run(url)
            wait_for(
                received,
                lambda r: (
                    bool(named(r.spans, "invoke_agent"))
                    and "gen_ai.client.token.usage" in r.metric_names
                    and "app.run.token.usage" in r.metric_names
                ),
            )

    spans = received.spans
    [server] = [s for s in spans if s.name == "POST /stream"]
    [agent] = named(spans, "invoke_agent")
    chats = named(spans, "chat ")
    [tool] = named(spans, "execute_tool")
    assert {s.trace_id for s in (agent, tool, *chats)} == {server.trace_id}
    assert agent.attributes["gen_ai.conversation.id"] == final["thread_id"]
    assert agent.attributes["gen_ai.agent.name"] == AGENT_NAME
    assert agent.attributes["app.run.id"] == final["run_id"]
    assert agent.attributes["app.prompt.version"] == final["prompt_version"]
    assert len(chats) >= 2
    for chat in chats:
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.usage.input_tokens"] > 0
        assert chat.attributes["gen_ai.usage.output_tokens"] > 0
    assert tool.attributes["gen_ai.tool.name"] == "lookup"

    # Capture is off by default: no message text in any span or log line.
    for span in spans:
        exported = str([span.attributes, span.event_attributes])
        for word in PRIVATE_WORDS:
            assert word not in exported, (span.name, exported)
    log = log_path.read_text()
    assert '"message": "run finished"' in log
    for word in PRIVATE_WORDS:
        assert word not in log


def test_message_content_is_exported_when_opted_in(tmp_path: Path) -> None:
    with otlp_receiver() as (endpoint, received):
        settings = {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY",
        }
        with serving.live_server(tmp_path / "data", settings) as url:
            stream_one_run(url)
            wait_for(received, lambda r: bool(named(r.spans, "invoke_agent")))

    chats = named(received.spans, "chat ")
    assert any("heliotrope" in str(chat.attributes) for chat in chats)
