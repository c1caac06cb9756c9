"""Every benchmark against a rendered project, one table, a non-zero exit on a
missed target.

Each figure is set against a floor measured in the same run on the same machine,
so the ratios mean something on a laptop and in CI alike. The servers run from the
environment the image ships (built with uv: no dev dependencies, bytecode compiled);
docs/benchmarks.md says what each benchmark measures and how. Run it with the
project's Python, from the project's directory (bench_generated.py does, for
`make bench`):

    uv run python <template>/bench/bench.py [--quick] [--dev-env] [--skip NAME] \
        [--project DIR]
"""

import os
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bench_cold_start
import bench_import
import bench_serving
import bench_size
import bench_streaming
from benchmarking import (
    Project,
    Section,
    compile_bytecode,
    parser_with_project,
    report,
)


@dataclass(frozen=True)
class Setup:
    """How this run measures: which project, fewer runs or not, which Python serves."""

    project: Project
    quick: bool
    python: str
    runtime: Path | None


BENCHMARKS: dict[str, Callable[[Setup], Section]] = {
    "import": lambda run: bench_import.measure(
        run.project, runs=5 if run.quick else 15, python=run.python
    ),
    "cold-start": lambda run: bench_cold_start.measure(
        run.project, starts=3 if run.quick else 7, python=run.python
    ),
    "serving": lambda run: bench_serving.measure(
        run.project,
        requests=100 if run.quick else 400,
        rounds=1 if run.quick else 3,
        python=run.python,
    ),
    "streaming": lambda run: bench_streaming.measure(
        run.project, streams=10 if run.quick else 40, python=run.python
    ),
    "size": lambda run: bench_size.measure(run.project, run.runtime),
}


@contextmanager
def setup(project: Project, quick: bool, dev_env: bool) -> Iterator[tuple[Setup, str]]:
    """The runtime environment to serve from, or this one; and a note saying which."""
    reason = "--dev-env" if dev_env else bench_size.why_no_runtime(project)
    with ExitStack() as stack:
        runtime = None
        if reason is None:
            try:
                runtime = stack.enter_context(bench_size.runtime_environment(project))
            except subprocess.CalledProcessError as error:
                reason = f"the runtime environment could not be built: {error}"
        # The project's code and the floors in any case; the environment if it serves.
        compile_bytecode(project, environment=runtime is None)
        if runtime is None:
            note = (
                f"environment: this development one ({reason}), bytecode compiled "
                "in place first; dev-only packages that libraries load when present "
                "(psutil, numpy) add to its start-up time and memory"
            )
            yield Setup(project, quick, sys.executable, None), note
            return
        note = (
            "environment: servers and imports ran from the runtime environment "
            "(no dev dependencies, bytecode compiled at install, as in the image)"
        )
        python = str(bench_size.interpreter(runtime))
        yield Setup(project, quick, python, runtime), note


def main() -> int:
    parser = parser_with_project(__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs: a rough look, not a verdict"
    )
    parser.add_argument(
        "--dev-env",
        action="store_true",
        help="serve from this environment instead of building the runtime one",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=sorted(BENCHMARKS),
        help="leave a benchmark out (repeatable)",
    )
    args = parser.parse_args()
    project = Project.at(args.project)
    quick = " (--quick: rough figures)" if args.quick else ""
    print(f"{project.root.name} ({project.package}): {_machine()}{quick}\n", flush=True)
    sections: list[Section] = []
    broken: list[str] = []
    with setup(project, args.quick, args.dev_env) as (run, note):
        for name, measure in BENCHMARKS.items():
            if name in args.skip:
                continue
            try:
                sections.append(measure(run))
            except Exception as error:  # report it, and let the others run
                broken.append(name)
                sections.append(Section(notes=[f"{name}: could not run: {error}"]))
    sections.append(Section(notes=[note]))
    status = report(sections)
    if broken:
        print(f"benchmarks that could not run: {', '.join(broken)}")
        return 1
    return status


def _machine() -> str:
    cpus = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    system = f"{platform.system()} {platform.machine()}, {cpus} CPUs"
    return f"{date.today()}, Python {platform.python_version()}, {system}"


if __name__ == "__main__":
    sys.exit(main())
