"""Memory across conversations (MEMORY=store): what a user says about themselves in
one thread is recalled in their next ones, and only theirs; they can list and
erase it; it survives a restart; MEMORY=off keeps nothing."""

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS
from .live_server import live_server


def test_a_name_given_in_one_thread_is_known_in_a_new_one(tmp_path: Path) -> None:
    # The offline local model, the single local user (AUTH_MODE=none).
    settings = Settings(_env_file=None, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        client.post("/invoke", json={"message": "Hello, my name is Ada."})
        asked = client.post("/invoke", json={"message": "What is my name?"}).json()

    assert asked["reply"] == "Your name is Ada."


def test_the_model_reads_memories_as_facts_about_the_user(
    client: TestClient, model: ScriptedChatModel
) -> None:
    client.post("/invoke", json={"message": "I live in Lisbon and I prefer tea"})
    client.post("/invoke", json={"message": "Hello again"})

    system = model.seen[-1][0].text
    assert system.endswith(
        "\n- The user lives in Lisbon.\n- The user prefers tea."
    ) or system.endswith("\n- The user prefers tea.\n- The user lives in Lisbon.")
    # The first run's own prompt had none yet.
    assert "The user lives in" not in model.seen[0][0].text


def test_another_users_runs_never_read_them(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, auth_mode="test")
    model = ScriptedChatModel()
    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        ada, bob = {"x-test-user": "ada"}, {"x-test-user": "bob"}
        client.post("/invoke", json={"message": "My name is Ada"}, headers=ada)
        client.post("/invoke", json={"message": "Hello"}, headers=bob)
        client.post("/invoke", json={"message": "Hello"}, headers=ada)

    prompts = [turn[0].text for turn in model.seen]
    assert "The user's name is Ada." not in prompts[1]  # Bob's
    assert "The user's name is Ada." in prompts[2]  # Ada's


def test_with_memory_turned_off_none_is_read_any_more(tmp_path: Path) -> None:
    model = ScriptedChatModel()
    on = Settings(_env_file=None, data_dir=tmp_path)
    with TestClient(create_app(on, model=model, tools=TEST_TOOLS)) as client:
        first = client.post("/invoke", json={"message": "My name is Ada"}).json()
        turn = {"message": "Hi", "thread_id": first["thread_id"]}
        client.post("/invoke", json=turn)
    off = Settings(_env_file=None, data_dir=tmp_path, memory="off")
    with TestClient(create_app(off, model=model, tools=TEST_TOOLS)) as client:
        client.post("/invoke", json=turn)

    assert "The user's name is Ada." in model.seen[1][0].text
    # Not from the store, nor from anything the thread kept of it.
    assert "The user's name is Ada." not in model.seen[2][0].text


def test_erased_memories_are_not_read_even_in_the_same_thread(
    client: TestClient, model: ScriptedChatModel
) -> None:
    first = client.post("/invoke", json={"message": "My name is Ada"}).json()
    client.post("/invoke", json={"message": "Hi", "thread_id": first["thread_id"]})
    client.delete("/memories")
    client.post("/invoke", json={"message": "Hi", "thread_id": first["thread_id"]})

    assert "The user's name is Ada." in model.seen[1][0].text
    assert "The user's name is Ada." not in model.seen[2][0].text


def test_memories_are_the_callers_own_and_can_be_listed_and_erased(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path, {"AUTH_MODE": "test"}) as url:
        ada = httpx.Client(base_url=url, headers={"x-test-user": "ada"})
        bob = httpx.Client(base_url=url, headers={"x-test-user": "bob"})
        ada.post("/invoke", json={"message": "My name is Ada and I work at Acme"})
        listed = ada.get("/memories").json()["memories"]
        theirs = bob.get("/memories").json()["memories"]
        refused = bob.delete("/memories/name")
        one = ada.delete("/memories/name")
        after_one = [m["key"] for m in ada.get("/memories").json()["memories"]]
        erased = ada.delete("/memories").json()
        after_all = ada.get("/memories").json()["memories"]
        missing = ada.delete("/memories/name")

    assert {m["key"]: m["text"] for m in listed} == {
        "name": "The user's name is Ada.",
        "work": "The user works at Acme.",
    }
    assert theirs == []
    assert refused.status_code == 404
    assert one.status_code == 204
    assert after_one == ["work"]
    assert erased == {"erased": 1}
    assert after_all == []
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "memory_not_found"


def test_memories_survive_a_restart(tmp_path: Path) -> None:
    with live_server(tmp_path) as url:
        httpx.post(f"{url}/invoke", json={"message": "My name is Ada"})
    with live_server(tmp_path) as url:
        memories = httpx.get(f"{url}/memories").json()["memories"]

    assert [m["text"] for m in memories] == ["The user's name is Ada."]


def test_with_memory_off_nothing_is_kept(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, memory="off")
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        client.post("/invoke", json={"message": "My name is Ada"})
        memories = client.get("/memories").json()["memories"]

    assert memories == []
