"""The app served by a real uvicorn process, as `make dev` serves it, on the
scripted model and the neutral test tools (tests/fakes/scripted_app.py): a user
message with `lookup:<key>` calls the `lookup` tool, anything else is echoed. So
no test served here depends on the example agent's tools, prompt or wording.

SCRIPTED_TOKEN_DELAY_MS in `settings` slows the token stream (runs to cancel,
find busy or kill mid-stream); the other settings are the app's env vars.
"""

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

# The factory is imported from the project root (the `tests` package).
PROJECT = Path(__file__).parents[2]
# The scripted app by default: `lookup:<key>` calls the test tool, the rest is echoed.
SCRIPTED_APP = "tests.fakes.scripted_app:create_app"


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
    app: str = SCRIPTED_APP,
) -> Iterator[str]:
    """Serve `app` (an app factory, `module:function`) on a free loopback port with
    these settings (env vars); yield the URL.

    The server's log lines go to `log_path` if given.
    """
    with live_server_process(data_dir, settings, log_path=log_path, app=app) as server:
        yield server.url


@contextmanager
def live_server_process(
    data_dir: Path,
    settings: dict[str, str] | None = None,
    *,
    log_path: Path | None = None,
    app: str = SCRIPTED_APP,
) -> Iterator[ServerProcess]:
    """`live_server`, yielding the process too; it may be killed inside the block."""
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), **(settings or {})}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", app,
        "--host", "127.0.0.1", "--port", str(port), "--no-server-header",
    ]  # fmt: skip
    with (log_path or Path(os.devnull)).open("wb") as log:
        server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, server)
            yield ServerProcess(url, server)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def wait_until_ready(
    url: str,
    server: subprocess.Popen[bytes],
    *,
    path: str = "/readyz",
    seconds: float = 30.0,
    log: Path | None = None,
) -> None:
    """Wait until `GET {url}{path}` answers 200; fail (with the log, if any) if the
    server exits or takes longer than `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = f":\n{log.read_text()}" if log else ""
            raise AssertionError(f"the server exited during startup{said}")
        try:
            if httpx.get(f"{url}{path}").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    said = f":\n{log.read_text()}" if log else ""
    raise AssertionError(f"the server did not become ready within {seconds:g} s{said}")
