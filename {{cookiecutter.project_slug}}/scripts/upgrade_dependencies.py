"""`make upgrade`: move every dependency to its newest release, as a deliberate step.

`exclude-newer` in pyproject.toml's `[tool.uv]` holds the project on the releases
its template's CI tested, so `uv lock` gives the same answer on any day. This script
moves that date to now, re-resolves uv.lock (`uv lock --upgrade`), installs the
result, prints what changed (`package  old -> new`) and runs the tests. When they
fail, the new lock stays for you to look at; `git checkout pyproject.toml uv.lock`
then `make install` takes you back.
"""

import argparse
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

EXCLUDE_NEWER_RE = re.compile(r'^(exclude-newer\s*=\s*)"[^"]*"', re.MULTILINE)

Runner = Callable[[Sequence[str]], int]


def locked_versions(lock_text: str) -> dict[str, str]:
    """Package name -> version in a uv.lock; the project itself has none: left out."""
    packages = tomllib.loads(lock_text).get("package", [])
    return {p["name"]: p["version"] for p in packages if "version" in p}


def changes(
    old: dict[str, str], new: dict[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """(package, old version, new version) of every added, removed or moved package."""
    return [
        (name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]


def format_changes(rows: list[tuple[str, str | None, str | None]]) -> str:
    """One aligned line a package: `name  old -> new` (`-` where there is none)."""
    if not rows:
        return "No dependency changed: every package was already at its newest release."
    width = max(len(name) for name, _, _ in rows)
    before = max(len(old or "-") for _, old, _ in rows)
    lines = [
        f"  {name:<{width}}  {old or '-':>{before}} -> {new or '-'}"
        for name, old, new in rows
    ]
    noun = "package" if len(rows) == 1 else "packages"
    return f"{len(rows)} {noun} changed:\n" + "\n".join(lines)


def with_exclude_newer(pyproject_text: str, stamp: str) -> str:
    """pyproject.toml's text with `exclude-newer` set to `stamp` (an RFC 3339 time)."""
    text, count = EXCLUDE_NEWER_RE.subn(rf'\g<1>"{stamp}"', pyproject_text, count=1)
    if count == 0:
        raise ValueError(
            'pyproject.toml has no `exclude-newer = "..."` line under [tool.uv]; '
            "add one (any date) so the lock stays reproducible, then run this again."
        )
    return text


def run(command: Sequence[str]) -> int:
    return subprocess.run(command, check=False).returncode


def upgrade(project: Path, stamp: str, test: bool, runner: Runner = run) -> int:
    """Move the date, re-lock, install, report, test. Returns the exit status."""
    pyproject, lock = project / "pyproject.toml", project / "uv.lock"
    try:
        moved = with_exclude_newer(pyproject.read_text(encoding="utf-8"), stamp)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    old = locked_versions(lock.read_text(encoding="utf-8")) if lock.exists() else {}
    pyproject.write_text(moved, encoding="utf-8")
    print(f"Resolving the newest releases uploaded before {stamp} ...", flush=True)
    for step in (["uv", "lock", "--upgrade"], ["uv", "sync"]):
        if status := runner(step):
            print(f"error: `{' '.join(step)}` failed ({status})", file=sys.stderr)
            return status
    print(format_changes(changes(old, locked_versions(lock.read_text("utf-8")))))
    if not test:
        return 0
    status = runner(["make", "test"])
    if status:
        print(
            "The tests fail on the new releases. Fix them, or go back with "
            "`git checkout pyproject.toml uv.lock && make install`.",
            file=sys.stderr,
        )
    return status


def upload_time(value: str) -> str:
    """An RFC 3339 time or a plain date, as uv's `exclude-newer` takes them."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date (2026-12-31) or time (2026-12-31T00:00:00Z)"
        raise argparse.ArgumentTypeError(message) from None
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--date",
        type=upload_time,
        help="newest upload time to consider, RFC 3339 (default: now, UTC)",
    )
    parser.add_argument(
        "--no-test", action="store_true", help="re-lock and report, skip `make test`"
    )
    arguments = parser.parse_args(argv)
    stamp = arguments.date or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return upgrade(Path.cwd(), stamp, test=not arguments.no_test)


if __name__ == "__main__":
    sys.exit(main())
