"""One server process per SQLite data directory: a second one is refused at start,
in one line, instead of losing the first one's turns."""

import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.runtime.data_dir import DataDirectoryInUseError
from {{ cookiecutter.package_name }}.runtime.persistence import open_persistence
from {{ cookiecutter.package_name }}.settings import Settings

from .live_server import live_server

START_ON = (
    "import sys\n"
    "from pathlib import Path\n"
    "from {{ cookiecutter.package_name }}.server.app import create_app\n"
    "from {{ cookiecutter.package_name }}.settings import Settings\n"
    "create_app(Settings(_env_file=None, data_dir=Path(sys.argv[1])))\n"
)


async def test_a_held_directory_is_refused_and_freed_when_its_holder_ends(
    settings: Settings,
) -> None:
    async with open_persistence(settings):
        with pytest.raises(DataDirectoryInUseError, match="another server process"):
            async with open_persistence(settings):
                pass
    async with open_persistence(settings):  # the first one let go of it
        pass


def test_a_second_server_on_the_same_directory_stops_with_one_line(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with live_server(data):
        second = subprocess.run(
            [sys.executable, "-c", START_ON, str(data)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    after = subprocess.run(
        [sys.executable, "-c", START_ON, str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"error: {data} is in use by another server process; SQLite serves one "
        "process: stop the other one, set DATA_DIR to another folder, or set "
        "DATABASE_URL (PostgreSQL) to run several"
    ]
    assert after.returncode == 0, after.stderr
