"""A server killed in the middle of a run, on SQLite and on PostgreSQL.

The real server process is killed with SIGKILL while it streams a reply (so no
shutdown code runs, as when a container is OOM-killed or its VM is lost), then a
new one starts on the same data. Proves that the turns the thread had completed
are all intact and in order, that the interrupted turn left at most its user
message (never a partial reply), and that the thread goes on: a new turn runs
(no 409) and still sees the earlier history, and that the thread does not read
`busy` after the restart (the runner releases abandoned threads when it opens).

The servers run the scripted model (live_server.py): it echoes each message, and
`lookup:<key>` calls the neutral `lookup` tool. It counts a word as a token, so a
run's `usage.input_tokens` shows how much history the model was given.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .live_server import live_server_process

# Bounds, so that a hang fails the test instead of blocking CI.
REQUEST_TIMEOUT_S = 30.0
# Replies stream slowly: the kill lands while the interrupted turn's reply streams.
SLOW_TOKENS = {"SCRIPTED_TOKEN_DELAY_MS": "50"}
# The turns completed before the kill: an echo, a tool call, an echo.
TURNS = ("Hello from Grace", "lookup:alpha", "Hello again")
# A long echoed reply, and no tool call before it: about a second of streaming.
INTERRUPTED = "Please repeat: " + " ".join(f"word{n}" for n in range(16))
FOLLOW_UP = "One more turn"
# What the servers must not see of the developer's machine (as conftest.py).
CLOUD_ENVIRONMENT = ("GOOGLE_", "GCLOUD_", "CLOUDSDK_")


@dataclass(frozen=True)
class Crash:
    """A thread before its server was killed, and on the restarted server."""

    thread_id: str
    before: dict[str, Any]  # GET /threads/{id} before the interrupted turn
    restarted: dict[str, Any]  # the same on the new server, before any run
    url: str  # the new server's


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crash(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crash]:
    """Completed turns, a turn killed mid-stream, and a new server on the data;
    once per store, for all the tests of this module (each crash costs two server
    starts)."""
    backend = {}
    if request.param == "postgres":
        backend["DATABASE_URL"] = fresh_database(
            request.getfixturevalue("postgres_server_url")
        )
    data = tmp_path_factory.mktemp("crash") / "data"
    # This outlives the per-test `isolated_environment`: isolate the servers here.
    with pytest.MonkeyPatch.context() as environment:
        names = [name.upper() for name in Settings.model_fields]
        names += [n for n in os.environ if n.startswith(CLOUD_ENVIRONMENT)]
        for name in names:
            environment.delenv(name, raising=False)
        thread_id, before = kill_mid_run(data, backend)
        with (
            live_server_process(data, backend) as server,
            httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as http,
        ):
            restarted = http.get(f"/threads/{thread_id}").json()
            yield Crash(thread_id, before, restarted, server.url)


def kill_mid_run(data: Path, backend: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Run the completed turns, then SIGKILL the server once the next turn's reply
    has begun to stream; the thread's id and its state before that turn."""
    with (
        live_server_process(data, {**backend, **SLOW_TOKENS}) as server,
        httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as http,
    ):
        thread_id = None
        for message in TURNS:
            body = {"message": message, "thread_id": thread_id}
            run = http.post("/invoke", json=body).raise_for_status()
            thread_id = run.json()["thread_id"]
        before = http.get(f"/threads/{thread_id}").json()
        body = {"message": INTERRUPTED, "thread_id": thread_id}
        with http.stream("POST", "/stream", json=body) as stream:
            lines = stream.iter_lines()
            assert "event: token" in lines, "the interrupted turn streamed no token"
            server.kill()
    assert thread_id is not None
    return thread_id, before


def fresh_database(server_url: str) -> str:
    """An empty database on the session's PostgreSQL server."""
    name = f"crash_{uuid.uuid4().hex}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")  # a generated identifier
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def test_completed_turns_survive_a_kill_mid_run(crash: Crash) -> None:
    before, after = crash.before["messages"], crash.restarted["messages"]

    assert after[: len(before)] == before
    assert [(m["role"], m["content"]) for m in after[len(before) :]] in (
        [],
        [("user", INTERRUPTED)],
    )
    assert [m["role"] for m in before] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
        "assistant",
    ]
    replies = [m["content"] for m in before if m["role"] == "assistant"]
    assert replies == [
        "You said: Hello from Grace",
        "",  # the tool call
        "Found: alpha = 1",
        "You said: Hello again",
    ]


def test_the_thread_takes_new_turns_after_a_kill(crash: Crash) -> None:
    with httpx.Client(base_url=crash.url, timeout=REQUEST_TIMEOUT_S) as http:
        body = {"message": FOLLOW_UP, "thread_id": crash.thread_id}
        reply = http.post("/invoke", json=body)  # not refused: 409 would fail
        after = http.get(f"/threads/{crash.thread_id}").json()
        alone = http.post("/invoke", json={"message": FOLLOW_UP}).json()

    restarted, messages = crash.restarted["messages"], after["messages"]
    assert reply.status_code == 200, reply.text
    assert reply.json()["reply"] == f"You said: {FOLLOW_UP}"
    assert messages[: len(restarted)] == restarted
    assert [(m["role"], m["content"]) for m in messages[len(restarted) :]] == [
        ("user", FOLLOW_UP),
        ("assistant", f"You said: {FOLLOW_UP}"),
    ]
    # The model was given the whole earlier history: its input exceeds that of
    # the same message on a new thread by exactly the history's words.
    history_words = sum(len(m["content"].split()) for m in restarted)
    extra = reply.json()["usage"]["input_tokens"] - alone["usage"]["input_tokens"]
    assert extra == history_words > 0
    assert after["status"] == "idle"


def test_the_thread_is_not_left_busy_after_a_kill(crash: Crash) -> None:
    # `error` would do too: the killed run did not finish.
    assert crash.restarted["status"] in ("idle", "error")
