"""Conversations survive a restart of the real server process.

The server runs the scripted model (live_server.py), which echoes each message and
counts a word as a token: a run's `usage.input_tokens` shows how much history the
model was given.
"""

from pathlib import Path

import httpx

from .live_server import live_server


def test_a_conversation_survives_a_restart(tmp_path: Path) -> None:
    with live_server(tmp_path) as url:
        first = httpx.post(f"{url}/invoke", json={"message": "Hello from Grace"}).json()
        before = httpx.get(f"{url}/threads/{first['thread_id']}").json()

    with live_server(tmp_path) as url:
        after = httpx.get(f"{url}/threads/{first['thread_id']}").json()
        body = {"message": "Second turn", "thread_id": first["thread_id"]}
        reply = httpx.post(f"{url}/invoke", json=body).json()
        alone = httpx.post(f"{url}/invoke", json={"message": "Second turn"}).json()

    assert after["messages"] == before["messages"]
    assert [(m["role"], m["content"]) for m in after["messages"]] == [
        ("user", "Hello from Grace"),
        ("assistant", "You said: Hello from Grace"),
    ]
    assert reply["reply"] == "You said: Second turn"
    # The restarted server gave the model the first turn too: its input has the
    # first turn's words (3 + 5) more than the same message on a new thread.
    extra = reply["usage"]["input_tokens"] - alone["usage"]["input_tokens"]
    assert extra == 8
