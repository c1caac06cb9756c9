"""Every client mistake gets a 4xx with a JSON error that says what is wrong."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS


@pytest.fixture
def small_client(settings: Settings) -> Any:
    """Messages of at most 20 characters; the model is never reached."""
    limited = settings.model_copy(update={"max_message_chars": 20})
    app = create_app(limited, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/invoke", "/stream"])
@pytest.mark.parametrize(
    ("body", "status", "code", "says"),
    [
        ({"message": ""}, 422, "invalid_message", "must not be empty"),
        ({"message": "   \n"}, 422, "invalid_message", "must not be empty"),
        ({"message": "x" * 21}, 422, "invalid_message", "limit is 20"),
        ({}, 422, "invalid_request", "message: Field required"),
        (
            {"message": 42},
            422,
            "invalid_request",
            "message: Input should be a valid string",
        ),
        ({"message": "hi", "thread_id": "a b"}, 422, "invalid_request", "thread_id"),
        (
            {"message": "hi", "thread_id": "missing"},
            404,
            "thread_not_found",
            "'missing'",
        ),
        ([], 422, "invalid_request", "body"),
    ],
)
def test_bad_run_requests(
    small_client: TestClient,
    path: str,
    body: Any,
    status: int,
    code: str,
    says: str,
) -> None:
    response = small_client.post(path, json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert says in error["message"]


@pytest.mark.parametrize("path", ["/invoke", "/stream", "/feedback"])
def test_malformed_json(client: TestClient, path: str) -> None:
    response = client.post(
        path, content=b'{"message": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_unknown_thread_history(client: TestClient) -> None:
    response = client.get("/threads/nobody-here")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "thread_not_found",
        "message": "thread 'nobody-here' does not exist",
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"run_id": "no-such-run", "score": 1}, 404, "run_not_found"),
        ({"run_id": "r", "score": 2}, 422, "invalid_request"),
        ({"run_id": "r", "score": "great"}, 422, "invalid_request"),
        ({"score": 1}, 422, "invalid_request"),
        ({"run_id": "r", "score": 1, "text": "x" * 4001}, 422, "invalid_request"),
    ],
)
def test_bad_feedback(client: TestClient, body: Any, status: int, code: str) -> None:
    response = client.post("/feedback", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_feedback_for_a_run_of_another_thread(client: TestClient) -> None:
    run = client.post("/invoke", json={"message": "Hi"}).json()
    other = client.post("/invoke", json={"message": "Hi"}).json()["thread_id"]
    response = client.post(
        "/feedback", json={"run_id": run["run_id"], "thread_id": other, "score": 1}
    )
    assert response.status_code == 404


def test_unknown_route_and_method(client: TestClient) -> None:
    assert client.get("/nope").json()["error"]["code"] == "not_found"
    response = client.delete("/invoke")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.request("TRACE", "/invoke")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def post_raw(client: TestClient, path: str, body: str) -> Any:
    """Raw JSON: numbers and escapes that `json=` would not produce."""
    return client.post(
        path, content=body.encode(), headers={"content-type": "application/json"}
    )


def nested(depth: int) -> list[Any]:
    """`[[[...]]]`, `depth` lists deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/threads", '{"metadata": {"n": 1e999}}', "not finite at n"),
        ("/threads", '{"metadata": {"n": NaN}}', "not finite at n"),
        ("/threads", '{"metadata": {"n": 18446744073709551616}}', "64 bits at n"),
        ("/threads", '{"metadata": {"s": ["\\ud800"]}}', "unpaired surrogate at s.0"),
        (
            "/threads",
            json.dumps({"metadata": {"d": nested(40)}}),
            "nested deeper than 32 levels",
        ),
        ("/threads/search", '{"metadata": {"n": 1e999}}', "not finite"),
        ("/runs/wait", '{"assistant_id": "agent", "metadata": {"n": 1e999}}', "n"),
        (
            "/runs/wait",
            '{"assistant_id": "agent", "input": {"x": 18446744073709551616}}',
            "input: Value error, an integer past 64 bits at x",
        ),
        (
            "/runs/wait",
            '{"assistant_id": "agent", "input": {"messages": [42]}}',
            "messages.0 is not a chat message",
        ),
        (
            "/runs/stream",
            '{"assistant_id": "agent", "input": {"messages": '
            '[{"role": "user", "content": "hi"}, {"role": "alien", "content": "x"}]}}',
            "messages.1 is not a chat message",
        ),
        (
            "/runs/wait",
            '{"assistant_id": "agent", '
            '"input": {"messages": [{"type": "tool", "content": "done"}]}}',
            "tool_call_id",
        ),
        ("/invoke", '{"message": "hi \\udc00"}', "message: Value error, an unpaired"),
    ],
)
def test_json_the_stores_cannot_keep(
    client: TestClient, path: str, body: str, says: str
) -> None:
    response = post_raw(client, path, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert says in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"checkpoint": {"checkpoint_id": 12345678901234567890123}},
        {"checkpoint": {"checkpoint_id": ["a"]}},
    ],
)
def test_a_checkpoint_id_must_be_a_string(client: TestClient, body: Any) -> None:
    thread_id = client.post("/threads", json={}).json()["thread_id"]
    response = client.post(f"/threads/{thread_id}/state/checkpoint", json=body)
    assert response.status_code == 422
    assert "checkpoint.checkpoint_id" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "messages",
    [
        "x" * 21,  # one message, as a string
        [["user", "x" * 21]],  # a (role, content) pair
        [{"role": "user", "content": [{"type": "text", "text": "x" * 21}]}],
    ],
)
def test_every_message_shape_meets_the_message_limit(
    small_client: TestClient, messages: Any
) -> None:
    threads_before = small_client.post("/threads/search", json={}).json()
    response = small_client.post(
        "/runs/wait", json={"assistant_id": "agent", "input": {"messages": messages}}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_message"
    # Refused before its thread was made: none is left behind.
    assert small_client.post("/threads/search", json={}).json() == threads_before
