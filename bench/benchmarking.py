"""Shared by the benchmarks: the project under test, statistics, targets, the
results table, and servers run as real uvicorn processes (one worker, as in the
container).

The benchmarks run in the project's own environment (`uv run` in its directory),
so `sys.executable` is the project's Python and its package imports.
"""

import argparse
import math
import os
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

BENCH_DIR = Path(__file__).resolve().parent
# The floors: bare FastAPI apps in floor_app.py, next to this file.
TRIVIAL_FLOOR = "floor_app:create_trivial_app"
AGENT_FLOOR = "floor_app:create_agent_app"
# How the agent floor, in its own process, learns which package to import.
PACKAGE_VARIABLE = "BENCH_PACKAGE"
# One tool call, then a streamed answer: the agent's whole loop runs.
QUESTION = "What is the weather in Paris?"
MB = 1_000_000


# --- The project under test -------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """A project rendered from the template: its directory and its package."""

    root: Path
    package: str

    @classmethod
    def at(cls, root: Path) -> "Project":
        """The project in `root`, its package named by the wheel target of its
        pyproject.toml (what `uv sync` installs), whatever name it was given."""
        pyproject = root.resolve() / "pyproject.toml"
        try:
            tool = tomllib.loads(pyproject.read_text())["tool"]
            (package,) = tool["hatch"]["build"]["targets"]["wheel"]["packages"]
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(
                f"{pyproject}: no single package in [tool.hatch.build.targets.wheel]; "
                "is this a project rendered from the template?"
            ) from error
        return cls(pyproject.parent, Path(package).name)

    @property
    def server(self) -> str:
        """The server module."""
        return f"{self.package}.server.app"

    @property
    def app(self) -> str:
        """The server as the Dockerfile and `make dev` start it."""
        return f"{self.server}:create_app"


def parser_with_project(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with `--project` (the project to measure)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="the rendered project to measure (default: this directory)",
    )
    return parser


def prepared_project(args: argparse.Namespace) -> Project:
    """The project `--project` names, for a benchmark run on its own: its code and
    the floors compiled to bytecode, and this environment's packages too."""
    project = Project.at(args.project)
    compile_bytecode(project)
    return project


# --- Statistics -------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 to 100), interpolated between the closest ranks."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(values, 50)


def ratio(app: float, floor: float) -> float:
    """The app's figure over the floor's."""
    if floor <= 0:
        raise ValueError(f"the floor must be positive, not {floor}")
    return app / floor


# --- Targets and the table --------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A limit on the ratio to the floor, or on the app's own figure (`absolute`).
    Missing one fails `make bench`."""

    limit: float
    at_most: bool = True
    absolute: bool = False

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def describe(self, unit: str) -> str:
        sign = "<=" if self.at_most else ">="
        if self.absolute:
            return f"{sign} {_number(self.limit)} {unit}"
        return f"{sign} {self.limit:.2f}x"


@dataclass(frozen=True)
class Row:
    """One line of the table: the app's figure, the floor's, and a target."""

    measure: str
    unit: str
    app: float
    floor: float | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.floor is None else ratio(self.app, self.floor)

    @property
    def verdict(self) -> str:
        """PASS or FAIL against the target, judged on the figure as printed (a
        ratio of 1.204 shows as 1.20 and meets <= 1.20); `info` without one."""
        if self.target is None:
            return "info"
        if self.target.absolute:
            return "PASS" if self.target.met(float(_number(self.app))) else "FAIL"
        if self.ratio is None:
            raise ValueError(f"{self.measure}: a ratio target needs a floor")
        return "PASS" if self.target.met(round(self.ratio, 2)) else "FAIL"

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"


@dataclass
class Section:
    """What one benchmark found: rows for the table, notes on how it measured."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


