"""Conversations in PostgreSQL (DATABASE_URL), against a real server, on scripted
models and the neutral test tools."""

import asyncio
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from pydantic import SecretStr

from {{ cookiecutter.package_name }}.runtime.persistence import open_persistence
from {{ cookiecutter.package_name }}.runtime.threads import ThreadRegistry
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel, calls, scripted
from ..fakes.tools import TEST_TOOLS


def test_conversations_live_in_postgres_across_restarts(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )
    # The first server answers, then calls a tool; the second only answers.
    before = scripted("Hello, Lin.", calls(("lookup", {"key": "alpha"})), "It is 1.")
    after = ScriptedChatModel()

    with TestClient(create_app(settings, model=before, tools=TEST_TOOLS)) as client:
        first = client.post("/invoke", json={"message": "I am Lin"}).json()
        other = client.post("/invoke", json={"message": "What is alpha?"}).json()
    with TestClient(create_app(settings, model=after, tools=TEST_TOOLS)) as client:
        reply = client.post(
            "/invoke", json={"message": "Who am I?", "thread_id": first["thread_id"]}
        ).json()
        history = client.get(f"/threads/{other['thread_id']}").json()
        ready = client.get("/readyz")

    # The restarted server read the thread back and gave the model all of it.
    [prompt] = after.seen
    assert [(m.type, m.text) for m in prompt[1:]] == [
        ("human", "I am Lin"),
        ("ai", "Hello, Lin."),
        ("human", "Who am I?"),
    ]
    assert reply["reply"] == "You said: Who am I?"
    assert [(m["role"], m["content"]) for m in history["messages"]] == [
        ("user", "What is alpha?"),
        ("assistant", ""),
        ("tool", "alpha = 1"),
        ("assistant", "It is 1."),
    ]
    assert ready.json() == {"status": "ready"}
    assert not settings.sqlite_path.exists()


def test_feedback_finds_runs_in_postgres(
    database_url: str, tmp_path: Path, model: ScriptedChatModel
) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )

    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        run = client.post("/invoke", json={"message": "Hi"}).json()
        accepted = client.post("/feedback", json={"run_id": run["run_id"], "score": 1})
        refused = client.post("/feedback", json={"run_id": "nope", "score": 1})

    assert accepted.status_code == 201
    assert refused.status_code == 404


# Every way a client's string reaches PostgreSQL, with a NUL character in it: the
# text and JSON types cannot hold one, so each is refused before it is stored.
NUL = "a\x00b"
NUL_IN_URL = "a%00b"
_RUN = {"assistant_id": "agent", "input": {"messages": "hi"}}
NUL_REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/threads", {"metadata": {"owner": NUL}}),
    ("POST", "/threads", {"metadata": {NUL: "owner"}}),
    ("POST", "/threads", {"thread_id": NUL}),
    ("POST", "/threads/search", {"metadata": {"owner": NUL}}),
    ("GET", f"/threads/{NUL_IN_URL}", None),
    ("POST", "/threads/kept/runs/wait", {**_RUN, "input": {"messages": NUL}}),
    ("POST", "/threads/kept/runs/wait", {**_RUN, "metadata": {"owner": NUL}}),
    ("POST", "/threads/kept/runs/wait", {**_RUN, "checkpoint_id": NUL}),
    (
        "POST",
        "/threads/kept/runs/stream",
        {**_RUN, "checkpoint": {"checkpoint_id": NUL}},
    ),
    ("POST", "/threads/kept/runs/wait", {**_RUN, "command": {"resume": NUL}}),
    ("POST", "/threads/kept/history", {"before": NUL}),
    ("POST", "/threads/kept/history", {"before": {"checkpoint_id": NUL}}),
    ("GET", f"/threads/kept/history?before={NUL_IN_URL}", None),
    ("GET", f"/threads/kept/state/{NUL_IN_URL}", None),
    ("POST", "/threads/kept/state/checkpoint", {"checkpoint": {"checkpoint_id": NUL}}),
    ("POST", "/invoke", {"message": NUL}),
    ("POST", "/stream", {"message": "hi", "thread_id": NUL}),
    ("POST", "/feedback", {"run_id": NUL, "score": 1}),
    ("POST", "/feedback", {"run_id": "run", "score": 1, "text": NUL}),
]


def test_nul_characters_are_refused_before_postgres(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        assert client.post("/threads", json={"thread_id": "kept"}).status_code == 200
        answers = [
            (path, body, client.request(method, path, json=body))
            for method, path, body in NUL_REQUESTS
        ]
        kept = client.get("/threads/kept").json()
        ready = client.get("/readyz")

    for path, body, response in answers:
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["error"]["code"] == "invalid_request", (path, body)
    assert kept["messages"] == []
    assert kept["metadata"] == {}
    assert ready.json() == {"status": "ready"}


async def test_connections_the_database_ended_are_replaced_before_use(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )
    async with open_persistence(settings) as persistence:
        registry = ThreadRegistry(persistence.store, statements=persistence.records)
        await registry.create("before")  # the pool has connections, idle now
        async with await psycopg.AsyncConnection.connect(
            database_url, autocommit=True
        ) as admin:
            # What a restart or a failover does to every session but this one.
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        await asyncio.sleep(0.2)  # the sessions' goodbyes arrive

        # The pool lends none of the ended connections: no run pays for them.
        await registry.create("after")
        assert await registry.get("after") is not None
