"""Every run reports what it consumed: in the final event, one log line, metrics;
feedback points back to the run's prompt version, model and trace."""

import logging
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from {{ cookiecutter.package_name }}.observability.logs import (
    TRACE_FIELD,
    configure_logging,
)
from {{ cookiecutter.package_name }}.server.app import create_app

from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS
from .sse import read_events
from .test_tracing import finished_spans

# A private word in the question: it must reach no log line.
QUESTION = "What is stored under alpha? My codeword is heliotrope."
LogLines = Callable[[], list[dict[str, Any]]]


def run_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["message"] == "run finished"]


def recorded_metrics(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    """Data points by metric name."""
    points: dict[str, list[Any]] = {}
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)
    return points


def look_up_then_answer(model: ScriptedChatModel) -> None:
    """Script a run of two model calls: one calls the tool, one answers."""
    model.then(calls(("lookup", {"key": "alpha"})), "The value of alpha is 1.")


def test_the_final_event_reports_the_runs_figures(
    client: TestClient, model: ScriptedChatModel
) -> None:
    look_up_then_answer(model)
    final = read_events(client, "/stream", {"message": QUESTION})[-1]

    assert final["event"] == "final"
    data = final["data"]
    assert data["model_calls"] == 2  # the tool call, then the answer
    assert data["usage"]["total_tokens"] == (
        data["usage"]["input_tokens"] + data["usage"]["output_tokens"]
    )
    assert data["usage"]["output_tokens"] > 0
    assert 0 < data["time_to_first_token_ms"] <= data["latency_ms"]
    # MODEL_PROVIDER=local is priced at zero.
    assert data["cost_usd"] == 0.0


def test_one_log_line_per_run_with_its_trace_and_no_message_text(
    client: TestClient,
    model: ScriptedChatModel,
    log_lines: LogLines,
    spans: InMemorySpanExporter,
) -> None:
    look_up_then_answer(model)
    spans.clear()
    reply = client.post("/invoke", json={"message": QUESTION}).json()

    [line] = run_lines(log_lines())
    assert line["severity"] == "INFO"
    assert line["logger"] == "{{ cookiecutter.package_name }}.metering"
    run = line["run"]
    assert run["thread_id"] == reply["thread_id"]
    assert run["run_id"] == reply["run_id"]
    assert run["status"] == "completed"
    assert run["prompt_version"] == reply["prompt_version"]
    assert run["model"] == model.model_name
    assert run["total_tokens"] == reply["usage"]["total_tokens"]
    assert run["latency_ms"] == reply["latency_ms"]
    # /invoke streams no tokens to its client, but its model streams: timed.
    assert 0 < reply["time_to_first_token_ms"] <= reply["latency_ms"]
    assert run["time_to_first_token_ms"] == reply["time_to_first_token_ms"]
    assert "input" not in run
    server = next(s for s in finished_spans(spans) if s.name == "POST /invoke")
    trace_id = f"{server.context.trace_id:032x}"
    assert line[TRACE_FIELD] == f"projects/test-project/traces/{trace_id}"
    for logged in log_lines():
        assert "heliotrope" not in str(logged), logged


def test_debug_logging_writes_no_message_text(
    settings: Any, log_lines: LogLines
) -> None:
    level = logging.getLogger().level
    settings = settings.model_copy(update={"log_level": "DEBUG"})
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    try:
        with TestClient(app) as client:
            thread_id = client.post("/invoke", json={"message": QUESTION}).json()[
                "thread_id"
            ]
            ask = {"messages": [{"role": "user", "content": QUESTION}]}
            body = {
                "assistant_id": "agent",
                "input": ask,
                "stream_mode": "messages-tuple",
            }
            events = read_events(client, "/runs/stream", body)
            client.post("/stream", json={"message": QUESTION, "thread_id": thread_id})
    finally:  # the level is the process's: back to the other tests' own
        configure_logging(logging.getLevelName(level))

    lines = log_lines()
    assert any(line["severity"] == "DEBUG" for line in lines)  # DEBUG was on
    assert events[-1]["event"] == "end"
    for logged in lines:
        assert "heliotrope" not in str(logged), logged


