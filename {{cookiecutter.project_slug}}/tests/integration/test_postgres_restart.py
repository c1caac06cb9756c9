"""PostgreSQL restarted under load, as Cloud SQL's maintenance restarts it: every
stream in flight ends (a reply or an error event, within seconds), no
acknowledged turn is lost, `/readyz` goes not-ready and back, and the next runs
succeed without restarting the server.

A real server process (live_server.py, the scripted model: it echoes, one word a
token) on a real PostgreSQL that the test stops and starts again (postgres.py).
"""

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from .live_server import live_server
from .postgres import PostgresServer, PostgresUnavailableError, postgres_server

STREAMS = 20
# Slow tokens: a reply streams for about a second, so the restart lands mid-run.
SLOW_TOKENS = {"SCRIPTED_TOKEN_DELAY_MS": "60"}
MESSAGE = "Please repeat: " + " ".join(f"word{n}" for n in range(16))
# Every stream must have ended by then (its run finished or failed).
STREAM_DEADLINE_S = 30.0


@pytest.fixture
def database() -> Iterator[PostgresServer]:
    """A server of the test's own: stopping it must not disturb other tests."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailableError as missing:
        if os.environ.get("TEST_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL tests skipped: {missing}")


def _stream(url: str, under_way: threading.Event) -> tuple[str, str, float]:
    """One turn on a new thread: (thread id, last event, seconds it took); sets
    `under_way` once its first event has arrived."""
    started = time.monotonic()
    thread_id, last = "", ""
    with httpx.stream(
        "POST", f"{url}/stream", json={"message": MESSAGE}, timeout=STREAM_DEADLINE_S
    ) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                last = line.removeprefix("event:").strip()
            elif line.startswith("data:") and not thread_id:
                thread_id = json.loads(line.removeprefix("data:"))["thread_id"]
                under_way.set()
    return thread_id, last, time.monotonic() - started


def _wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _ready(url: str) -> int:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code
    except httpx.HTTPError:
        return 0


def test_a_database_restart_under_load(
    database: PostgresServer, tmp_path: Path
) -> None:
    settings = {"DATABASE_URL": database.url, **SLOW_TOKENS}
    with live_server(tmp_path / "data", settings) as url:
        with ThreadPoolExecutor(STREAMS) as pool:
            under_way = [threading.Event() for _ in range(STREAMS)]
            streams = [pool.submit(_stream, url, event) for event in under_way]
            # Every run has started (a loaded machine may take a while), not some.
            assert all(event.wait(STREAM_DEADLINE_S) for event in under_way)
            database.stop()
            went_unready = _wait_for(lambda: _ready(url) == 503, seconds=10)
            database.start()
            outcomes = [
                stream.result(timeout=STREAM_DEADLINE_S + 5) for stream in streams
            ]
        came_back = _wait_for(lambda: _ready(url) == 200, seconds=30)
        after = [
            httpx.post(f"{url}/invoke", json={"message": f"After {n}"}, timeout=30)
            for n in range(3)
        ]
        acknowledged = [thread for thread, last, _ in outcomes if last == "final"]
        kept = [_reply_kept(url, thread) for thread in acknowledged]

    assert went_unready, "/readyz never answered 503 while the database was down"
    assert came_back, "/readyz did not answer 200 once the database was back"
    assert all(last in ("final", "error") for _, last, _ in outcomes), outcomes
    assert max(seconds for _, _, seconds in outcomes) < STREAM_DEADLINE_S
    assert all(kept), "an acknowledged turn is missing from its thread"
    assert [response.status_code for response in after] == [200, 200, 200]


def _reply_kept(url: str, thread_id: str) -> bool:
    thread: dict[str, Any] = httpx.get(f"{url}/threads/{thread_id}", timeout=10).json()
    contents = [message["content"] for message in thread.get("messages", [])]
    return contents[-2:] == [MESSAGE, f"You said: {MESSAGE}"]
