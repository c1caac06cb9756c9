"""The thread registry on the real databases: a status change is one statement with
no read before it, keeps metadata written meanwhile, never brings a deleted thread
back; a run records a new thread once when no client can know its id earlier."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.runtime.persistence import open_persistence
from {{ cookiecutter.package_name }}.runtime.threads import ThreadRegistry
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS


@pytest.fixture(params=["sqlite", "postgres"])
async def registry(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[ThreadRegistry]:
    if request.param == "postgres":
        url = request.getfixturevalue("database_url")
        settings = Settings(
            _env_file=None, data_dir=settings.data_dir, database_url=url
        )
    async with open_persistence(settings) as persistence:
        yield ThreadRegistry(persistence.store, statements=persistence.records)


async def test_a_status_change_reads_nothing_and_keeps_other_keys(
    registry: ThreadRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = await registry.create(metadata={"user": "ada"})
    await registry.add_metadata(thread.thread_id, {"graph_id": "agent"})
    reads: list[Any] = []
    original_get = registry.store.aget

    async def counted_get(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return await original_get(*args, **kwargs)

    monkeypatch.setattr(registry.store, "aget", counted_get)

    await registry.set_status(thread.thread_id, "busy")
    assert reads == []
    await registry.set_status(thread.thread_id, "interrupted")
    assert reads == []

    after = await registry.get(thread.thread_id)
    assert after is not None
    assert after.status == "interrupted"
    assert after.metadata == {"user": "ada", "graph_id": "agent"}
    assert after.updated_at >= thread.updated_at
    assert [t.thread_id for t in await registry.search(status="interrupted")] == [
        thread.thread_id
    ]


async def test_a_whole_record_is_one_statement_that_keeps_its_creation_time(
    registry: ThreadRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[Any] = []
    original_batch = registry.store.abatch

    async def counted_batch(*args: Any, **kwargs: Any) -> Any:
        batches.append(args)
        return await original_batch(*args, **kwargs)

    monkeypatch.setattr(registry.store, "abatch", counted_batch)

    await registry.set_status("t-1", "busy", metadata={"user": "ada"}, owner="ada")
    assert batches == []  # not through the store's batch (no read, no transaction)
    monkeypatch.undo()
    created = await registry.get("t-1")
    await registry.set_status("t-1", "idle", metadata={"user": "bob"})
    rewritten = await registry.get("t-1")

    assert created is not None
    assert (created.status, created.metadata, created.owner) == (
        "busy",
        {"user": "ada"},
        "ada",
    )
    assert rewritten is not None
    assert (rewritten.status, rewritten.metadata, rewritten.owner) == (
        "idle",
        {"user": "bob"},
        "anonymous",
    )
    assert rewritten.created_at == created.created_at
    assert rewritten.updated_at >= created.updated_at


async def test_new_metadata_keeps_the_creation_time(registry: ThreadRegistry) -> None:
    thread = await registry.create(metadata={"user": "ada"})
    await asyncio.sleep(0.05)  # both databases keep milliseconds at least

    await registry.add_metadata(thread.thread_id, {"graph_id": "agent"})
    await registry.add_metadata(thread.thread_id, {"graph_id": "agent"})  # no-op

    after = await registry.get(thread.thread_id)
    assert after is not None
    assert after.metadata == {"user": "ada", "graph_id": "agent"}
    assert after.created_at == thread.created_at
    assert after.updated_at > thread.updated_at


async def test_a_change_within_the_second_moves_updated_at(
    registry: ThreadRegistry,
) -> None:
    """Sub-second timestamps: SQLite's own default keeps whole seconds, and a thread
    created then run within one seemed never updated (created_at == updated_at)."""
    thread = await registry.create()
    await asyncio.sleep(0.05)

    await registry.set_status(thread.thread_id, "busy")

    after = await registry.get(thread.thread_id)
    assert after is not None
    assert after.created_at == thread.created_at
    assert after.updated_at > thread.updated_at


def test_a_thread_keeps_its_creation_time_across_protocol_runs(
    settings: Settings,
) -> None:
    model = ScriptedChatModel()
    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        thread = client.post("/threads", json={}).json()
        time.sleep(1.1)  # the databases keep whole seconds
        body = {
            "assistant_id": "agent",
            "input": {"messages": [{"role": "user", "content": "hi"}]},
        }
        path = f"/threads/{thread['thread_id']}/runs/wait"
        assert client.post(path, json=body).is_success
        after = client.get(f"/threads/{thread['thread_id']}").json()
        [found] = client.post("/threads/search", json={}).json()

    assert after["created_at"] == found["created_at"] == thread["created_at"]
    assert after["updated_at"] > after["created_at"]
    assert after["metadata"]["graph_id"] == "agent"


async def test_a_status_change_never_brings_a_deleted_thread_back(
    registry: ThreadRegistry,
) -> None:
    thread = await registry.create()
    await registry.delete(thread.thread_id)

    await registry.set_status(thread.thread_id, "idle")
    await registry.set_status("never-created", "busy")

    assert await registry.get(thread.thread_id) is None
    assert await registry.get("never-created") is None


async def test_an_owner_finds_only_their_threads_and_keeps_them(
    registry: ThreadRegistry,
) -> None:
    alices = await registry.create(metadata={"team": "a"}, owner="alice")
    bobs = await registry.create(metadata={"team": "a"}, owner="bob")
    anonymous = await registry.create(metadata={"team": "a"})
    # A status change (one UPDATE of the status) keeps the owner.
    await registry.set_status(alices.thread_id, "busy")
    await registry.set_status(alices.thread_id, "idle")

    def ids(found: list[Any]) -> list[str]:
        return [thread.thread_id for thread in found]

    assert ids(await registry.search(owner="alice")) == [alices.thread_id]
    assert ids(await registry.search(owner="bob", status="idle")) == [bobs.thread_id]
    assert ids(await registry.search(owner="anonymous")) == [anonymous.thread_id]
    assert len(await registry.search(metadata={"team": "a"})) == 3  # the server's
    assert await registry.get(alices.thread_id, owner="bob") is None
    found = await registry.get(alices.thread_id, owner="alice")
    assert found is not None
    assert found.owner == "alice"


def _count_status_writes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, dict[str, Any] | None]]:
    threads = client.app.state.runner.threads  # type: ignore[attr-defined]
    writes: list[tuple[str, dict[str, Any] | None]] = []
    original = threads.set_status

    async def counted(
        thread_id: str,
        status: Any,
        *,
        metadata: dict[str, Any] | None = None,
        **owner: Any,
    ) -> None:
        writes.append((status, metadata))
        await original(thread_id, status, metadata=metadata, **owner)

    monkeypatch.setattr(threads, "set_status", counted)
    return writes


def test_invoke_records_a_new_thread_once_and_stream_before_its_first_event(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        writes = _count_status_writes(client, monkeypatch)
        invoked = client.post("/invoke", json={"message": "Hello"}).json()
        invoke_writes = list(writes)
        writes.clear()
        with client.stream("POST", "/stream", json={"message": "Hi"}) as response:
            response.read()
        stream_writes = list(writes)
        record = client.get(f"/threads/{invoked['thread_id']}").json()

    # /invoke: the id reaches the client with the reply, so one write at the end.
    assert invoke_writes == [("idle", {})]
    # /stream: busy (whole record) before the id is sent, then the status.
    assert stream_writes == [("busy", {}), ("idle", None)]
    assert record["status"] == "idle"
    assert [m["content"] for m in record["messages"]] == ["Hello", "You said: Hello"]
