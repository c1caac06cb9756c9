"""Shared by the template tests: named option combinations, ways to inspect a bake."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

HOSTILE_PROJECT_NAME = 'Ça "va" \\ l\'agent ☃'
HOSTILE_DESCRIPTION = (
    "An \"agent\" that's 'quoted', with back\\slashes \\n \\\\ and unicode: "
    "日本語, émoji 🤖, ''' and \"\"\" too"
)
HOSTILE_AUTHOR_NAME = 'O\'Brien "Bob" \\'

# Named combinations of cookiecutter options; an empty dict means all defaults.
COMBINATIONS: dict[str, dict[str, str]] = {
    "defaults": {},
    "python-3.12": {"python_version": "3.12"},
    "python-3.13": {"python_version": "3.13"},
    # Every deployment target x CI/CD runner (defaults: Cloud Run, Cloud Build).
    "cloud-run-github": {"cicd_runner": "github_actions"},
    "agent-engine-cloud-build": {
        "deployment_target": "agent_engine",
        "session_store": "sqlite",
    },
    "agent-engine-github-sqlite": {
        "deployment_target": "agent_engine",
        "cicd_runner": "github_actions",
        "session_store": "sqlite",
    },
    "cloud-run-sqlite": {"session_store": "sqlite"},
    # The retrieval agent (Cloud Run and Cloud SQL only) with each CI/CD runner.
    "rag": {"agent": "rag"},
    "rag-github": {"agent": "rag", "cicd_runner": "github_actions"},
    "long-names": {
        "project_name": "Customer Support Escalation And Knowledge Base Agent",
        # The longest slug (49) and package name (32) the pre-generation hook accepts.
        "project_slug": "customer-support-escalation-and-knowledge-base-ag",
        "package_name": "customer_support_escalation_kbot",
        "description": (
            "Answers customer questions from the knowledge base and escalates "
            "the rest to a human"
        ),
        "author_name": "Maximiliane Alexandra von Hohenzollern-Sigmaringen",
        "author_email": "maximiliane.alexandra@customer-support.example.com",
        "gcp_region": "northamerica-northeast1",
        "model_name": "publishers/google/models/gemini-2.5-flash-lite-preview@001",
    },
    "hostile": {
        "project_name": HOSTILE_PROJECT_NAME,
        "description": HOSTILE_DESCRIPTION,
        "author_name": HOSTILE_AUTHOR_NAME,
        "author_email": "o.brien+bob@example.co.uk",
    },
}

# Substitutions every Cloud Build trigger passes (the deployment contract between
# Terraform and the pipelines). _MIRROR is the Artifact Registry remote repository
# the step images are pulled through.
TRIGGER_SUBSTITUTIONS = frozenset(
    {
        "_REGISTRY",
        "_MIRROR",
        "_REGION",
        "_STAGING_PROJECT_ID",
        "_PROD_PROJECT_ID",
        "_APP",
    }
)

# Jinja left behind. `${{` is a GitHub Actions expression, which the template emits on
# purpose from `{% raw %}` blocks, so it does not count.
UNRENDERED_RE = re.compile(r"(?<!\$)\{\{|\{%|cookiecutter\.")


def load_hook(name: str) -> ModuleType:
    """Import hooks/<name>.py from its path; the hooks directory is not a package."""
    path = TEMPLATE_ROOT / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"hooks_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bake_or_fail(cookies: Any, extra_context: dict[str, str]) -> Any:
    """Bake with pytest-cookies and return the result; fail loudly if it failed.

    The post-generation `uv lock` is off unless `extra_context` turns it on: most
    tests only read the files, and locking costs seconds and the network.
    """
    result = cookies.bake(extra_context={"_lock_dependencies": "no", **extra_context})
    assert result.exit_code == 0, f"bake failed: {result.exception!r}"
    assert result.exception is None
    return result


def project_files(root: Path) -> Iterator[Path]:
    """Every file of a baked project, in a stable order, skipping tool caches."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(
            part in {".venv", ".ruff_cache", ".mypy_cache", ".pytest_cache"}
            or part == "__pycache__"
            for part in relative.parts
        ):
            yield path


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file (not UTF-8, or holding NUL bytes)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def files_with_suffix(root: Path, *suffixes: str) -> list[Path]:
    return [path for path in project_files(root) if path.suffix in suffixes]


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output; a timeout becomes a failed process."""
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        return subprocess.CompletedProcess(
            command,
            returncode=-1,
            stdout=_as_text(error.stdout),
            stderr=_as_text(error.stderr) + f"\n[timed out after {timeout} s]",
        )


def _as_text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", errors="replace")
    return output or ""


def describe_failure(process: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    """An assertion message: the command, its exit code and the tail of its output."""

    def tail(text: str) -> str:
        return "\n".join(text.splitlines()[-lines:])

    return (
        f"`{' '.join(process.args)}` exited with {process.returncode}\n"
        f"--- stdout (last {lines} lines) ---\n{tail(process.stdout)}\n"
        f"--- stderr (last {lines} lines) ---\n{tail(process.stderr)}"
    )


# Variables that would let the caller's environment leak into the baked project.
LEAKY_VARIABLES = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME")


def uv_binary() -> str:
    """The uv executable: `uv run` names itself in $UV, otherwise look on PATH."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not installed; the slow tests need it (see .ci/run)")
    return uv


