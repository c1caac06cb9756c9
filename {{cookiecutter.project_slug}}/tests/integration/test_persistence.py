"""Conversations survive a restart of the real server process."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .ports import free_port


@contextmanager
def serve(data_dir: Path) -> Iterator[httpx.Client]:
    """Run the app under uvicorn, as `make dev` does, until the block ends."""
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir)}
    command = [
        sys.executable, "-m", "uvicorn", "--factory",
        "{{ cookiecutter.package_name }}.server.app:create_app",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            _wait_until_ready(client, server)
            yield client
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wait_until_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited during startup"
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready within 30 s")


def test_a_conversation_survives_a_restart(tmp_path: Path) -> None:
    with serve(tmp_path) as client:
        first = client.post("/invoke", json={"message": "My name is Grace"}).json()
        before = client.get(f"/threads/{first['thread_id']}").json()

    with serve(tmp_path) as client:
        after = client.get(f"/threads/{first['thread_id']}").json()
        reply = client.post(
            "/invoke",
            json={"message": "What is my name?", "thread_id": first["thread_id"]},
        ).json()

    assert after == before
    assert len(after["messages"]) == 2
    assert reply["reply"] == "Your name is Grace."
