"""SIGTERM, as Cloud Run sends it ten seconds before it stops an instance, to a real
server process in the middle of streaming a reply.

A run that ends within SHUTDOWN_GRACE_SECONDS ends as usual (the client gets its
`final` event); one that would not is cancelled at the deadline (the client gets an
`error` event, `shutting_down`). Either way the process exits by itself, well
within Cloud Run's ten seconds, no thread is left busy and the conversation goes on
in the next server.

The server runs the scripted model (live_server.py), which echoes each message a
word at a time, SCRIPTED_TOKEN_DELAY_MS apart.
"""

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from .live_server import live_server, live_server_process

TIMEOUT_S = 30.0
SLOW = {"SCRIPTED_TOKEN_DELAY_MS": "100"}


def events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The stream's events as `{"event", "data"}`, as they come."""
    event: dict[str, Any] = {}
    for line in lines:
        if line.startswith("event:"):
            event["event"] = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            event["data"] = json.loads(line.removeprefix("data:").strip())
        elif not line and event:
            yield event
            event = {}


def stream_through_sigterm(
    data: Path, words: int, grace_seconds: float
) -> tuple[list[dict[str, Any]], float, int]:
    """Stream an echo of `words` words, SIGTERM the server at its first token; the
    events the client got, how long the process took to exit, and its exit code."""
    settings = {**SLOW, "SHUTDOWN_GRACE_SECONDS": str(grace_seconds)}
    message = " ".join(f"word{n}" for n in range(words))
    with (
        live_server_process(data, settings) as server,
        httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as http,
        http.stream("POST", "/stream", json={"message": message}) as response,
    ):
        received = events(response.iter_lines())
        got = [next(received)]  # metadata
        while got[-1]["event"] != "token":
            got.append(next(received))
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        got += list(received)
        code = server.process.wait(timeout=TIMEOUT_S)
        return got, time.monotonic() - signalled, code


def thread_after(data: Path, thread_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """In a new server on the same data: the thread, and a next turn's reply."""
    with (
        live_server(data) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT_S) as http,
    ):
        thread = http.get(f"/threads/{thread_id}").json()
        body = {"message": "Next turn", "thread_id": thread_id}
        return thread, http.post("/invoke", json=body).json()


def test_a_run_that_ends_within_the_grace_ends_as_usual(tmp_path: Path) -> None:
    # Six words at 100 ms: under a second, well inside 20 s of grace.
    got, exit_seconds, code = stream_through_sigterm(tmp_path, 6, grace_seconds=20)

    assert got[-1]["event"] == "final"
    assert got[-1]["data"]["reply"] == "You said: " + " ".join(
        f"word{n}" for n in range(6)
    )
    assert exit_seconds < 10
    assert code in (0, -signal.SIGTERM)
    thread, after = thread_after(tmp_path, got[0]["data"]["thread_id"])
    assert thread["status"] == "idle"
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    assert after["reply"] == "You said: Next turn"


def test_a_run_past_the_grace_is_cancelled_with_an_error_event(
    tmp_path: Path,
) -> None:
    # Eighty words at 100 ms: eight seconds, far past one second of grace.
    got, exit_seconds, _ = stream_through_sigterm(tmp_path, 80, grace_seconds=1)

    assert got[-1]["event"] == "error"
    assert got[-1]["data"]["code"] == "shutting_down"
    # The grace, then the cancelled run's bookkeeping: not Cloud Run's 10 s.
    assert exit_seconds < 6
    thread, after = thread_after(tmp_path, got[0]["data"]["thread_id"])
    assert thread["status"] == "idle"  # not left busy
    assert after["reply"] == "You said: Next turn"
