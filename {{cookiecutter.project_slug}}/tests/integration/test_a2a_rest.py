"""Contract: A2A's HTTP+JSON binding, 1.0 (`/a2a/message:send`, `/a2a/tasks/{id}`,
...) and 0.3 (the same below `/a2a/v1`), through the official A2A SDK client's REST
transports and raw HTTP, against a live server.

Both bindings hand requests to the same request handler and runner: test_a2a.py
covers what that does (memory, owners, approval, failures, restarts) over JSON-RPC;
these tests show the binding carries it, and that a bad call is a 4xx in A2A's
error shape, never a 500 or a stream cut short.
"""

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from a2a.client import Client
from a2a.helpers import get_artifact_text
from a2a.types import (
    CancelTaskRequest,
    GetTaskRequest,
    ListTasksRequest,
    StreamResponse,
    TaskState,
)
from a2a.utils.errors import TaskNotFoundError

from .a2a_client import TIMEOUT_S, a2a, answer, says, send, summed_up
from .live_server import live_server

VERSIONS = ["1.0", "0.3"]
# Where each version's operations are, under the service's URL.
BASE = {"1.0": "/a2a", "0.3": "/a2a/v1"}


def over_http_json(
    url: str, version: str | None = None, **options: Any
) -> AbstractAsyncContextManager[Client]:
    """The SDK's client on the HTTP+JSON binding (`a2a`'s options)."""
    return a2a(url, binding="HTTP+JSON", version=version, **options)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Callers named by the x-test-user header; tokens 30 ms apart, so a long
    # reply lasts long enough to be cancelled.
    settings = {"AUTH_MODE": "test", "SCRIPTED_TOKEN_DELAY_MS": "30"}
    with live_server(tmp_path_factory.mktemp("a2a-rest"), settings) as url:
        yield url


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_context_remembers_over_http_json(
    server_url: str, version: str
) -> None:
    paths: list[str] = []
    async with over_http_json(server_url, version, paths=paths) as client:
        first = await send(client, says("lookup:alpha"))
        second = await send(client, says("recall", context_id=first.context_id))
        read = await client.get_task(GetTaskRequest(id=first.id))

    assert first.status.state == TaskState.TASK_STATE_COMPLETED
    assert answer(first) == "Found: alpha = 1"
    assert answer(second) == "Earlier: lookup:alpha"
    assert read.status.state == TaskState.TASK_STATE_COMPLETED
    assert answer(read) == "Found: alpha = 1"
    # The SDK took the binding and version asked for.
    base = BASE[version]
    assert f"{base}/message:send" in paths
    assert f"{base}/tasks/{first.id}" in paths


@pytest.mark.parametrize("version", VERSIONS)
async def test_streaming_over_http_json_shows_progress_then_the_answer(
    server_url: str, version: str
) -> None:
    paths: list[str] = []
    async with over_http_json(
        server_url, version, streaming=True, paths=paths
    ) as client:
        updates: list[StreamResponse] = [
            update async for update in client.send_message(says("lookup:beta"))
        ]

    assert updates[0].HasField("task")
    state, said, chunks = summed_up(updates)
    assert state == TaskState.TASK_STATE_COMPLETED
    assert "calling lookup" in said
    assert chunks[-1].last_chunk
    assert get_artifact_text(chunks[-1].artifact) == "Found: beta = 2"
    assert f"{BASE[version]}/message:stream" in paths


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_task_cancelled_over_http_json_frees_its_context(
    server_url: str, version: str
) -> None:
    long = "Please repeat " + " ".join(f"word{n}" for n in range(60))
    async with over_http_json(server_url, version, streaming=True) as client:
        stream = client.send_message(says(long))
        first = await anext(aiter(stream))
        cancelled = await client.cancel_task(CancelTaskRequest(id=first.task.id))
        rest = [update async for update in stream]
    async with over_http_json(server_url, version) as client:
        after = await send(client, says("recall", context_id=first.task.context_id))

    assert cancelled.status.state == TaskState.TASK_STATE_CANCELED
    assert rest[-1].status_update.status.state == TaskState.TASK_STATE_CANCELED
    assert answer(after).startswith("Earlier: Please repeat")


