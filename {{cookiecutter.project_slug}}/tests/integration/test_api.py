"""The native HTTP API end to end, with the local model."""

import json
import logging

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from .sse import read_events


def test_invoke_starts_a_thread_and_uses_a_tool(client: TestClient) -> None:
    response = client.post("/invoke", json={"message": "What is the weather in Paris?"})

    assert response.status_code == 200
    body = response.json()
    assert (
        body["reply"]
        == "Here is what I found: The weather in Paris is partly cloudy, 14°C."
    )
    assert [call["name"] for call in body["tool_calls"]] == ["get_weather"]
    assert body["thread_id"]
    assert body["run_id"]
    assert body["prompt_version"].startswith("system/v1@")
    assert body["model"] == "local"
    assert body["usage"]["total_tokens"] > 0


def test_the_new_thread_is_recorded_idle_after_the_run(client: TestClient) -> None:
    body = client.post("/invoke", json={"message": "Hi, my name is Ada."}).json()

    thread = client.get(f"/threads/{body['thread_id']}").json()

    assert thread["status"] == "idle"
    assert thread["metadata"] == {}
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]


def test_stream_sends_tokens_one_by_one_then_the_final_event(
    client: TestClient,
) -> None:
    events = read_events(client, "/stream", {"message": "What time is it in Tokyo?"})

    names = [event["event"] for event in events]
    assert names[0] == "metadata"
    assert names[1:3] == ["tool_call", "tool_result"]
    assert names[-1] == "final"
    tokens = [event["data"]["content"] for event in events if event["event"] == "token"]
    assert len(tokens) > 5
    final = events[-1]["data"]
    assert "".join(tokens) == final["reply"]
    assert final["run_id"] == events[0]["data"]["run_id"]
    assert events[1]["data"]["args"] == {"city": "Tokyo"}


def test_a_second_turn_remembers_the_first(client: TestClient) -> None:
    first = client.post("/invoke", json={"message": "Hello, my name is Ada"}).json()
    events = read_events(
        client,
        "/stream",
        {"message": "What is my name?", "thread_id": first["thread_id"]},
    )

    assert events[-1]["data"]["reply"] == "Your name is Ada."
    assert events[-1]["data"]["thread_id"] == first["thread_id"]


def test_threads_are_isolated(client: TestClient) -> None:
    ada = client.post("/invoke", json={"message": "My name is Ada"}).json()["thread_id"]
    other = client.post("/invoke", json={"message": "Hello"}).json()["thread_id"]

    reply = client.post(
        "/invoke", json={"message": "What is my name?", "thread_id": other}
    )

    assert reply.json()["reply"] == "You have not told me your name yet."
    contents = [m["content"] for m in client.get(f"/threads/{ada}").json()["messages"]]
    assert contents == ["My name is Ada", "Nice to meet you, Ada!"]


def test_history_lists_every_message_in_order(client: TestClient) -> None:
    thread_id = client.post("/invoke", json={"message": "Weather in Berlin?"}).json()[
        "thread_id"
    ]
    client.post("/invoke", json={"message": "Thanks!", "thread_id": thread_id})

    history = client.get(f"/threads/{thread_id}").json()

    assert history["thread_id"] == thread_id
    messages = history["messages"]
    assert [m["role"] for m in messages] == [
        "user", "assistant", "tool", "assistant", "user", "assistant",
    ]  # fmt: skip
    assert messages[1]["tool_calls"][0]["name"] == "get_weather"
    assert messages[2]["tool_call_id"] == messages[1]["tool_calls"][0]["id"]
    assert messages[4]["content"] == "Thanks!"


def test_feedback_is_stored_and_logged(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    run = client.post("/invoke", json={"message": "Hi"}).json()
    caplog.set_level(logging.INFO)

    response = client.post(
        "/feedback",
        json={
            "run_id": run["run_id"],
            "thread_id": run["thread_id"],
            "score": 0,
            "text": "meh",
        },
    )

    assert response.status_code == 201
    [line] = settings.feedback_path.read_text().splitlines()
    record = json.loads(line)
    assert record["feedback_id"] == response.json()["feedback_id"]
    assert (record["run_id"], record["score"], record["text"]) == (
        run["run_id"],
        0,
        "meh",
    )
    [logged] = [r for r in caplog.records if r.getMessage() == "feedback received"]
    assert logged.feedback["run_id"] == run["run_id"]  # type: ignore[attr-defined]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_a_run_past_the_step_limit_fails_cleanly(settings: Settings) -> None:
    # One tool call takes three steps (model, tools, model); two are not enough.
    tight = settings.model_copy(update={"max_agent_steps": 2})
    with TestClient(create_app(tight)) as client:
        response = client.post("/invoke", json={"message": "Weather in Paris?"})
        events = read_events(client, "/stream", {"message": "Weather in Paris?"})
        thread_id = response.json()["error"]["thread_id"]
        after = client.post(
            "/invoke", json={"message": "Hello", "thread_id": thread_id}
        )

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "agent_step_limit"
    assert response.json()["error"]["run_id"]
    assert events[-1] == {
        "event": "error",
        "data": {
            "code": "agent_step_limit",
            "message": "the agent did not finish within 2 steps (MAX_AGENT_STEPS)",
            "thread_id": events[0]["data"]["thread_id"],
            "run_id": events[0]["data"]["run_id"],
        },
    }
    assert after.status_code == 200


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/invoke",
        headers={
            "origin": "http://localhost:3000",
            "access-control-request-method": "POST",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origins(settings: Settings) -> None:
    opened = settings.model_copy(
        update={"cors_allow_origins": ["http://localhost:3000"]}
    )
    with TestClient(create_app(opened)) as client:
        allowed = client.options(
            "/threads/search",
            headers={
                "origin": "http://localhost:3000",
                "access-control-request-method": "POST",
            },
        )
        other = client.get("/healthz", headers={"origin": "http://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "access-control-allow-origin" not in other.headers
