"""actionlint and shellcheck, as the template's dev group installs them.

actionlint runs shellcheck over every `run:` script when it can find it; it skips
that silently when it cannot, so the shellcheck binary is always handed over
explicitly and `shellcheck_findings` lets a test prove the pairing works.
"""

import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from cloud_build_schema import DOLLAR_RE
from helpers import describe_failure, run

# A workflow's default shell on Linux runners: bash -e -o pipefail.
SHELLCHECK_SHELL = "bash"
# Variables a step receives from its `env:` (Cloud Build) look unassigned.
SHELLCHECK_EXCLUDES = "SC2154"


def tool(name: str) -> Path:
    """A console script of the environment running the tests (the dev group)."""
    beside_python = Path(sys.executable).parent / name
    found = beside_python if beside_python.exists() else shutil.which(name)
    assert found is not None, f"{name} is missing: run `uv sync` (dev group)"
    return Path(found)


def actionlint(files: Iterable[Path]) -> str:
    """actionlint's findings for workflow files, one per line, shellcheck included."""
    paths = [str(path) for path in files]
    process = run(
        [
            str(tool("actionlint")),
            "-no-color",
            "-oneline",
            "-shellcheck",
            str(tool("shellcheck")),
            *paths,
        ],
        cwd=Path(paths[0]).parent,
    )
    # 0: clean, 1: findings; anything else is actionlint failing to run.
    assert process.returncode in (0, 1), describe_failure(process)
    return process.stdout.strip()


def shellcheck(script: str) -> str:
    """shellcheck's findings for one bash script, in its compact one-line format."""
    process = subprocess.run(
        [
            str(tool("shellcheck")),
            "--format=gcc",
            f"--shell={SHELLCHECK_SHELL}",
            f"--exclude={SHELLCHECK_EXCLUDES}",
            "-",
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode in (0, 1), describe_failure(process)
    return process.stdout.strip()


def cloud_build_script(step: dict[str, object]) -> str | None:
    """The bash a Cloud Build step runs (`bash ... -c SCRIPT` or `script:`) as the
    shell receives it: `$$` becomes `$`, and each substitution its value, here a
    placeholder word."""
    args = step.get("args")
    if isinstance(step.get("script"), str):
        text = str(step["script"])
    elif step.get("entrypoint") == "bash" and isinstance(args, list) and "-c" in args:
        text = str(args[args.index("-c") + 1])
    else:
        return None

    def as_shell(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        name = match["braced"] or match["bare"]
        return f"SUBSTITUTED{name}" if name else match[0]

    return DOLLAR_RE.sub(as_shell, text)
