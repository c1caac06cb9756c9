"""Only what Jinja cannot do: remove the folders that unselected options left
empty (their files render with empty names and are skipped), write uv.lock, and
print next steps."""

import os
import shutil
import subprocess
from pathlib import Path

# Tests render hundreds of projects and lock only the ones they install.
LOCK_DEPENDENCIES = "{{ cookiecutter.get('_lock_dependencies', 'yes') }}" == "yes"
LOCK_TIMEOUT_SECONDS = 600
NO_LOCK = """
Note: uv.lock was not written ({reason}). Run `make install` before your first
push: the pipelines and the Dockerfile install with `uv sync --locked`.
"""

NEXT_STEPS = """
Your project is ready. Next steps:

    cd {{ cookiecutter.project_slug }}
    make install   # create the virtual environment from uv.lock (the tested releases)
    make test      # run the test suite, offline, no Google Cloud credentials needed
{%- if cookiecutter.agent == "rag" %}
    make ingest    # load the sample documents of knowledge/ into the knowledge base
{%- endif %}
    make dev       # start the server with auto-reload
    make upgrade   # later: move to the newest releases, test, show what changed
{%- if cookiecutter.session_store == "sqlite" %}

Note: session_store=sqlite keeps conversations on the instance; they are lost when
it restarts. Fine for a demo or development, not for production.
{%- endif %}
"""


def remove_empty_folders(root: Path) -> None:
    """Delete folders with nothing in them, deepest first."""
    for folder, _, _ in os.walk(root, topdown=False):
        path = Path(folder)
        if path != root and not any(path.iterdir()):
            path.rmdir()


def lock_dependencies() -> str | None:
    """Write uv.lock: pyproject.toml's `exclude-newer` makes uv resolve the releases
    the template's CI tested. Returns why it could not, or None."""
    uv = shutil.which("uv")
    if uv is None:
        return "uv is not on PATH"
    try:
        locking = subprocess.run(  # noqa: S603 - uv from PATH, fixed arguments
            [uv, "lock", "--quiet"],
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"`uv lock` took more than {LOCK_TIMEOUT_SECONDS} s"
    if locking.returncode != 0:
        lines = (locking.stderr or locking.stdout).strip().splitlines()
        return f"`uv lock` failed: {lines[-1] if lines else locking.returncode}"
    return None


if __name__ == "__main__":
    remove_empty_folders(Path.cwd())
    reason = lock_dependencies() if LOCK_DEPENDENCIES else None
    print(NEXT_STEPS)
    if reason:
        print(NO_LOCK.format(reason=reason))
