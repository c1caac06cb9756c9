"""Slow: bake representative projects and run their own `make install`, `lint`,
`test`, `eval` and `bench`.

The baked project runs as a new user would run it: no outer virtualenv, an empty HOME,
no Google credentials. Only uv's download cache is shared, so packages are not fetched
again for every bake.
"""

import json
import os
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers import (
    COMMAND_TIMEOUT_SECONDS,
    bake_or_fail,
    describe_failure,
    isolated_environment,
    run,
    skip_machinery_tests,
)

# Defaults, and one bake per other deployment or agent. A second package name on
# the Python running the tests is baked by tests/test_replacing_the_example.py.
SLOW_COMBINATIONS: dict[str, dict[str, str]] = {
    "defaults": {},
    # The retrieval agent: ingestion, pgvector and grounding tests run in the project.
    "rag": {"agent": "rag"},
    # Agent Engine: its app class and deploy script's tests run in the project.
    "agent-engine": {
        "deployment_target": "agent_engine",
        "cicd_runner": "github_actions",
        "session_store": "sqlite",
    },
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "extra_context"), SLOW_COMBINATIONS.items(), ids=list(SLOW_COMBINATIONS)
)
def test_generated_project_passes_its_own_checks(
    cookies: Any, tmp_path: Path, name: str, extra_context: dict[str, str]
) -> None:
    locking = {**extra_context, "_lock_dependencies": "yes"}
    project = Path(bake_or_fail(cookies, locking).project_path)
    # The lock the post-generation hook wrote is the tested set, and is what
    # `make install` installs: it must not move.
    lock = project / "uv.lock"
    assert lock.exists(), "the post-generation hook wrote no uv.lock"
    locked = lock.read_text()
    assert exclude_newer(locked) == expected_exclude_newer(project)
    home = tmp_path / "home"
    home.mkdir()
    environment = isolated_environment(home)
    if name != "defaults":
        skip_machinery_tests(environment)
    for target in ("install", "lint", "test", "eval"):
        process = run(
            ["make", target],
            cwd=project,
            env=environment,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        assert process.returncode == 0, describe_failure(process)
    assert lock.read_text() == locked, "make install re-resolved the lock"
    # The smoke benchmark, as short as it goes: it runs, not how fast (the
    # template's own `make bench` and tests/test_bench.py are for the suite).
    bench = ["make", "bench", "BENCH_ARGS=--turns 2 --rounds 1 --concurrency 1"]
    process = run(bench, cwd=project, env=environment)
    assert process.returncode == 0, describe_failure(process)
    assert "CPU per turn" in process.stdout


@pytest.mark.slow
def test_container_recipe_serves_without_dev_dependencies(
    cookies: Any, tmp_path: Path
) -> None:
    """No Docker engine here: replay the Dockerfile's install and CMD instead.

    The runtime environment is built as the image builds it (`uv sync --locked
    --no-dev --no-editable`), then the image's CMD runs from it, with PORT set as
    Cloud Run sets it: the server must answer without any dev dependency.
    """
    project = Path(bake_or_fail(cookies, {}).project_path)
    home = tmp_path / "home"
    home.mkdir()
    environment = isolated_environment(home)
    lock = run(["uv", "lock"], cwd=project, env=environment, timeout=600)
    assert lock.returncode == 0, describe_failure(lock)
    runtime = tmp_path / "runtime"
    environment["UV_PROJECT_ENVIRONMENT"] = str(runtime)
    sync = ["uv", "sync", "--locked", "--no-dev", "--no-editable"]
    process = run(sync, cwd=project, env=environment, timeout=600)
    assert process.returncode == 0, describe_failure(process)
    assert not (runtime / "bin" / "pytest").exists(), "dev dependencies leaked in"

    command = dockerfile_command(project / "Dockerfile")
    port = free_port()
    environment.update(
        PORT=str(port),
        PATH=f"{runtime / 'bin'}{os.pathsep}{environment['PATH']}",
        DATA_DIR=str(tmp_path / "data"),
    )
    with serving(command, cwd=tmp_path, env=environment) as base_url:
        reply = httpx.post(f"{base_url}/invoke", json={"message": "Weather in Paris?"})
    assert reply.status_code == 200, reply.text
    assert "Paris" in reply.json()["reply"]
    assert "server" not in reply.headers  # --no-server-header


def exclude_newer(lock_text: str) -> str:
    """The upload-date cut-off a uv.lock was resolved with."""
    options: dict[str, str] = tomllib.loads(lock_text).get("options", {})
    return options.get("exclude-newer", "")


def expected_exclude_newer(project: Path) -> str:
    """pyproject.toml's date, or UV_EXCLUDE_NEWER's in the newest-releases mode."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return (
        os.environ.get("UV_EXCLUDE_NEWER") or pyproject["tool"]["uv"]["exclude-newer"]
    )


def dockerfile_command(dockerfile: Path) -> list[str]:
    """The exec-form CMD of the Dockerfile's last stage."""
    lines = [
        line for line in dockerfile.read_text().splitlines() if line.startswith("CMD ")
    ]
    command: list[str] = json.loads(lines[-1].removeprefix("CMD "))
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run a server command until /readyz answers; yield its URL; stop it."""
    # The image listens on 0.0.0.0; the test only ever talks to loopback.
    base_url = f"http://127.0.0.1:{env['PORT']}"
    server = subprocess.Popen(command, cwd=cwd, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{base_url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the container command did not become ready in 60 s")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
