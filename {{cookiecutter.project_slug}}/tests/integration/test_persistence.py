"""Conversations survive a restart of the real server process."""

from pathlib import Path

import httpx

from .live_server import live_server


def test_a_conversation_survives_a_restart(tmp_path: Path) -> None:
    with live_server(tmp_path) as url:
        first = httpx.post(f"{url}/invoke", json={"message": "My name is Grace"}).json()
        before = httpx.get(f"{url}/threads/{first['thread_id']}").json()

    with live_server(tmp_path) as url:
        after = httpx.get(f"{url}/threads/{first['thread_id']}").json()
        reply = httpx.post(
            f"{url}/invoke",
            json={"message": "What is my name?", "thread_id": first["thread_id"]},
        ).json()

    assert after["messages"] == before["messages"]
    assert len(after["messages"]) == 2
    assert reply["reply"] == "Your name is Grace."
