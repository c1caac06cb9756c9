"""Benchmark: importing the server must cost no more than its core dependencies.

Cloud Run starts instances from zero, so import time is part of every cold start.
This compares importing the server module with importing what it cannot avoid
(FastAPI, LangGraph and the SQLite checkpointer), each in a fresh interpreter,
interleaved, and fails when the median ratio exceeds `--max-ratio`.
"""

import argparse
import statistics
import subprocess
import sys

SERVER = "{{ cookiecutter.package_name }}.server.app"
BASELINE = "fastapi, langgraph.graph, langgraph.checkpoint.sqlite.aio"
_TIMER = (
    "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
)


def import_seconds(modules: str) -> float:
    """Seconds to import `modules` in a fresh interpreter (startup excluded)."""
    command = [sys.executable, "-c", _TIMER.format(modules)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs of each (15)")
    parser.add_argument(
        "--max-ratio", type=float, default=1.2, help="fail above this ratio (1.2)"
    )
    args = parser.parse_args()
    import_seconds(SERVER)  # warm the file system cache and bytecode
    server, baseline = [], []
    for _ in range(args.runs):
        server.append(import_seconds(SERVER))
        baseline.append(import_seconds(BASELINE))
    ratio = statistics.median(server) / statistics.median(baseline)
    print(f"baseline ({BASELINE}): {statistics.median(baseline) * 1000:.0f} ms")
    print(f"server ({SERVER}): {statistics.median(server) * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f} (limit {args.max_ratio:.2f}, medians of {args.runs})")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
