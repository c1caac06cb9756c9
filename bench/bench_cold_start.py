"""Benchmark: cold start, and the memory of a server that has just started.

Cloud Run starts instances on demand, so a request can wait for a whole start.
Each start is a new uvicorn process (fresh data directory), timed from just before
the process is launched to the first 200 from /healthz, then to the first completed
/invoke reply on the local model. The floor is a bare FastAPI app that imports
LangGraph and runs a one-node graph (floor_app.py). Starts alternate between
the two; the figures are medians. The idle RSS is read right after /healthz.
"""

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarking import (
    MEMORY_UNAVAILABLE,
    QUESTION,
    TRIVIAL_FLOOR,
    Project,
    Row,
    Section,
    Target,
    median,
    parser_with_project,
    prepared_project,
    progress,
    run_alone,
    serving,
)

MAX_FIRST_REPLY_RATIO = 1.3
MAX_IDLE_RSS_MB = 120.0


@dataclass(frozen=True)
class Start:
    """One start: seconds to /healthz 200 and to the first reply, CPU seconds
    used by then, and the idle RSS in MB."""

    ready: float
    first_reply: float
    cpu: float | None
    idle_rss: float | None


def start_once(
    app: str, project: Project, data_dir: Path, python: str = sys.executable
) -> Start:
    """Start the app, wait for /healthz, then send one /invoke; stop it."""
    with serving(app, project, data_dir, python=python) as server:
        memory = server.memory()
        reply = httpx.post(
            f"{server.url}/invoke", json={"message": QUESTION}, timeout=60
        )
        answered = time.perf_counter()
        if reply.status_code != 200 or not reply.json().get("reply"):
            raise RuntimeError(f"{app}: /invoke answered {reply.status_code}")
        return Start(
            ready=server.ready - server.launched,
            first_reply=answered - server.launched,
            cpu=server.cpu_seconds(),
            idle_rss=memory.rss if memory else None,
        )


def start_both(project: Project, starts: int, python: str) -> dict[str, list[Start]]:
    """Alternate app and floor starts (after one untimed start of each)."""
    runs: dict[str, list[Start]] = {project.app: [], TRIVIAL_FLOOR: []}
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(starts + 1):
            progress(f"cold start: {index}/{starts}")
            for name, results in runs.items():
                data_dir = Path(tempfile.mkdtemp(dir=scratch))
                start = start_once(name, project, data_dir, python)
                if index:  # the first start only warms the file system cache
                    results.append(start)
    return runs


def measure(project: Project, starts: int = 7, python: str = sys.executable) -> Section:
    """The cold start, CPU time and idle memory rows."""
    runs = start_both(project, starts, python)
    app, floor = runs[project.app], runs[TRIVIAL_FLOOR]
    section = Section(
        rows=[
            Row(
                "cold start to /healthz 200",
                "ms",
                median([s.ready for s in app]) * 1000,
                median([s.ready for s in floor]) * 1000,
            ),
            Row(
                "cold start to first /invoke reply",
                "ms",
                median([s.first_reply for s in app]) * 1000,
                median([s.first_reply for s in floor]) * 1000,
                Target(MAX_FIRST_REPLY_RATIO),
            ),
        ],
        notes=[
            f"cold start: medians of {starts} starts each, alternating, after one "
            "untimed start each; floor: bare FastAPI + LangGraph one-node graph"
        ],
    )
    app_cpu = [s.cpu for s in app if s.cpu is not None]
    floor_cpu = [s.cpu for s in floor if s.cpu is not None]
    app_rss = [s.idle_rss for s in app if s.idle_rss is not None]
    floor_rss = [s.idle_rss for s in floor if s.idle_rss is not None]
    if not (app_cpu and floor_cpu and app_rss and floor_rss):
        section.notes.append(MEMORY_UNAVAILABLE)
        return section
    section.rows += [
        Row(
            "CPU time to first /invoke reply",
            "ms",
            median(app_cpu) * 1000,
            median(floor_cpu) * 1000,
        ),
        Row(
            "idle RSS after start",
            "MB",
            median(app_rss),
            median(floor_rss),
            Target(MAX_IDLE_RSS_MB, absolute=True),
        ),
    ]
    return section


def main() -> int:
    parser = parser_with_project(__doc__)
    parser.add_argument("--starts", type=int, default=7, help="starts of each (7)")
    args = parser.parse_args()
    project = prepared_project(args)
    return run_alone(measure(project, args.starts))


if __name__ == "__main__":
    sys.exit(main())
