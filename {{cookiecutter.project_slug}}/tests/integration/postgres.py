"""A throwaway PostgreSQL server for tests, started from the installed binaries.

Finds `initdb` and `pg_ctl` through $PG_BINDIR, `pg_config --bindir` or $PATH
(Debian: `apt-get install postgresql`), initialises a cluster in a temporary
directory, and serves it on a Unix socket there and a free port on 127.0.0.1.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres`
system user that the distribution's package creates.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .ports import free_port


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def _bindir() -> Path:
    candidates = [os.environ.get("PG_BINDIR", "")]
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(result.stdout.strip())
    if initdb := shutil.which("initdb"):
        candidates.append(str(Path(initdb).parent))
    for candidate in filter(None, candidates):
        if (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    raise PostgresUnavailableError(
        "no PostgreSQL server binaries (initdb, pg_ctl): install them "
        "(Debian: apt-get install postgresql) or set PG_BINDIR"
    )


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: its URL, and `pg_ctl` to stop and start it again (a
    database restart, as Cloud SQL's maintenance does)."""

    url: str
    pg_ctl: Callable[..., None]

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self.pg_ctl("-w", "start")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a fresh server; yield it; stop it and delete its data."""
    bindir = _bindir()
    as_user: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(workdir, user="postgres")
    data, port = workdir / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(workdir / "log")

    def pg_ctl(*arguments: str) -> None:
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            log,
            *arguments,
        )

    pg_ctl("-w", "start")
    try:
        yield PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", pg_ctl)
    finally:
        pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(workdir, ignore_errors=True)
