"""A fault of the server's own (a store that fails, a bug) answers in the API's
error shape and says nothing of what failed inside: the log has that."""

import sqlite3
from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from fastapi.testclient import TestClient

# What a database driver's error says: nothing a client should read.
DRIVER_ERROR = 'connection to "10.9.8.7", port 5432 failed: no role "agent_user"'


async def fails(*_: Any, **__: Any) -> NoReturn:
    raise OSError(DRIVER_ERROR)


def test_an_unexpected_exception_is_a_json_500_without_its_text(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    monkeypatch.setattr(runner.threads, "get", fails)

    response = client.get("/threads/some-thread")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "10.9.8.7" not in response.text
    assert "OSError" not in response.text
    [logged] = [line for line in log_lines() if line["severity"] == "ERROR"]
    assert logged["message"] == "GET /threads/some-thread failed"
    assert DRIVER_ERROR in logged["exc_info"]


async def database_gone(*_: Any, **__: Any) -> NoReturn:
    raise sqlite3.OperationalError(DRIVER_ERROR)


def test_an_unreachable_database_is_a_503_to_retry(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    monkeypatch.setattr(runner.threads, "get", database_gone)

    read = client.get("/threads/some-thread")
    run = client.post("/invoke", json={"message": "Hi", "thread_id": "some-thread"})

    for response in (read, run):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "storage_unavailable"
        assert "10.9.8.7" not in response.text


@pytest.mark.parametrize(
    ("store", "says"),
    [("checkpointer", "the checkpointer"), ("threads", "the thread store")],
)
def test_readiness_names_what_is_down_not_the_driver_error(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: Callable[[], list[dict[str, Any]]],
    store: str,
    says: str,
) -> None:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    if store == "checkpointer":
        monkeypatch.setattr(runner.graph.checkpointer, "aget_tuple", fails)
    else:
        monkeypatch.setattr(runner.threads, "get", fails)

    response = client.get("/readyz")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["message"].startswith(says)
    assert "10.9.8.7" not in response.text
    assert any(DRIVER_ERROR in line.get("exc_info", "") for line in log_lines())
