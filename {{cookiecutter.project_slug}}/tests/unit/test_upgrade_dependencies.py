"""`make upgrade`: the date it moves, the table it prints, the steps it runs."""

import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parents[2]

OLD_LOCK = """
version = 1
[[package]]
name = "fastapi"
version = "0.120.0"
[[package]]
name = "gone"
version = "1.0"
[[package]]
name = "same"
version = "2.0"
[[package]]
name = "my-project"
source = { editable = "." }
"""
NEW_LOCK = """
version = 1
[[package]]
name = "fastapi"
version = "0.121.2"
[[package]]
name = "same"
version = "2.0"
[[package]]
name = "brand-new"
version = "0.1"
"""


@pytest.fixture(scope="module")
def upgrade() -> Iterator[ModuleType]:
    # scripts/ is not a package.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(PROJECT / "scripts"))
        yield importlib.import_module("upgrade_dependencies")


def test_the_project_pins_an_upload_date(upgrade: ModuleType) -> None:
    pyproject = (PROJECT / "pyproject.toml").read_text()
    assert upgrade.EXCLUDE_NEWER_RE.search(pyproject)


def test_the_date_moves_and_nothing_else_changes(upgrade: ModuleType) -> None:
    pyproject = (PROJECT / "pyproject.toml").read_text()

    moved = upgrade.with_exclude_newer(pyproject, "2031-01-02T03:04:05Z")

    assert 'exclude-newer = "2031-01-02T03:04:05Z"' in moved
    pairs = zip(pyproject.splitlines(), moved.splitlines(), strict=True)
    assert len([old for old, new in pairs if old != new]) == 1


def test_a_pyproject_without_the_date_is_refused(upgrade: ModuleType) -> None:
    with pytest.raises(ValueError, match="exclude-newer"):
        upgrade.with_exclude_newer("[project]\nname = 'x'\n", "2031-01-01")


def test_the_table_lists_moved_added_and_removed_packages(upgrade: ModuleType) -> None:
    rows = upgrade.changes(
        upgrade.locked_versions(OLD_LOCK), upgrade.locked_versions(NEW_LOCK)
    )

    assert rows == [
        ("brand-new", None, "0.1"),
        ("fastapi", "0.120.0", "0.121.2"),
        ("gone", "1.0", None),
    ]
    table = upgrade.format_changes(rows).splitlines()
    assert table[0] == "3 packages changed:"
    assert table[2].split() == ["fastapi", "0.120.0", "->", "0.121.2"]
    assert table[1].split() == ["brand-new", "-", "->", "0.1"]
    assert "already at its newest" in upgrade.format_changes([])
    assert upgrade.format_changes(rows[:1]).startswith("1 package changed:")


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.uv]\nexclude-newer = "2026-01-01T00:00:00Z"\n'
    )
    (tmp_path / "uv.lock").write_text(OLD_LOCK)
    return tmp_path


def test_upgrade_relocks_installs_reports_and_tests(
    upgrade: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, commands = _project(tmp_path), []

    def runner(command: Sequence[str]) -> int:
        commands.append(list(command))
        if command[:2] == ["uv", "lock"]:
            (project / "uv.lock").write_text(NEW_LOCK)
        return 0

    status = upgrade.upgrade(project, "2031-01-01T00:00:00Z", True, runner)

    assert status == 0
    assert commands == [["uv", "lock", "--upgrade"], ["uv", "sync"], ["make", "test"]]
    assert '"2031-01-01T00:00:00Z"' in (project / "pyproject.toml").read_text()
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["fastapi", "0.120.0", "->", "0.121.2"] in lines


def test_failing_tests_fail_the_upgrade_and_say_how_to_go_back(
    upgrade: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)

    def runner(command: Sequence[str]) -> int:
        return 2 if command[0] == "make" else 0

    assert upgrade.upgrade(project, "2031-01-01", True, runner) == 2
    assert "git checkout pyproject.toml uv.lock" in capsys.readouterr().err


def test_a_failed_lock_stops_before_installing(
    upgrade: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, commands = _project(tmp_path), []

    def runner(command: Sequence[str]) -> int:
        commands.append(command[:2])
        return 1

    assert upgrade.upgrade(project, "2031-01-01", True, runner) == 1
    assert commands == [["uv", "lock"]]
    assert "`uv lock --upgrade` failed" in capsys.readouterr().err


def test_a_bad_date_is_refused_with_a_clear_message(
    upgrade: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        upgrade.main(["--date", "next tuesday"])

    assert exited.value.code == 2
    assert "'next tuesday' is not a date" in capsys.readouterr().err
