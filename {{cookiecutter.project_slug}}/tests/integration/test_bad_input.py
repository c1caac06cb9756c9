"""Every client mistake gets a 4xx with a JSON error that says what is wrong."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings


@pytest.fixture
def small_client(settings: Settings) -> Any:
    limited = settings.model_copy(update={"max_message_chars": 20})
    with TestClient(create_app(limited)) as client:
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
