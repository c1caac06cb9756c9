"""Benchmark: importing the server must cost no more than its core dependencies.

Cloud Run starts instances from zero, so import time is part of every cold start.
This compares importing the server module with importing what it cannot avoid
(FastAPI, LangGraph and the SQLite checkpointer), each in a fresh interpreter,
interleaved, and fails when the median ratio exceeds `--max-ratio`.
"""

import statistics
import subprocess
import sys

from benchmarking import (
    Project,
    Row,
    Section,
    Target,
    parser_with_project,
    prepared_project,
    progress,
)

BASELINE = "fastapi, langgraph.graph, langgraph.checkpoint.sqlite.aio"
MAX_RATIO = 1.2
_TIMER = (
    "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
)


def import_seconds(modules: str, python: str = sys.executable) -> float:
    """Seconds to import `modules` in a fresh interpreter (startup excluded)."""
    command = [python, "-c", _TIMER.format(modules)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout)


def import_medians(
    server_module: str, runs: int, python: str = sys.executable
) -> tuple[float, float]:
    """Median seconds to import the server, and its baseline, over `runs` each."""
    import_seconds(server_module, python)  # warm the file system cache
    server, baseline = [], []
    for _ in range(runs):
        server.append(import_seconds(server_module, python))
        baseline.append(import_seconds(BASELINE, python))
    return statistics.median(server), statistics.median(baseline)


def measure(
    project: Project,
    runs: int = 15,
    max_ratio: float = MAX_RATIO,
    python: str = sys.executable,
) -> Section:
    """The import row of the table."""
    progress(f"import: {runs} imports each")
    server, baseline = import_medians(project.server, runs, python)
    row = Row(
        "import of the server module",
        "ms",
        server * 1000,
        baseline * 1000,
        Target(max_ratio),
    )
    return Section(
        rows=[row],
        notes=[f"import: medians of {runs}, fresh interpreters; floor: {BASELINE}"],
    )


def main() -> int:
    parser = parser_with_project(__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs of each (15)")
    parser.add_argument(
        "--max-ratio", type=float, default=MAX_RATIO, help="fail above this ratio"
    )
    args = parser.parse_args()
    project = prepared_project(args)
    server, baseline = import_medians(project.server, args.runs)
    ratio = server / baseline
    print(f"baseline ({BASELINE}): {baseline * 1000:.0f} ms")
    print(f"server ({project.server}): {server * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f} (limit {args.max_ratio:.2f}, medians of {args.runs})")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
