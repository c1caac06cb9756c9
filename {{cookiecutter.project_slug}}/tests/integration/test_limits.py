"""Request bodies over MAX_REQUEST_BYTES get a 413 before anything parses them."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.server.limits import (
    HEADER_LIMIT_BYTES,
    RequestSizeLimit,
)
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS
from . import live_server as serving

LIMIT = 2048
# The server process of the uvicorn test runs the scripted app (it echoes).


def scripted_app(settings: Settings) -> FastAPI:
    """The app on a model that echoes each message: these tests are about bodies."""
    return create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    """The app with a small body limit, and messages allowed to fill it."""
    small = settings.model_copy(
        update={"max_request_bytes": LIMIT, "max_message_chars": LIMIT}
    )
    with TestClient(scripted_app(small)) as client:
        yield client


def run_body(size: int) -> bytes:
    """A `/invoke` body of exactly `size` bytes."""
    envelope = len(json.dumps({"message": ""}))
    return json.dumps({"message": "x" * (size - envelope)}).encode()


def chunks(body: bytes, size: int = 256) -> Iterator[bytes]:
    """The body as a generator: sent chunked, without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: Any) -> None:
    """A 413 in the API's error shape (from the test client or httpx)."""
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "request_too_large",
        "message": f"request body is larger than {LIMIT} bytes, the limit set by "
        "MAX_REQUEST_BYTES",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/invoke"),
        ("post", "/stream"),
        ("post", "/threads"),
        ("post", "/runs/wait"),
        ("get", "/healthz"),  # a route that reads no body
        ("post", "/no/such/route"),
    ],
)
def test_a_declared_length_over_the_limit(
    limited: TestClient, method: str, path: str
) -> None:
    response = limited.request(
        method,
        path,
        content=run_body(LIMIT + 1),
        headers={"content-type": "application/json"},
    )
    assert_too_large(response)
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize("path", ["/invoke", "/stream", "/runs/stream"])
def test_a_chunked_body_over_the_limit(limited: TestClient, path: str) -> None:
    response = limited.post(
        path,
        content=chunks(run_body(LIMIT + 1)),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_too_large(response)


def test_a_body_at_the_limit_is_served(limited: TestClient) -> None:
    declared = limited.post(
        "/invoke",
        content=run_body(LIMIT),
        headers={"content-type": "application/json"},
    )
    chunked = limited.post(
        "/invoke",
        content=chunks(run_body(LIMIT)),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 200, declared.text
    assert chunked.status_code == 200, chunked.text


def test_a_content_length_that_undersells_the_body(limited: TestClient) -> None:
    response = limited.post(
        "/invoke",
        content=chunks(run_body(LIMIT + 1)),
        headers={"content-type": "application/json", "content-length": "10"},
    )
    assert_too_large(response)


def test_the_message_limit_keeps_its_own_error(settings: Settings) -> None:
    chars = settings.model_copy(update={"max_message_chars": 100})
    with TestClient(scripted_app(chars)) as client:
        response = client.post("/invoke", json={"message": "x" * 101})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_message"
    assert "limit is 100 (MAX_MESSAGE_CHARS)" in error["message"]


def test_the_default_limit_holds_the_longest_message(settings: Settings) -> None:
    # The worst case: every character an escaped surrogate pair (12 bytes).
    message = "\U0001f600" * settings.max_message_chars
    body = json.dumps({"message": message}).encode()
    assert len(body) <= settings.max_request_bytes
    with TestClient(scripted_app(settings)) as client:
        response = client.post(
            "/invoke", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 200, response.text


def test_uvicorn_refuses_a_chunked_body_and_serves_the_next(tmp_path: Path) -> None:
    with serving.live_server(tmp_path, {"MAX_REQUEST_BYTES": str(LIMIT)}) as url:
        too_large = httpx.post(
            f"{url}/invoke",
            content=chunks(run_body(LIMIT * 4)),
            headers={"content-type": "application/json"},
        )
        served = httpx.post(f"{url}/invoke", json={"message": "Hi"})
    assert_too_large(too_large)
    assert served.status_code == 200
    assert served.json()["reply"] == "You said: Hi"


def test_headers_over_the_limit_are_a_431(limited: TestClient) -> None:
    huge = {"x-padding": "a" * (HEADER_LIMIT_BYTES + 1)}

    response = limited.get("/healthz", headers=huge)

    assert response.status_code == 431
    assert response.json()["error"]["code"] == "headers_too_large"
    assert limited.get("/healthz", headers={"x-padding": "a" * 1000}).status_code == 200


async def test_a_body_that_trickles_in_too_slowly_is_a_408() -> None:
    reached: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append((await receive())["body"])

    sent: list[dict[str, Any]] = []
    chunks = iter([b"{", b'"message"'])

    async def slow_client() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            await asyncio.sleep(60)  # a byte a minute, from here on
        return {"type": "http.request", "body": chunk or b"", "more_body": True}

    async def record(message: dict[str, Any]) -> None:
        sent.append(message)

    limit = RequestSizeLimit(app, max_bytes=1024, body_timeout_seconds=0.2)
    scope = {"type": "http", "headers": [(b"content-length", b"100")]}
    await asyncio.wait_for(limit(scope, slow_client, record), timeout=5)

    assert reached == []  # the route never saw the request
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["error"]["code"] == "request_timeout"