def test_log_user_inputs_puts_the_message_in_the_run_line(
    settings: Any, log_lines: LogLines
) -> None:
    settings = settings.model_copy(update={"log_user_inputs": True})
    # Unscripted, the model echoes the question.
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        client.post("/invoke", json={"message": QUESTION})
    [line] = run_lines(log_lines())
    assert line["run"]["input"] == QUESTION


def test_protocol_runs_are_metered_too(
    client: TestClient, model: ScriptedChatModel, log_lines: LogLines
) -> None:
    look_up_then_answer(model)
    thread = client.post("/threads", json={}).json()
    body = {
        "assistant_id": "agent",
        "input": {"messages": [{"role": "user", "content": QUESTION}]},
    }
    response = client.post(f"/threads/{thread['thread_id']}/runs/wait", json=body)
    assert response.status_code == 200, response.text

    [line] = run_lines(log_lines())
    assert line["run"]["thread_id"] == thread["thread_id"]
    assert line["run"]["model_calls"] == 2


def test_a_failed_run_is_logged_as_failed(
    client: TestClient, model: ScriptedChatModel, log_lines: LogLines
) -> None:
    look_up_then_answer(model)
    thread = client.post("/threads", json={}).json()
    # A tool call and an answer need more steps than this: the run fails.
    client.app.state.runner.max_steps = 2  # type: ignore[attr-defined]
    response = client.post(
        "/invoke", json={"message": QUESTION, "thread_id": thread["thread_id"]}
    )
    assert response.status_code >= 400

    [line] = run_lines(log_lines())
    assert line["run"]["status"] == "failed"
    assert line["run"]["error"] == "agent_step_limit"
    assert line["severity"] == "WARNING"


def test_run_and_model_call_metrics_are_recorded(
    client: TestClient, model: ScriptedChatModel, metric_reader: InMemoryMetricReader
) -> None:
    look_up_then_answer(model)
    client.post("/invoke", json={"message": QUESTION})

    points = recorded_metrics(metric_reader)
    # Per model call, from the GenAI instrumentation.
    for name in (
        "gen_ai.client.token.usage",
        "gen_ai.client.operation.duration",
        "gen_ai.client.operation.time_to_first_chunk",
    ):
        assert points.get(name), name
    token_types = {
        p.attributes["gen_ai.token.type"] for p in points["app.run.token.usage"]
    }
    assert token_types == {"input", "output"}
    # Per run, from metering.
    for name in ("app.run.duration", "app.run.time_to_first_token", "app.run.cost"):
        # Other tests record runs too: look for this one's kind.
        completed = [
            point
            for point in points[name]
            if point.attributes["app.run.status"] == "completed"
            and point.attributes["app.model"] == model.model_name
        ]
        assert completed, name
        assert completed[0].count >= 1


def test_feedback_carries_the_runs_lineage_and_trace(
    client: TestClient, model: ScriptedChatModel, spans: InMemorySpanExporter
) -> None:
    look_up_then_answer(model)
    spans.clear()
    reply = client.post("/invoke", json={"message": QUESTION}).json()
    server = next(s for s in finished_spans(spans) if s.name == "POST /invoke")

    # No thread id given: the run's own thread is found.
    response = client.post("/feedback", json={"run_id": reply["run_id"], "score": 0})

    assert response.status_code == 201, response.text
    record = response.json()
    assert record["thread_id"] == reply["thread_id"]
    assert record["trace_id"] == f"{server.context.trace_id:032x}"
    assert record["prompt_version"] == reply["prompt_version"]
    assert record["model"] == model.model_name
    stored = client.app.state.feedback.read_all()  # type: ignore[attr-defined]
    assert stored[-1]["trace_id"] == record["trace_id"]
