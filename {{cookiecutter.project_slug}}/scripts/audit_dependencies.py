"""`make audit`: known vulnerabilities in the locked runtime dependencies.

The pins come from uv.lock (`uv export`, without dev tools or the project itself)
and pip-audit checks them against the Python Packaging Advisory Database through
PyPI's API. Where that is out of reach (an offline machine, a registry mirror
without the API), the audit says it could not run and passes: that is not a
finding, but it is not a clean bill of health either.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def summarize(report: dict[str, Any]) -> tuple[list[str], int, int]:
    """Findings (`name version: ids`), packages audited, packages not audited."""
    findings, audited, skipped = [], 0, 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped += 1
            continue
        audited += 1
        ids = [vulnerability["id"] for vulnerability in dependency.get("vulns", [])]
        if ids:
            findings.append(f"{dependency['name']} {dependency['version']}: {ids}")
    return findings, audited, skipped


def main() -> int:
    export = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-emit-project",  # noqa: S607
         "--no-hashes", "--format", "requirements-txt"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(export.stdout)
        audit = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps",
             "--progress-spinner", "off", "--format", "json", "-r", str(requirements)],
            capture_output=True, text=True,
        )  # fmt: skip
    try:
        report = json.loads(audit.stdout)
    except json.JSONDecodeError:
        # No report at all: pip-audit could not reach the service (or failed).
        print(audit.stderr.strip().splitlines()[-1:], file=sys.stderr)
        print("audit skipped: the advisory database is out of reach", file=sys.stderr)
        return 0
    findings, audited, skipped = summarize(report)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} vulnerable package(s)", file=sys.stderr)
        return 1
    if audited == 0:
        print(
            f"audit skipped: none of the {skipped} packages could be looked up "
            "(the advisory database is out of reach)",
            file=sys.stderr,
        )
        return 0
    note = f" ({skipped} could not be looked up)" if skipped else ""
    print(f"no known vulnerabilities in {audited} packages{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