async def test_tasks_are_listed_and_read_by_their_owner_only(server_url: str) -> None:
    async with over_http_json(server_url, user="ada") as ada:
        first = await send(ada, says("Ada's note"))
        own = await ada.list_tasks(ListTasksRequest(context_id=first.context_id))
    async with over_http_json(server_url, user="mallory") as mallory:
        listed = await mallory.list_tasks(ListTasksRequest())
        with pytest.raises(TaskNotFoundError):
            await mallory.get_task(GetTaskRequest(id=first.id))

    assert [task.id for task in own.tasks] == [first.id]
    assert first.id not in [task.id for task in listed.tasks]


async def test_approval_over_http_json_is_input_required_then_resumed(
    approval_url: str,
) -> None:
    async with over_http_json(approval_url) as client:
        asked = await send(client, says("lookup:alpha"))
        done = await send(
            client, says("approve", context_id=asked.context_id, task_id=asked.id)
        )

    assert asked.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    assert done.status.state == TaskState.TASK_STATE_COMPLETED
    assert answer(done) == "Found: alpha = 1"


# --- Raw HTTP: bad calls ------------------------------------------------------

V1 = {"A2A-Version": "1.0"}


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "reason"),
    [
        pytest.param("GET", "/a2a/tasks/nope", None, V1, 404, "TASK_NOT_FOUND",
                     id="unknown task"),
        pytest.param("GET", "/a2a/v1/tasks/nope", None, {}, 404, "TASK_NOT_FOUND",
                     id="unknown task, 0.3"),
        pytest.param("POST", "/a2a/tasks/nope:cancel", None, V1, 404,
                     "TASK_NOT_FOUND", id="cancel an unknown task"),
        # The SDK's 0.3 streams failed after their headers: a 200, then a cut.
        pytest.param("GET", "/a2a/v1/tasks/nope:subscribe", None, {}, 404,
                     "TASK_NOT_FOUND", id="subscribe to an unknown task, 0.3"),
        pytest.param("POST", "/a2a/tasks/nope:subscribe", None, V1, 404,
                     "TASK_NOT_FOUND", id="subscribe to an unknown task"),
        pytest.param("POST", "/a2a/message:stream", b"{}", V1, 400,
                     "INVALID_PARAMS", id="a stream of no message"),
        pytest.param("POST", "/a2a/v1/message:stream", b"{}", {}, 400,
                     "INVALID_PARAMS", id="a stream of no message, 0.3"),
        pytest.param("POST", "/a2a/v1/message:send", b"{not json", {}, 400,
                     "INVALID_REQUEST", id="malformed JSON"),
        pytest.param("POST", "/a2a/v1/message:stream", b"{not json", {}, 400,
                     "INVALID_REQUEST", id="a stream of malformed JSON, 0.3"),
        # The SDK decoded bodies as UTF-8 and read counts with int(): its 500s.
        pytest.param("POST", "/a2a/message:send", b'{"x": "\xff"}', V1, 400,
                     "INVALID_REQUEST", id="a body that is not UTF-8"),
        pytest.param("GET", "/a2a/v1/tasks/nope?historyLength=abc", None, {}, 400,
                     "INVALID_PARAMS", id="a count that is not a number"),
        pytest.param("GET", "/a2a/tasks?pageSize=-1", None, V1, 400,
                     "INVALID_PARAMS", id="a negative page size"),
        # 1.0's paths need 1.0's header; 0.3 clients call below /v1.
        pytest.param("GET", "/a2a/tasks", None, {}, 400, "VERSION_NOT_SUPPORTED",
                     id="no version header"),
    ],
)  # fmt: skip
def test_bad_calls_get_a2a_errors(
    server_url: str,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    reason: str,
) -> None:
    reply = httpx.request(
        method,
        server_url + path,
        content=body,
        headers={"x-test-user": "grace", **headers},
        timeout=TIMEOUT_S,
    )

    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert error["code"] == status
    assert error["message"]
    assert error["details"][0]["reason"] == reason


def test_a_caller_the_server_cannot_name_is_refused(server_url: str) -> None:
    reply = httpx.get(f"{server_url}/a2a/tasks", headers=V1, timeout=TIMEOUT_S)

    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "unauthenticated"
