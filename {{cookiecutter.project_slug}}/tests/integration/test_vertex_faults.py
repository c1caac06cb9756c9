"""The Gemini client meets the faults of the real service, from the Vertex fake:
429 and 503 are retried by the agent (once each call: the client itself does not
retry), 400 is not, and a tool call left without an answer is closed before the
next request, which Gemini would otherwise refuse."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.agent.faults import UNANSWERED
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.tools import TEST_TOOLS, fail_hard
from .vertex_fake import VertexFake

pytestmark = pytest.mark.vertex


@pytest.fixture
def client(vertex_settings: Settings) -> Iterator[TestClient]:
    retrying = vertex_settings.model_copy(
        update={"model_max_retries": 2, "model_retry_backoff_seconds": 0.0}
    )
    app = create_app(retrying, tools=[*TEST_TOOLS, fail_hard])
    with TestClient(app) as test_client:
        yield test_client


def test_429_and_503_are_retried(client: TestClient, vertex_fake: VertexFake) -> None:
    vertex_fake.reply_error(429, "Resource exhausted.")
    vertex_fake.reply_error(503, "The service is currently unavailable.")
    vertex_fake.reply_text("Hello again.")

    response = client.post("/invoke", json={"message": "Hello"})

    assert response.status_code == 200, response.text
    assert response.json()["reply"] == "Hello again."
    assert len(vertex_fake.requests) == 3


def test_400_is_not_retried(client: TestClient, vertex_fake: VertexFake) -> None:
    vertex_fake.reply_error(400, "Invalid argument.")

    response = client.post("/invoke", json={"message": "Hello"})

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "model_error"
    assert len(vertex_fake.requests) == 1


def test_an_unavailable_model_fails_after_the_retries(
    client: TestClient, vertex_fake: VertexFake
) -> None:
    for _ in range(3):
        vertex_fake.reply_error(503, "The service is currently unavailable.")

    response = client.post("/invoke", json={"message": "Hello"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "model_unavailable"
    assert len(vertex_fake.requests) == 3


def test_a_dangling_tool_call_is_answered_before_the_next_request(
    client: TestClient, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_function_call("fail_hard", {"reason": "the service is down"})
    failed = client.post("/invoke", json={"message": "Use the broken tool"})
    thread_id = failed.json()["error"]["thread_id"]
    vertex_fake.reply_text("Hello again.")

    after = client.post("/invoke", json={"message": "Hello", "thread_id": thread_id})

    assert failed.status_code == 502
    assert after.status_code == 200, after.text
    second = vertex_fake.requests[-1]
    [response] = second.function_responses()
    assert response["name"] == "fail_hard"
    assert UNANSWERED in str(response["response"])
