"""SQLite serves one process: DATA_DIR is held by the server process using it.

Two processes on one SQLite data directory each keep their own table of running
threads, so both accept a turn on the same thread and one checkpoint replaces the
other: acknowledged turns are lost, threads forked. A second process on a held
directory is refused at start instead. The hold is an exclusive `flock` on
`DATA_DIR/.lock`, which the kernel drops when the process ends however it ends
(a crash never leaves the directory held). Several processes need PostgreSQL
(DATABASE_URL), whose advisory locks span them.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DataDirectoryInUseError(RuntimeError):
    """Another server process holds this SQLite data directory."""


@contextmanager
def hold_data_dir(data_dir: Path) -> Iterator[None]:
    """Hold `data_dir` for this process until the block ends."""
    if sys.platform == "win32":  # no flock: one process is the user's to ensure
        yield
        return
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirectoryInUseError(
                f"{data_dir} is in use by another server process; SQLite serves one "
                "process: stop the other one, set DATA_DIR to another folder, or "
                "set DATABASE_URL (PostgreSQL) to run several"
            ) from None
        yield  # closing the file releases the lock


def check_data_dir_free(data_dir: Path) -> None:
    """Fail now if another process holds `data_dir` (the server holds it itself
    from when it starts; this only moves the refusal before startup)."""
    with hold_data_dir(data_dir):
        pass
