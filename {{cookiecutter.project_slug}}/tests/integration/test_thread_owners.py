"""Threads have owners: with AUTH_MODE=test, two identities never see, search,
continue, cancel or rate each other's threads (another's thread is a 404)."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from {{ cookiecutter.package_name }}.agent.state import AgentState
from {{ cookiecutter.package_name }}.runtime.run_types import RunHandle, RunRequest
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.server.auth import TEST_USER_HEADER
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS

ALICE = {TEST_USER_HEADER: "alice@example.com"}
BOB = {TEST_USER_HEADER: "bob@example.com"}
ASK = {"messages": [{"role": "user", "content": "What is stored under alpha?"}]}
RUN = {"assistant_id": "agent", "input": ASK}
HELD = AgentState(messages=[HumanMessage("Hold on")])


@pytest.fixture
def owned(settings: Settings, model: ScriptedChatModel) -> Iterator[TestClient]:
    """The app with AUTH_MODE=test: the x-test-user header says who asks."""
    settings = settings.model_copy(update={"auth_mode": "test"})
    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        yield client


def alices_thread(client: TestClient, **body: Any) -> str:
    response = client.post("/threads", json=body, headers=ALICE)
    assert response.status_code == 200, response.text
    thread_id: str = response.json()["thread_id"]
    return thread_id


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


def test_a_request_without_an_identity_is_a_401(owned: TestClient) -> None:
    for response in (
        owned.post("/threads", json={}),
        owned.post("/threads/search", json={}),
        owned.post("/invoke", json={"message": "Hi"}),
    ):
        assert error_code(response, 401) == "unauthenticated"
        assert TEST_USER_HEADER in response.json()["error"]["message"]


def test_another_owners_thread_is_not_found(owned: TestClient) -> None:
    thread_id = alices_thread(owned)
    assert owned.post(f"/threads/{thread_id}/runs/wait", json=RUN, headers=ALICE)
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("get", f"/threads/{thread_id}", None),
        ("get", f"/threads/{thread_id}/state", None),
        ("get", f"/threads/{thread_id}/history", None),
        ("post", f"/threads/{thread_id}/history", {}),
        ("post", f"/threads/{thread_id}/state/checkpoint", {"checkpoint": {}}),
        ("post", f"/threads/{thread_id}/runs/wait", RUN),
        ("post", f"/threads/{thread_id}/runs/stream", RUN),
        ("post", f"/threads/{thread_id}/runs/wait", {**RUN, "if_not_exists": "create"}),
        ("post", "/invoke", {"message": "Hi", "thread_id": thread_id}),
        ("post", "/stream", {"message": "Hi", "thread_id": thread_id}),
    ]
    for method, path, body in reads:
        response = owned.request(method, path, json=body, headers=BOB)
        assert error_code(response, 404) == "thread_not_found", (method, path)
    # Alice still reads all of it, and her thread never ran for Bob.
    for method, path, body in reads[:5]:
        response = owned.request(method, path, json=body, headers=ALICE)
        assert response.status_code == 200, (method, path, response.text)
    messages = owned.get(f"/threads/{thread_id}", headers=ALICE).json()["messages"]
    assert len(messages) == 2


def test_search_returns_the_callers_threads_only(owned: TestClient) -> None:
    alices = {alices_thread(owned, metadata={"team": "a"}) for _ in range(2)}
    bobs = owned.post("/threads", json={"metadata": {"team": "a"}}, headers=BOB)
    stateless = owned.post("/runs/wait", json={**RUN, "on_completion": "keep"})
    assert error_code(stateless, 401) == "unauthenticated"
    kept = owned.post(
        "/runs/wait", json={**RUN, "on_completion": "keep"}, headers=ALICE
    )
    assert kept.status_code == 200, kept.text
    invoked = owned.post("/invoke", json={"message": "Hi"}, headers=ALICE)

    def search(headers: dict[str, str], **body: Any) -> set[str]:
        response = owned.post(
            "/threads/search", json={"limit": 1000, **body}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {thread["thread_id"] for thread in response.json()}

    mine = search(ALICE)
    assert alices <= mine
    assert invoked.json()["thread_id"] in mine
    assert len(mine) == 4  # two created, one by a kept stateless run, one invoked
    assert search(BOB) == {bobs.json()["thread_id"]}
    assert search(BOB, metadata={"team": "a"}) == {bobs.json()["thread_id"]}
    assert search(BOB, ids=list(alices)) == set()


def test_metadata_cannot_make_a_thread_anothers(owned: TestClient) -> None:
    thread_id = alices_thread(owned, metadata={"owner": "bob@example.com"})
    run = {**RUN, "metadata": {"owner": "bob@example.com", "user": "bob"}}
    ran = owned.post(f"/threads/{thread_id}/runs/wait", json=run, headers=ALICE)
    assert ran.status_code == 200, ran.text

    response = owned.get(f"/threads/{thread_id}", headers=BOB)
    assert error_code(response, 404) == "thread_not_found"
    search = owned.post("/threads/search", json={"limit": 1000}, headers=BOB)
    assert search.json() == []
    assert owned.get(f"/threads/{thread_id}", headers=ALICE).status_code == 200


def test_another_owners_thread_id_is_not_handed_back(owned: TestClient) -> None:
    thread_id = alices_thread(owned)
    again = {"thread_id": thread_id, "if_exists": "do_nothing"}
    response = owned.post("/threads", json=again, headers=BOB)
    assert error_code(response, 409) == "thread_exists"
    assert owned.post("/threads", json=again, headers=ALICE).status_code == 200


def test_feedback_on_another_owners_run_is_not_found(owned: TestClient) -> None:
    invoked = owned.post("/invoke", json={"message": "Hi"}, headers=ALICE).json()
    rating = {"run_id": invoked["run_id"], "score": 1}
    for body in (rating, {**rating, "thread_id": invoked["thread_id"]}):
        response = owned.post("/feedback", json=body, headers=BOB)
        assert error_code(response, 404) == "run_not_found"
    response = owned.post("/feedback", json=rating, headers=ALICE)
    assert response.status_code == 201, response.text


def test_another_owner_cannot_cancel_a_run(settings: Settings) -> None:
    release = threading.Event()

    @tool
    async def hold() -> str:
        """Wait until the test lets the run go on."""
        await asyncio.to_thread(release.wait, 10)
        return "released"

    settings = settings.model_copy(update={"auth_mode": "test"})
    model = ScriptedChatModel(turns=[calls(("hold", {}))])
    app = create_app(settings, model=model, tools=[*TEST_TOOLS, hold])
    with TestClient(app) as client:
        thread_id = alices_thread(client)
        runner = app.state.runner
        assert client.portal is not None

        async def start() -> RunHandle:
            request = RunRequest(thread_id, HELD)
            handle: RunHandle = await runner.start(request, ["values"])
            return handle

        try:
            handle = client.portal.call(start)
            run_id = runner.active.run_id(thread_id)
            cancel = f"/threads/{thread_id}/runs/{run_id}/cancel"
            response = client.post(cancel, headers=BOB)
            assert error_code(response, 404) == "thread_not_found"
            assert runner.active.run_id(thread_id) == run_id
            assert client.post(cancel, headers=ALICE).status_code == 202
        finally:
            release.set()
        client.portal.call(runner.active.finished, thread_id)
        assert handle.task.cancelled() or handle.task.done()
        assert runner.active.run_id(thread_id) is None


def test_test_mode_is_refused_on_cloud_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K_SERVICE", "my-agent")
    settings = settings.model_copy(update={"auth_mode": "test"})
    with pytest.raises(SystemExit, match="refused on Cloud Run"):
        create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)


def test_without_authentication_everyone_is_one_identity(client: TestClient) -> None:
    created = client.post("/threads", json={}, headers=BOB).json()["thread_id"]
    # The header means nothing with AUTH_MODE=none: every caller shares the thread.
    assert client.get(f"/threads/{created}").status_code == 200
    assert client.get(f"/threads/{created}", headers=ALICE).status_code == 200
