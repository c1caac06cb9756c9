"""The secret scan and the dependency audit behind `make lint` and `make audit`."""

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _import(name: str) -> Iterator[ModuleType]:
    # scripts/ is not a package.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(PROJECT / "scripts"))
        yield importlib.import_module(name)


@pytest.fixture(scope="module")
def secrets() -> Iterator[ModuleType]:
    yield from _import("check_secrets")


@pytest.fixture(scope="module")
def audit() -> Iterator[ModuleType]:
    yield from _import("audit_dependencies")


def test_the_project_has_no_secrets(
    secrets: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    assert secrets.main() == 0


def test_a_secret_is_found(
    secrets: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "AKIA" + "ZQ3DRFT6HUB5N7KX"  # an AWS-shaped key, split so no scan trips here
    (tmp_path / "settings.py").write_text(f'AWS_KEY = "{key}"\n')
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "ignored.py").write_text(f'KEY = "{key}"\n')
    monkeypatch.chdir(tmp_path)

    assert secrets.project_files(tmp_path) == ["settings.py"]
    assert secrets.main() == 1


def test_the_audit_reports_findings_and_what_it_could_not_check(
    audit: ModuleType,
) -> None:
    report = {
        "dependencies": [
            {"name": "a", "version": "1.0", "vulns": [{"id": "PYSEC-1"}]},
            {"name": "b", "version": "2.0", "vulns": []},
            {"name": "c", "version": "3.0", "skip_reason": "not found"},
        ]
    }
    assert audit.summarize(report) == (["a 1.0: ['PYSEC-1']"], 2, 1)
    offline = {"dependencies": [{"name": "c", "version": "3", "skip_reason": "x"}]}
    assert audit.summarize(offline) == ([], 0, 1)