def uv_cache_dir(uv: str) -> str:
    if "UV_CACHE_DIR" in os.environ:
        return os.environ["UV_CACHE_DIR"]
    return subprocess.run(
        [uv, "cache", "dir"], capture_output=True, text=True, check=True
    ).stdout.strip()


def isolated_environment(home: Path) -> dict[str, str]:
    uv = uv_binary()
    outer_venv_bin = str(Path(sys.prefix) / "bin")
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in LEAKY_VARIABLES and not name.startswith("GOOGLE_")
    }
    path = [
        entry
        for entry in environment.get("PATH", "").split(os.pathsep)
        if entry != outer_venv_bin
    ]
    environment.update(
        {
            "HOME": str(home),
            # Keep this uv first on PATH: a pyenv shim may not resolve with a new HOME.
            "PATH": os.pathsep.join([str(Path(os.path.realpath(uv)).parent), *path]),
            "UV_CACHE_DIR": uv_cache_dir(uv),
            # uv finds no Python of its own under an empty HOME (e.g. with pyenv).
            "UV_PYTHON": os.path.realpath(sys.executable),
        }
    )
    return environment


# Each make target's limit in a baked project. The defaults project's `make test`
# takes about 9 minutes on two quiet cores; on a machine doing other work, twice as
# long.
COMMAND_TIMEOUT_SECONDS = 1800

# The server's machinery is the same in every combination, and its tests drive it
# with the scripted model and the neutral test tools: concurrency across servers,
# crash and restart recovery, graceful shutdown, the data directory's lock, the
# Agent Protocol's differential, JavaScript and multitask tests, A2A's restarts
# and its HTTP+JSON binding, the agent as an MCP server. They run in full in the
# `defaults` bake; the other bakes (the other combinations, the replaced example)
# collect them (an import a rename broke still fails there) but do not run them,
# which keeps CI well inside its time limit (they take about 5 minutes a project).
MACHINERY_TESTS = [
    "tests/integration/test_concurrency.py",
    "tests/integration/test_crash_recovery.py",
    "tests/integration/test_postgres_restart.py",
    "tests/integration/test_data_dir.py",
    "tests/integration/test_graceful_shutdown.py",
    "tests/integration/test_protocol_reference.py",
    "tests/integration/test_protocol_js.py",
    "tests/integration/test_protocol_multitask.py",
    "tests/integration/test_a2a_rest.py",
    "tests/integration/test_mcp_server.py",
    "tests/integration/test_a2a.py::test_tasks_and_conversations_survive_a_restart",
    "tests/integration/test_a2a.py::test_a_question_asked_before_a_restart",
    "tests/integration/test_a2a.py::test_a_task_a_killed_server_ran_fails",
]


def skip_machinery_tests(environment: dict[str, str]) -> None:
    """Make a baked project's `make test` collect the machinery tests but not run
    them (see MACHINERY_TESTS)."""
    deselected = (f"--deselect={test}" for test in MACHINERY_TESTS)
    environment["PYTEST_ADDOPTS"] = " ".join(deselected)
