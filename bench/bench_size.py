"""Benchmark: the size of the installed runtime environment; and that environment,
which `make bench` also runs its servers from.

What the image carries (and a cold instance reads from disk) is the virtual
environment, built as the Dockerfile builds it: `uv sync --locked --no-dev
--no-editable --compile-bytecode` into an empty directory. The floor is an
environment with only FastAPI, uvicorn[standard] and LangGraph, at the versions
uv.lock pins, bytecode compiled too. Sizes are the bytes of the files (each file
once), without the Python interpreter, which the base image provides.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarking import (
    MB,
    Project,
    Row,
    Section,
    parser_with_project,
    progress,
    run_alone,
)

FLOOR_PACKAGES = ("fastapi", "uvicorn[standard]", "langgraph")
METHOD = (
    "runtime: uv sync --locked --no-dev --no-editable --compile-bytecode into a new "
    "environment, as the Dockerfile does; size floor: "
    f"{', '.join(FLOOR_PACKAGES)} at the locked versions; "
    "bytes of files, interpreter excluded"
)


def tree_bytes(root: Path) -> int:
    """Bytes of the regular files under `root`, each file once, links not followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for directory, _, files in os.walk(root):
        for name in files:
            info = os.lstat(os.path.join(directory, name))
            inode = (info.st_dev, info.st_ino)
            if stat.S_ISREG(info.st_mode) and inode not in seen:
                seen.add(inode)
                total += info.st_size
    return total


def package_count(environment: Path) -> int:
    """How many distributions are installed in the environment."""
    # lib64 may be a link to lib: count each directory once.
    found = {path.resolve() for path in environment.glob("lib*/*/site-packages/*")}
    return sum(1 for path in found if path.suffix == ".dist-info")


def interpreter(environment: Path) -> Path:
    """The Python of a virtual environment."""
    if os.name == "nt":
        return environment / "Scripts" / "python.exe"
    return environment / "bin" / "python"


def why_no_runtime(project: Project) -> str | None:
    """Why the project's runtime environment cannot be built here, if it cannot."""
    if _uv_binary() is None:
        return "uv is not on PATH"
    if not (project.root / "uv.lock").exists():
        return "there is no uv.lock yet (make install)"
    return None


@contextmanager
def runtime_environment(project: Project) -> Iterator[Path]:
    """The image's virtual environment, built in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as scratch:
        environment = Path(scratch) / "venv"
        progress("runtime: installing the runtime environment (no dev dependencies)")
        sync = ("sync", "--locked", "--no-dev", "--no-editable", "--compile-bytecode")
        _uv(
            project, *sync, "--python", sys.executable,
            UV_PROJECT_ENVIRONMENT=str(environment),
        )  # fmt: skip
        yield environment


def measure(project: Project, runtime: Path | None = None) -> Section:
    """Weigh the runtime environment (built here if not given) and the floor's."""
    reason = why_no_runtime(project)
    if reason:
        return Section(notes=[f"runtime size: skipped, {reason}"])
    if runtime is None:
        with runtime_environment(project) as built:
            return measure(project, built)
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as scratch:
        floor, constraints = Path(scratch) / "venv", Path(scratch) / "constraints.txt"
        progress("runtime size: installing the floor's environment")
        _uv(
            project,
            "export", "--locked", "--no-dev", "--no-hashes", "--no-emit-project",
            "--output-file", str(constraints),
        )  # fmt: skip
        _uv(project, "venv", str(floor), "--python", sys.executable)
        _uv(
            project,
            "pip", "install", "--compile-bytecode", "--constraints", str(constraints),
            *FLOOR_PACKAGES, VIRTUAL_ENV=str(floor),
        )  # fmt: skip
        app_mb, floor_mb = tree_bytes(runtime) / MB, tree_bytes(floor) / MB
        row = Row("installed runtime size", "MB", app_mb, floor_mb)
        counts = f"{package_count(runtime)} packages, floor {package_count(floor)}"
    return Section(rows=[row], notes=[f"{METHOD} ({counts})"])


def _uv_binary() -> str | None:
    return os.environ.get("UV") or shutil.which("uv")


def _uv(project: Project, *arguments: str, **environment: str) -> None:
    uv = _uv_binary()
    if uv is None:
        raise RuntimeError("uv is not on PATH")
    # The caller's environment must not be the one uv installs into.
    base = {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    command = [uv, *arguments, "--quiet"]
    env = {**base, **environment}
    subprocess.run(command, cwd=project.root, env=env, check=True, timeout=1800)


def main() -> int:
    args = parser_with_project(__doc__).parse_args()
    return run_alone(measure(Project.at(args.project)))


if __name__ == "__main__":
    sys.exit(main())