HEADER = ("measure", "app", "floor", "ratio", "target", "result")


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table, one line each under a header."""
    lines = [HEADER]
    for row in rows:
        target = row.target.describe(row.unit) if row.target else ""
        lines.append(
            (
                row.measure,
                _quantity(row.app, row.unit),
                "" if row.floor is None else _quantity(row.floor, row.unit),
                "" if row.ratio is None else f"{row.ratio:.2f}x",
                target,
                row.verdict,
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(6)]
    aligned = [
        "  ".join(
            cell.ljust(width) if column in (0, 4, 5) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]
    aligned.insert(1, "-" * len(aligned[0]))
    return "\n".join(aligned)


def report(sections: Sequence[Section]) -> int:
    """Print one table and the notes; 1 if a target was missed, else 0."""
    rows = [row for section in sections for row in section.rows]
    print(format_table(rows))
    print()
    for note in (note for section in sections for note in section.notes):
        print(f"- {note}")
    failed = [row.measure for row in rows if row.failed]
    if failed:
        print(f"\nFAILED targets: {', '.join(failed)}")
    return 1 if failed else 0


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _quantity(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}"


# --- Bytecode ---------------------------------------------------------------------


def compile_bytecode(project: Project, *, environment: bool = True) -> None:
    """Compile this environment's packages (unless told not to), the project's
    code and the floors to bytecode, in place.

    The image compiles bytecode at build time (UV_COMPILE_BYTECODE=1); without
    .pyc files (PYTHONDONTWRITEBYTECODE, or a fresh checkout) every process would
    compile its imports again and the timings would mostly measure the compiler.
    Files already compiled are skipped, so this is quick after the first run.
    """
    paths = {str(project.root / "src"), str(BENCH_DIR)}
    if environment:
        paths |= {sysconfig.get_paths()[name] for name in ("purelib", "platlib")}
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(paths)]
    # A few packages ship files that are not Python 3 (templates, test data):
    # compileall reports them and carries on, which is what is wanted.
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)


# --- Servers ----------------------------------------------------------------------


def app_environment(
    data_dir: Path, package: str, database_url: str | None = None
) -> dict[str, str]:
    """The server's environment: offline, SQLite under `data_dir` (or the
    PostgreSQL `database_url` names), no token delay; and the package the agent
    floor imports."""
    environment = {
        name: value for name, value in os.environ.items() if name != "DATABASE_URL"
    }
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    environment.update(
        {
            "DATA_DIR": str(data_dir),
            # MODEL wins over the older MODEL_PROVIDER, whatever the caller set.
            "MODEL": "local",
            "LOCAL_MODEL_TOKEN_DELAY_MS": "0",
            PACKAGE_VARIABLE: package,
        }
    )
    return environment


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A uvicorn process serving one app on loopback."""

    process: "subprocess.Popen[bytes]"
    url: str
    # time.perf_counter() just before the process was started, and when it first
    # answered /healthz with 200.
    launched: float
    ready: float = 0.0

    def memory(self) -> "Memory | None":
        return process_memory(self.process.pid)

    def cpu_seconds(self) -> float | None:
        return process_cpu_seconds(self.process.pid)


@contextmanager
def serving(
    app: str,
    project: Project,
    data_dir: Path,
    *,
    python: str = sys.executable,
    timeout: float = 60,
    database_url: str | None = None,
) -> Iterator[Server]:
    """Start `uvicorn --factory app` (the project's, or a floor) with `python` on a
    free port; yield it once /healthz answers 200.

    The process runs in `data_dir` (the image, too, runs outside the project), so a
    developer's `.env` does not change what is measured; the floors load from the
    directory of this file.
    """
    port = free_port()
    command = [
        python, "-m", "uvicorn", "--factory", app,
        "--host", "127.0.0.1", "--port", str(port), "--app-dir", str(BENCH_DIR),
    ]  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as errors:
        launched = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=app_environment(data_dir, project.package, database_url),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        server = Server(process, f"http://127.0.0.1:{port}", launched)
        try:
            server.ready = _wait_for_health(server, errors, timeout)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(server: Server, errors: IO[bytes], timeout: float) -> float:
    deadline = time.perf_counter() + timeout
    with httpx.Client(base_url=server.url, timeout=5) as client:
        while time.perf_counter() < deadline:
            if server.process.poll() is not None:
                errors.seek(0)
                tail = errors.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the server exited during startup:\n{tail}")
            try:
                if client.get("/healthz").status_code == 200:
                    return time.perf_counter()
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    raise RuntimeError(f"{server.url} did not answer /healthz within {timeout} s")


# --- Memory and CPU time ----------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    """A process's resident memory now, and its peak so far, in MB."""

    rss: float
    peak: float


def process_memory(pid: int) -> Memory | None:
    """VmRSS and VmHWM from /proc/<pid>/status; None where there is no /proc."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    return parse_memory(status.read_text())


def parse_memory(status: str) -> Memory:
    """VmRSS and VmHWM out of a status file (its "kB" are KiB)."""
    fields: dict[str, float] = {}
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024 / MB
    return Memory(rss=fields["VmRSS"], peak=fields["VmHWM"])


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used; None where there is no /proc.

    It moves less than wall-clock time when other work shares the machine.
    """
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    return parse_cpu_seconds(stat.read_text(), os.sysconf("SC_CLK_TCK"))


def parse_cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """utime + stime out of a /proc/<pid>/stat line, in seconds."""
    # The command name (field 2) may hold spaces and parentheses: count from the
    # last ")". utime and stime are fields 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


MEMORY_UNAVAILABLE = "memory and CPU time: skipped, they come from /proc (Linux only)"


def progress(message: str) -> None:
    """A line on stderr, so a long benchmark shows it is alive."""
    print(message, file=sys.stderr, flush=True)


def run_alone(section: Section) -> int:
    """A benchmark run on its own: its table and notes, its exit status."""
    return report([section])
