"""`make deploy` (Cloud Run): it rolls the sandbox service to a new image and leaves
the environment, secrets and Cloud SQL connection Terraform manages alone."""

import os
from pathlib import Path
from typing import Any

import pytest

from helpers import COMBINATIONS, bake_or_fail, describe_failure, run

# A `gcloud` that logs its arguments; `describe` fails when NO_SERVICE is set.
FAKE_GCLOUD = """#!/bin/sh
echo "$*" >> "$GCLOUD_LOG"
if [ "$3" = describe ] && [ -n "$NO_SERVICE" ]; then exit 1; fi
exit 0
"""
# Flags that replace what Terraform set on the service instead of adding to it.
REPLACING_FLAGS = ("--set-env-vars", "--set-secrets", "--clear-", "--env-vars-file")


@pytest.fixture(scope="module", params=["defaults", "rag", "cloud-run-sqlite"])
def project(request: pytest.FixtureRequest, cookies_session: Any) -> Path:
    return Path(bake_or_fail(cookies_session, COMBINATIONS[request.param]).project_path)


def deploy(project: Path, tmp_path: Path, **env: str) -> tuple[Any, list[str]]:
    bin_dir, log = tmp_path / "bin", tmp_path / "gcloud.log"
    bin_dir.mkdir()
    gcloud = bin_dir / "gcloud"
    gcloud.write_text(FAKE_GCLOUD)
    gcloud.chmod(0o755)
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GCLOUD_LOG": str(log),
        **env,
    }
    process = run(["make", "deploy", "DEV_PROJECT_ID=sandbox"], project, environment)
    calls = log.read_text().splitlines() if log.exists() else []
    return process, calls


def test_deploy_changes_only_the_image(project: Path, tmp_path: Path) -> None:
    process, calls = deploy(project, tmp_path)

    assert process.returncode == 0, describe_failure(process)
    assert calls[-1].startswith("run deploy ")
    assert "--source ." in calls[-1]
    assert "--project sandbox" in calls[-1]
    for flag in REPLACING_FLAGS:
        assert flag not in calls[-1]


def test_deploy_without_the_terraform_service_stops_with_a_hint(
    project: Path, tmp_path: Path
) -> None:
    process, calls = deploy(project, tmp_path, NO_SERVICE="1")

    assert process.returncode != 0
    assert "make setup-dev-env" in process.stdout
    assert not any(call.startswith("run deploy") for call in calls)


def test_deploy_needs_the_sandbox_project(project: Path) -> None:
    process = run(["make", "deploy"], project)

    assert process.returncode != 0
    assert "set DEV_PROJECT_ID" in process.stdout
