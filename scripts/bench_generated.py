"""Benchmark the template's output: render a project, install it, run its `make bench`.

The generated project measures itself against bare floors (docs/performance.md in
the project says how); this runs that as a new user would, in a fresh directory with
its own virtual environment. Slow and sensitive to what else the machine is doing,
so it is `make bench`, never part of `make test`.

    uv run python scripts/bench_generated.py [--quick] [--keep] [option=value ...]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
# Variables that would make the baked project use the caller's environment, or
# hand this make's command-line variables (BENCH_ARGS=...) to the project's make.
LEAKY_VARIABLES = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "PYTHONPATH",
    "PYTHONHOME",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)


def render(output_dir: Path, options: dict[str, str]) -> Path:
    """Render the template (defaults, then `options`) into `output_dir`."""
    # The template's Jinja extensions (local_extensions.py) import from its root.
    sys.path.insert(0, str(TEMPLATE_ROOT))
    from cookiecutter.main import cookiecutter

    project = cookiecutter(
        str(TEMPLATE_ROOT),
        no_input=True,
        output_dir=str(output_dir),
        extra_context=options,
    )
    return Path(project)


def isolated_environment() -> dict[str, str]:
    """This environment without what would leak into the project's own venv."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in LEAKY_VARIABLES and not name.startswith("GOOGLE_")
    }


def tool(name: str) -> str:
    """The full path of a command the benchmark needs, or exit saying so."""
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} is not on PATH; the benchmark needs it")
    return path


def parse_options(pairs: list[str]) -> dict[str, str]:
    """`name=value` arguments as cookiecutter's extra context."""
    options = {}
    for pair in pairs:
        name, sign, value = pair.partition("=")
        if not sign or not name:
            sys.exit(f"{pair!r}: give template options as name=value")
        options[name] = value
    return options


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs: a rough look")
    parser.add_argument(
        "--keep", action="store_true", help="keep the rendered project afterwards"
    )
    parser.add_argument("options", nargs="*", help="template options, name=value")
    args = parser.parse_args()
    uv, make = tool("uv"), tool("make")
    environment = isolated_environment()
    output_dir = Path(tempfile.mkdtemp(prefix="bench-generated-"))
    try:
        project = render(output_dir, parse_options(args.options))
        print(f"rendered {project}", flush=True)
        # The commands are fixed; only the project directory comes from outside.
        subprocess.run([uv, "sync"], cwd=project, env=environment, check=True)  # noqa: S603
        bench = [make, "bench"]
        if args.quick:
            bench.append("BENCH_ARGS=--quick")
        return subprocess.run(bench, cwd=project, env=environment).returncode  # noqa: S603
    except subprocess.CalledProcessError as error:
        print(f"{' '.join(error.cmd)} failed with exit code {error.returncode}")
        return 1
    finally:
        if args.keep:
            print(f"kept {output_dir}")
        else:
            shutil.rmtree(output_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
