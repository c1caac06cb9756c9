"""`make bench`: render a project, install it, run the benchmark suite against it.

The suite (bench.py and the modules beside it) measures the project's server
against bare floors; docs/benchmarks.md says how. This runs it as a new user would
get the project: rendered into a fresh directory, installed into its own virtual
environment, the suite running with the project's Python. Slow and sensitive to
what else the machine is doing, so it is `make bench`, never part of `make test`.

    uv run python bench/bench_generated.py [--quick] [--skip NAME] [--keep] \
        [option=value ...]

Options such as `agent=rag` are the template's (cookiecutter.json); the defaults
otherwise.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_ROOT = BENCH_DIR.parent
# Variables that would make the project's commands use the caller's environment.
LEAKY_VARIABLES = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME")


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


def suite_command(uv: str, quick: bool, skip: list[str]) -> list[str]:
    """bench.py, run with the project's Python (`uv run` in its directory)."""
    command = [uv, "run", "python", str(BENCH_DIR / "bench.py")]
    if quick:
        command.append("--quick")
    for name in skip:
        command += ["--skip", name]
    return command


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs: a rough look")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="leave a benchmark out (repeatable; bench.py --help lists them)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the rendered project afterwards"
    )
    parser.add_argument("options", nargs="*", help="template options, name=value")
    args = parser.parse_args()
    uv = tool("uv")
    environment = isolated_environment()
    output_dir = Path(tempfile.mkdtemp(prefix="bench-generated-"))
    try:
        project = render(output_dir, parse_options(args.options))
        print(f"rendered {project}", flush=True)
        # The commands are fixed; only the project directory comes from outside.
        subprocess.run([uv, "sync"], cwd=project, env=environment, check=True)
        suite = suite_command(uv, args.quick, args.skip)
        return subprocess.run(suite, cwd=project, env=environment).returncode
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
