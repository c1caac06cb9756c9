"""Model and tool faults: bounded retries with backoff on retryable errors, none on
a rejected request, a deadline per call, a clear error for the client, and a
thread that still works afterwards. A scripted model is made to fail here; the
Gemini client meets the same faults from the Vertex fake in test_vertex_faults.py."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.exceptions import (
    ModelAPIError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_app import directed
from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS, fail_hard
from .sse import read_events

# The model calls `lookup("alpha")`, then answers with its result.
LOOKUP = "lookup:alpha"
FOUND = "Found: alpha = 1"


class FaultyModel(ScriptedChatModel):
    """The scripted model, failing its first calls as told: an exception is
    raised, a number of seconds is a call that hangs that long. Then it follows
    `directed`: `lookup:<key>` calls the lookup tool, a result is reported."""

    fallback: Callable[[list[BaseMessage]], Any] = directed
    faults: list[Any] = Field(default_factory=list)
    attempts: int = 0

    async def _fail_first(self) -> None:
        self.attempts += 1
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            await asyncio.sleep(fault)

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        raise AssertionError("the agent streams its model calls")

    async def _astream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        await self._fail_first()
        async for chunk in super()._astream(messages, *args, **kwargs):
            yield chunk


@pytest.fixture
def model() -> FaultyModel:
    return FaultyModel()


@pytest.fixture
def client(settings: Settings, model: FaultyModel) -> Iterator[TestClient]:
    quick = settings.model_copy(
        update={
            "model_retry_backoff_seconds": 0.0,
            "model_max_retries": 2,
            "model_timeout_seconds": 0.5,
        }
    )
    app = create_app(quick, model=model, tools=[*TEST_TOOLS, fail_hard])
    with TestClient(app) as test_client:
        yield test_client


def test_retryable_failures_are_retried_and_the_run_succeeds(
    client: TestClient, model: FaultyModel
) -> None:
    model.faults = [ModelAPIError("503 unavailable"), ModelRateLimitError("429")]

    response = client.post("/invoke", json={"message": LOOKUP})

    assert response.status_code == 200, response.text
    assert response.json()["reply"] == FOUND
    assert model.attempts == 4  # two failures, then the tool call and the answer


def test_a_rejected_request_is_not_retried(
    client: TestClient, model: FaultyModel
) -> None:
    model.faults = [ModelInvalidRequestError("400 bad request")]

    response = client.post("/invoke", json={"message": LOOKUP})

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "model_error"
    assert "ModelInvalidRequestError" in error["message"]
    assert model.attempts == 1


def test_retries_are_bounded(client: TestClient, model: FaultyModel) -> None:
    model.faults = [ModelAPIError("503")] * 3

    response = client.post("/invoke", json={"message": LOOKUP})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "model_unavailable"
    assert model.attempts == 3  # MODEL_MAX_RETRIES=2: three attempts


def test_a_hanging_model_call_times_out_and_is_retried(
    client: TestClient, model: FaultyModel
) -> None:
    model.faults = [30.0, 30.0, 30.0]

    started = time.monotonic()
    response = client.post("/invoke", json={"message": LOOKUP})

    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "model_timeout"
    assert model.attempts == 3
    assert time.monotonic() - started < 10


def test_a_failed_stream_ends_with_an_error_event_and_the_thread_goes_on(
    client: TestClient, model: FaultyModel
) -> None:
    model.faults = [ModelInvalidRequestError("400")]
    events = read_events(client, "/stream", {"message": LOOKUP})
    thread_id = events[0]["data"]["thread_id"]

    after = client.post("/invoke", json={"message": LOOKUP, "thread_id": thread_id})
    thread = client.get(f"/threads/{thread_id}").json()

    assert events[-1]["event"] == "error"
    assert events[-1]["data"]["code"] == "model_error"
    assert after.status_code == 200
    assert after.json()["reply"] == FOUND
    assert thread["status"] == "idle"
    roles = [message["role"] for message in thread["messages"]]
    assert roles == ["user", "user", "assistant", "tool", "assistant"]


def test_a_tool_that_crashes_leaves_a_thread_the_model_can_continue(
    client: TestClient, model: FaultyModel
) -> None:
    model.then(calls(("fail_hard", {"reason": "the service is down"})))
    failed = client.post("/invoke", json={"message": "Use the broken tool"})
    thread_id = failed.json()["error"]["thread_id"]

    after = client.post(
        "/invoke", json={"message": "lookup:beta", "thread_id": thread_id}
    )

    assert failed.status_code == 502
    assert failed.json()["error"]["code"] == "run_failed"
    assert after.status_code == 200, after.text
    assert after.json()["reply"] == "Found: beta = 2"
