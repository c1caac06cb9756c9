"""Slow: bake representative projects and run their own `make install`, `lint`, `test`.

The baked project runs as a new user would run it: no outer virtualenv, an empty HOME,
no Google credentials. Only uv's download cache is shared, so packages are not fetched
again for every bake.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import TEMPLATE_ROOT, bake_or_fail, describe_failure, run

COMMAND_TIMEOUT_SECONDS = 900
CURRENT_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
PYTHON_CHOICES = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text())[
    "python_version"
]

# Defaults, and a second package name on the Python running the tests (the baked
# project must accept that interpreter, which UV_PYTHON pins below).
SLOW_COMBINATIONS: dict[str, dict[str, str]] = {
    "defaults": {},
    "other-package": {
        "project_name": "Support Desk",
        "package_name": "desk_agent",
        "python_version": CURRENT_PYTHON,
    },
}

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


@pytest.mark.slow
@pytest.mark.parametrize(
    "extra_context", list(SLOW_COMBINATIONS.values()), ids=list(SLOW_COMBINATIONS)
)
def test_generated_project_passes_its_own_checks(
    cookies: Any, tmp_path: Path, extra_context: dict[str, str]
) -> None:
    if extra_context.get("python_version", PYTHON_CHOICES[0]) not in PYTHON_CHOICES:
        pytest.skip(f"Python {CURRENT_PYTHON} is not a python_version choice")
    project = Path(bake_or_fail(cookies, extra_context).project_path)
    home = tmp_path / "home"
    home.mkdir()
    environment = isolated_environment(home)
    for target in ("install", "lint", "test"):
        process = run(
            ["make", target],
            cwd=project,
            env=environment,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        assert process.returncode == 0, describe_failure(process)
