"""The native HTTP API end to end, on a scripted model and the neutral test tool."""

import json
import logging

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import ToolMessage

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS
from .sse import read_events


def test_invoke_starts_a_thread_and_uses_a_tool(
    client: TestClient, model: ScriptedChatModel
) -> None:
    model.then(calls(("lookup", {"key": "alpha"})), "The value of alpha is 1.")

    response = client.post("/invoke", json={"message": "What is alpha?"})

    assert response.status_code == 200
    body = response.json()
    assert body["reply"] == "The value of alpha is 1."
    assert [call["name"] for call in body["tool_calls"]] == ["lookup"]
    assert body["thread_id"]
    assert body["run_id"]
    assert body["prompt_version"].startswith("system/v1@")
    assert body["model"] == model.model_name
    assert body["usage"]["total_tokens"] > 0
    # The tool ran, and the model read its answer before replying (a retrieval
    # agent's wiring adds its search tool to the tools offered).
    assert "lookup" in model.tool_names
    result = model.seen[-1][-1]
    assert isinstance(result, ToolMessage)
    assert result.text == "alpha = 1"


def test_the_new_thread_is_recorded_idle_after_the_run(client: TestClient) -> None:
    # Unscripted, the model echoes: one question, one answer.
    body = client.post("/invoke", json={"message": "Hello there."}).json()

    thread = client.get(f"/threads/{body['thread_id']}").json()

    assert thread["status"] == "idle"
    assert thread["metadata"] == {}
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]


def test_stream_sends_tokens_one_by_one_then_the_final_event(
    client: TestClient, model: ScriptedChatModel
) -> None:
    # The scripted model streams word by word: a reply of many words, many tokens.
    model.then(
        calls(("lookup", {"key": "beta"})),
        "The value stored under beta is 2, as the lookup said.",
    )

    events = read_events(client, "/stream", {"message": "What is beta?"})

    names = [event["event"] for event in events]
    assert names[0] == "metadata"
    assert names[1:3] == ["tool_call", "tool_result"]
    assert names[-1] == "final"
    tokens = [event["data"]["content"] for event in events if event["event"] == "token"]
    assert len(tokens) > 5
    final = events[-1]["data"]
    assert "".join(tokens) == final["reply"]
    assert final["reply"] == "The value stored under beta is 2, as the lookup said."
    assert final["run_id"] == events[0]["data"]["run_id"]
    assert events[1]["data"]["args"] == {"key": "beta"}
    assert events[2]["data"]["content"] == "beta = 2"


def test_a_second_turn_remembers_the_first(
    client: TestClient, model: ScriptedChatModel
) -> None:
    model.then("Noted: cobalt.", "The word was cobalt.")
    first = client.post("/invoke", json={"message": "Remember the word cobalt"}).json()
    events = read_events(
        client,
        "/stream",
        {"message": "Which word?", "thread_id": first["thread_id"]},
    )

    assert events[-1]["data"]["reply"] == "The word was cobalt."
    assert events[-1]["data"]["thread_id"] == first["thread_id"]
    # The second call saw the first turn (after the system prompt).
    assert [m.text for m in model.seen[-1][1:]] == [
        "Remember the word cobalt", "Noted: cobalt.", "Which word?",
    ]  # fmt: skip


def test_threads_are_isolated(client: TestClient, model: ScriptedChatModel) -> None:
    # Unscripted, the model echoes each question: a crossed thread would show.
    first = client.post("/invoke", json={"message": "The word is cobalt"}).json()
    other = client.post("/invoke", json={"message": "Hello"}).json()["thread_id"]

    reply = client.post("/invoke", json={"message": "Which word?", "thread_id": other})

    assert reply.json()["reply"] == "You said: Which word?"
    assert [m.text for m in model.seen[-1][1:]] == [
        "Hello", "You said: Hello", "Which word?",
    ]  # fmt: skip
    thread = client.get(f"/threads/{first['thread_id']}").json()
    contents = [m["content"] for m in thread["messages"]]
    assert contents == ["The word is cobalt", "You said: The word is cobalt"]


def test_history_lists_every_message_in_order(
    client: TestClient, model: ScriptedChatModel
) -> None:
    model.then(calls(("lookup", {"key": "alpha"})), "alpha is 1.")
    thread_id = client.post("/invoke", json={"message": "What is alpha?"}).json()[
        "thread_id"
    ]
    client.post("/invoke", json={"message": "Thanks!", "thread_id": thread_id})

    history = client.get(f"/threads/{thread_id}").json()

    assert history["thread_id"] == thread_id
    messages = history["messages"]
    assert [m["role"] for m in messages] == [
        "user", "assistant", "tool", "assistant", "user", "assistant",
    ]  # fmt: skip
    assert messages[1]["tool_calls"][0]["name"] == "lookup"
    assert messages[2]["tool_call_id"] == messages[1]["tool_calls"][0]["id"]
    assert messages[2]["content"] == "alpha = 1"
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
    # A turn with a tool call takes four steps (guard, model, tools, model); two
    # are not enough, for a turn without (guard, model) they are.
    # Both runs call the tool; the third turn, unscripted, echoes.
    model = ScriptedChatModel(
        turns=[calls(("lookup", {"key": "alpha"})), calls(("lookup", {"key": "beta"}))]
    )
    tight = settings.model_copy(update={"max_agent_steps": 2})
    with TestClient(create_app(tight, model=model, tools=TEST_TOOLS)) as client:
        response = client.post("/invoke", json={"message": "What is alpha?"})
        events = read_events(client, "/stream", {"message": "What is beta?"})
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
    assert after.json()["reply"] == "You said: Hello"


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
    app = create_app(opened, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
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
