"""The app served by a real uvicorn process, as `make dev` serves it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .ports import free_port

APP = "{{ cookiecutter.package_name }}.server.app:create_app"


@dataclass(frozen=True)
class ServerProcess:
    """A running server: its URL, and its process for tests that signal it."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost VM does: no shutdown code runs."""
        self.process.kill()
        self.process.wait(timeout=30)


@contextmanager
def live_server(
    data_dir: Path,
    settings: dict[str, str] | None = None,
    *,
    log_path: Path | None = None,
) -> Iterator[str]:
    """Serve on a free loopback port with these settings (env vars); yield the URL.

    The server's log lines go to `log_path` if given.
    """
    with live_server_process(data_dir, settings, log_path=log_path) as server:
        yield server.url


@contextmanager
def live_server_process(
    data_dir: Path,
    settings: dict[str, str] | None = None,
    *,
    log_path: Path | None = None,
) -> Iterator[ServerProcess]:
    """`live_server`, yielding the process too; it may be killed inside the block."""
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), **(settings or {})}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", APP,
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with (log_path or Path(os.devnull)).open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(url, server)
            yield ServerProcess(url, server)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _wait_until_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited during startup"
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready within 30 s")
