"""Many conversations at once, through a real server process, on SQLite and on
PostgreSQL.

Proves that with dozens of threads running side by side, every thread ends up with
exactly its own messages: every turn, complete (tool calls and results included),
in order, and nothing from another thread (none lost, none crossed). The server
runs the scripted model (live_server.py): it echoes each message, and each message
carries a marker of its thread and turn, so a reply or message in the wrong thread
shows; `lookup:<key>` turns call the neutral `lookup` tool, each thread with its
own order of keys, and every tool result must answer a call of its own thread.
Also proves that a thread refuses a second run while one is going
(409 `thread_busy`) and that the refused runs leave no trace in it, also when two
servers share one PostgreSQL (the thread's advisory lock, runtime/locks.py).
"""

import asyncio
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from ..fakes.tools import lookup
from .live_server import live_server

THREADS = 24
KEYS = ("alpha", "beta")
# Bounds, so that a hang fails the test instead of blocking CI.
REQUEST_TIMEOUT_S = 30.0
TEST_TIMEOUT_S = 50.0
# Every turn's message names its thread and turn: "T07-turn2".
MARKER = re.compile(r"\bT\d+-turn\d+\b")
# A pause between tokens, so that the threads' runs are in flight together.
OVERLAPPING = {"SCRIPTED_TOKEN_DELAY_MS": "5"}
# Slow streaming, so that a run is still going when other requests arrive.
SLOW_TOKENS = {"SCRIPTED_TOKEN_DELAY_MS": "100"}
RACERS = 8
GREETING = {"message": "Hello from Ada"}
# Echoed back token by token: at 100 ms a token, it streams for about two seconds.
RUNNING = "Take your time: " + " ".join(f"word{n}" for n in range(16))
# A busy thread's messages: the greeting's turn and the running one's, nothing else.
BOTH_TURNS = [
    ("user", GREETING["message"]),
    ("assistant", f"You said: {GREETING['message']}"),
    ("user", RUNNING),
    ("assistant", f"You said: {RUNNING}"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """Server settings for each store: SQLite under DATA_DIR, or PostgreSQL."""
    if request.param == "postgres":
        return {"DATABASE_URL": request.getfixturevalue("database_url")}
    return {}


@dataclass(frozen=True)
class Expected:
    """A message a turn adds: its role, a regex for its whole content, the tool
    an assistant message calls."""

    role: str
    content: str
    tool: str | None = None


def said(role: str, text: str, tool: str | None = None) -> Expected:
    return Expected(role, re.escape(text), tool)


@dataclass
class Conversation:
    """One thread's script, and what the server answered."""

    tag: str
    turns: list[tuple[str, list[Expected]]]
    thread_id: str | None = None
    replies: list[str] = field(default_factory=list)
    failure: str | None = None
    # When each turn's request was sent and answered (time.monotonic()).
    spans: list[tuple[float, float]] = field(default_factory=list)


def conversation(number: int) -> Conversation:
    """Four turns: echoed ones naming the thread and turn, and tool calls in an
    order of keys that differs between neighbouring threads."""
    tag = f"T{number:02d}"
    first, second = KEYS if number % 2 else KEYS[::-1]

    def chat(turn: int) -> tuple[str, list[Expected]]:
        message = f"Hello from {tag}-turn{turn}"
        echoed = f"You said: {message}"
        return message, [said("user", message), said("assistant", echoed)]

    def look_up(turn: int, key: str) -> tuple[str, list[Expected]]:
        message, result = f"lookup:{key} ({tag}-turn{turn})", lookup.invoke(key)
        return message, [
            said("user", message),
            said("assistant", "", tool="lookup"),
            said("tool", result),
            said("assistant", f"Found: {result}"),
        ]

    return Conversation(tag, [chat(0), look_up(1, first), chat(2), look_up(3, second)])


async def converse(client: httpx.AsyncClient, talk: Conversation) -> None:
    """The thread's turns one after the other; a refused turn ends it."""
    for message, _ in talk.turns:
        body: dict[str, Any] = {"message": message}
        if talk.thread_id:
            body["thread_id"] = talk.thread_id
        sent = time.monotonic()
        response = await client.post("/invoke", json=body)
        talk.spans.append((sent, time.monotonic()))
        if response.status_code != 200:
            talk.failure = f"{talk.tag}: HTTP {response.status_code} {response.text}"
            return
        talk.thread_id = response.json()["thread_id"]
        talk.replies.append(response.json()["reply"])


def problems_of(talk: Conversation, thread: dict[str, Any]) -> list[str]:
    """What is wrong with the thread's stored messages, if anything."""
    messages: list[dict[str, Any]] = thread["messages"]
    expected = [message for _, adds in talk.turns for message in adds]
    found: list[str] = []
    foreign = {
        marker
        for message in messages
        for marker in MARKER.findall(message["content"])
        if not marker.startswith(f"{talk.tag}-")
    }
    if foreign:
        found.append(f"{talk.tag} holds messages of {sorted(foreign)}")
    if len(messages) != len(expected):
        found.append(f"{talk.tag} has {len(messages)} messages, not {len(expected)}")
    for index, (want, got) in enumerate(zip(expected, messages, strict=False)):
        calls = [call["name"] for call in got["tool_calls"]]
        if (
            got["role"] != want.role
            or not re.fullmatch(want.content, got["content"])
            or calls != ([want.tool] if want.tool else [])
        ):
            found.append(
                f"{talk.tag} message {index} is {got['role']} {got['content']!r}, "
                f"not {want.role} /{want.content}/ calling {want.tool}"
            )
            break
    for previous, message in itertools.pairwise(messages):
        ids = [call["id"] for call in previous["tool_calls"]]
        if message["role"] == "tool" and message["tool_call_id"] not in ids:
            found.append(f"{talk.tag}: a tool result answers no call before it")
    answers = [adds[-1] for _, adds in talk.turns]
    for reply, want in zip(talk.replies, answers, strict=False):
        if not re.fullmatch(want.content, reply):
            found.append(f"{talk.tag}: the reply {reply!r} is not /{want.content}/")
    if thread["status"] != "idle":
        found.append(f"{talk.tag} is left {thread['status']!r}")
    return found


async def test_concurrent_threads_keep_exactly_their_own_turns(
    backend: dict[str, str], tmp_path: Path
) -> None:
    talks = [conversation(number) for number in range(THREADS)]
    with live_server(tmp_path / "data", {**backend, **OVERLAPPING}) as url:
        async with (
            asyncio.timeout(TEST_TIMEOUT_S),
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as client,
        ):
            started = time.monotonic()
            await asyncio.gather(*(converse(client, talk) for talk in talks))
            elapsed = time.monotonic() - started
            threads = await asyncio.gather(
                *(client.get(f"/threads/{talk.thread_id}") for talk in talks)
            )

    problems = [talk.failure for talk in talks if talk.failure]
    stored = [thread.json() for thread in threads if thread.status_code == 200]
    for talk, thread in zip(talks, threads, strict=True):
        if thread.status_code == 200:
            problems += problems_of(talk, thread.json())
    ids = Counter(m["id"] for thread in stored for m in thread["messages"] if m["id"])
    problems += [f"message {id_} is in {n} threads" for id_, n in ids.items() if n > 1]
    checked = sum(len(thread["messages"]) for thread in stored)
    peak = in_flight_at_peak([span for talk in talks for span in talk.spans])
    summary = (
        f"{THREADS} threads x {len(talks[0].turns)} turns on "
        f"{'PostgreSQL' if backend else 'SQLite'}, up to {peak} runs at once: "
        f"{checked} messages checked in {elapsed:.1f} s; {len(problems)} problems"
    )
    assert not problems, "\n".join([summary, *problems[:20]])
    assert peak > THREADS // 2, f"the runs hardly overlapped: {summary}"


def in_flight_at_peak(spans: list[tuple[float, float]]) -> int:
    """The most requests that were in flight at the same moment."""
    starts, ends = [(start, 1) for start, _ in spans], [(end, -1) for _, end in spans]
    changes = sorted(starts + ends)
    return max(itertools.accumulate(change for _, change in changes), default=0)


async def event_names(response: httpx.Response) -> AsyncIterator[str]:
    """The names of a streaming response's Server-Sent Events, as they arrive."""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            yield line.removeprefix("event:").strip()


async def first_token(names: AsyncIterator[str]) -> None:
    """Wait until the reply streams: the run is under way."""
    async for name in names:
        if name == "token":
            return
    raise AssertionError("the run streamed no token")


def turns_of(thread: dict[str, Any]) -> list[tuple[str, str]]:
    return [(message["role"], message["content"]) for message in thread["messages"]]


async def test_a_busy_thread_refuses_other_runs_and_keeps_only_its_turns(
    backend: dict[str, str], tmp_path: Path
) -> None:
    with live_server(tmp_path / "data", {**backend, **SLOW_TOKENS}) as url:
        async with (
            asyncio.timeout(TEST_TIMEOUT_S),
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as client,
        ):
            first = await client.post("/invoke", json=GREETING)
            thread_id = first.json()["thread_id"]

            def racer(number: int) -> dict[str, str]:
                return {"message": f"Racer{number} here", "thread_id": thread_id}

            # Others try while a run streams: all refused, whatever the endpoint.
            running = {"message": RUNNING, "thread_id": thread_id}
            async with client.stream("POST", "/stream", json=running) as stream:
                names = event_names(stream)
                await first_token(names)
                refused = await asyncio.gather(
                    *(
                        client.post(path, json=racer(number))
                        for number in range(RACERS)
                        for path in ("/invoke", "/stream")
                    )
                )
                ending = [name async for name in names]
            settled = (await client.get(f"/threads/{thread_id}")).json()

            # Others race on an idle thread: each either runs a whole turn or is
            # refused; the thread gains exactly the turns that ran.
            raced = await asyncio.gather(
                *(client.post("/invoke", json=racer(n)) for n in range(RACERS))
            )
            after = (await client.get(f"/threads/{thread_id}")).json()

    assert ending[-1] == "final", ending
    assert {(r.status_code, r.json()["error"]["code"]) for r in refused} == {
        (409, "thread_busy")
    }
    assert turns_of(settled) == BOTH_TURNS
    assert "Racer" not in json.dumps(settled["messages"])
    assert settled["status"] == "idle"

    assert {r.status_code for r in raced} <= {200, 409}, [r.text for r in raced]
    won = [
        [("user", f"Racer{n} here"), ("assistant", f"You said: Racer{n} here")]
        for n, response in enumerate(raced)
        if response.status_code == 200
    ]
    assert won, "one of the racing runs must win"
    added = turns_of(after)[len(turns_of(settled)) :]
    assert sorted(added[i : i + 2] for i in range(0, len(added), 2)) == sorted(won)
    assert after["status"] == "idle"


async def test_two_servers_on_one_database_keep_one_run_per_thread(
    database_url: str, tmp_path: Path
) -> None:
    """Two instances on one PostgreSQL (Cloud Run scaled out): one refuses a run
    on a thread that the other is running, as a single server does."""
    settings = {"DATABASE_URL": database_url, **SLOW_TOKENS}
    with (
        live_server(tmp_path / "one", settings) as one,
        live_server(tmp_path / "other", settings) as other,
    ):
        async with (
            asyncio.timeout(TEST_TIMEOUT_S),
            httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client,
        ):
            first = await client.post(f"{one}/invoke", json=GREETING)
            thread_id = first.json()["thread_id"]
            running = {"message": RUNNING, "thread_id": thread_id}
            async with client.stream("POST", f"{one}/stream", json=running) as stream:
                names = event_names(stream)
                await first_token(names)
                second = {"message": "Hello from Bob", "thread_id": thread_id}
                refused = await client.post(f"{other}/invoke", json=second)
                ending = [name async for name in names]
            after = (await client.get(f"{one}/threads/{thread_id}")).json()

    assert ending[-1] == "final", ending
    # Today the other server runs it (200), and one of the two turns is lost.
    assert refused.status_code == 409, refused.text
    assert turns_of(after) == BOTH_TURNS


async def test_across_two_servers_a_run_is_queued_behind_and_rejoined(
    database_url: str, tmp_path: Path
) -> None:
    """Two instances on one PostgreSQL, with LangGraph's client: a run asked of the
    other instance is refused with `interrupt` (only the serving instance can
    cancel) and waits for the thread with `enqueue`; a client that rejoins the run
    there gets the end when the thread's runs have ended."""
    settings = {"DATABASE_URL": database_url, **SLOW_TOKENS}
    ask = {"messages": [{"role": "user", "content": RUNNING}]}
    after = {"messages": [{"role": "user", "content": "And then?"}]}
    with (
        live_server(tmp_path / "one", settings) as one,
        live_server(tmp_path / "other", settings) as other,
    ):
        first, second = get_client(url=one), get_client(url=other)
        async with asyncio.timeout(TEST_TIMEOUT_S):
            thread_id = (await first.threads.create())["thread_id"]
            stream = first.runs.stream(
                thread_id, "agent", input=ask, stream_resumable=True
            )
            run_id = (await anext(stream)).data["run_id"]
            await anext(stream)  # under way
            with pytest.raises(httpx.HTTPStatusError) as refused:
                await second.runs.wait(
                    thread_id, "agent", input=after, multitask_strategy="interrupt"
                )
            rejoin = second.runs.join_stream(thread_id, run_id, last_event_id="1")
            rejoined = await events_of(rejoin)
            at_the_end = await second.threads.get_state(thread_id)
            first_stream = await events_of(stream)
            # Another long run there; the other instance's waits behind it.
            again = first.runs.stream(thread_id, "agent", input=ask)
            await anext(again)
            await anext(again)
            queued = await second.runs.wait(thread_id, "agent", input=after)
            await events_of(again)
            state = await second.threads.get_state(thread_id)

    assert refused.value.response.status_code == 409
    assert first_stream[-1] == "end"
    # The other instance has none of the run's events: the end, once it is over.
    assert rejoined == ["end"]
    assert [m["content"] for m in at_the_end["values"]["messages"]] == [
        RUNNING,
        f"You said: {RUNNING}",
    ]
    assert [m["content"] for m in queued["messages"]] == [
        RUNNING,
        f"You said: {RUNNING}",
        RUNNING,
        f"You said: {RUNNING}",
        "And then?",
        "You said: And then?",
    ]
    assert state["values"] == queued


async def events_of(parts: Any) -> list[str]:
    return [part.event async for part in parts]
