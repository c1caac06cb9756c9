"""`make lint`'s secret scan: detect-secrets over every file of the project.

A finding fails the check. A line that only looks like a secret (an example URL, a
fake credential in a test) is marked with the comment `pragma: allowlist secret`,
so every exception is visible where it is. Synthetic log samples are skipped: their
trace ids are random hex by design.
"""

import sys
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings

# Not the project's sources: tools' caches, outputs and local data.
SKIPPED_DIRECTORIES = {
    ".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__",
    ".import_linter_cache", "node_modules", ".data", "eval-results", "test-artifacts",
    "build", "dist",
}  # fmt: skip
SKIPPED_FILES = {"uv.lock"}
# Synthetic production log lines for the drift demo (random trace ids).
SKIPPED_PREFIXES = ("evals/drift/",)


def project_files(root: Path) -> list[str]:
    """Every file worth scanning, relative to `root`."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIPPED_DIRECTORIES.intersection(relative.parts):
            continue
        name = relative.as_posix()
        if relative.name in SKIPPED_FILES or name.startswith(SKIPPED_PREFIXES):
            continue
        found.append(name)
    return found


def main() -> int:
    secrets = SecretsCollection(root=".")
    files = project_files(Path("."))
    with default_settings():
        secrets.scan_files(*files)
    findings = [
        f"{filename}:{secret.line_number}: {secret.type}"
        for filename, file_secrets in secrets.data.items()
        for secret in file_secrets
    ]
    for finding in sorted(findings):
        print(finding)
    if findings:
        print(
            f"{len(findings)} possible secret(s). Remove them, or mark a false alarm "
            "with the comment `pragma: allowlist secret` on its line.",
            file=sys.stderr,
        )
        return 1
    print(f"no secrets found in {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
