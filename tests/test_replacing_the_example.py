"""Slow: the contract for making a project one's own. A user replaces the example's
tools (`agent/tools.py`), its system prompt and its tool tests, and nothing else:
`make lint` and `make test` stay green, and `make eval` stops at once, one line per
eval case that expects a tool the agent no longer has."""

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    COMMAND_TIMEOUT_SECONDS,
    TEMPLATE_ROOT,
    bake_or_fail,
    describe_failure,
    isolated_environment,
    run,
    skip_machinery_tests,
)

REPLACEMENT = Path(__file__).parent / "replacement"
EXAMPLE_TOOLS = ("get_weather", "get_current_time")
CURRENT_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
PYTHON_CHOICES = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text())[
    "python_version"
]
# The ReAct bake also proves another package name on the Python running the tests
# (the project must accept that interpreter, which UV_PYTHON pins).
OPTIONS: dict[str, dict[str, str]] = {
    "react": {
        "project_name": "Support Desk",
        "package_name": "desk_agent",
        **(
            {"python_version": CURRENT_PYTHON}
            if CURRENT_PYTHON in PYTHON_CHOICES
            else {}
        ),
    },
    "rag": {"agent": "rag"},
}


def replace_the_example(project: Path, package: str) -> None:
    """Write the order desk's tools, prompt and tests over the example's."""
    agent = project / "src" / package / "agent"
    (agent / "tools.py").write_text((REPLACEMENT / "tools.py").read_text())
    (agent / "prompts" / "system" / "v1.md").write_text(
        (REPLACEMENT / "v1.md").read_text()
    )
    tests = (REPLACEMENT / "test_tools.py.in").read_text().replace("{package}", package)
    (project / "tests" / "unit" / "test_tools.py").write_text(tests)


def cases_expecting(project: Path, tools: tuple[str, ...]) -> set[str]:
    """Ids of the eval cases whose expected trajectory calls one of `tools`."""
    found = set()
    for path in sorted((project / "evals").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            case = json.loads(line) if line.strip() else {}
            names = {step["name"] for step in case.get("expected_trajectory", [])}
            if names & set(tools):
                found.add(case["id"])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("agent", list(OPTIONS))
def test_replacing_the_example_keeps_the_project_green(
    cookies: Any, tmp_path: Path, agent: str
) -> None:
    options = OPTIONS[agent]
    project = Path(bake_or_fail(cookies, options).project_path)
    replace_the_example(project, options.get("package_name", "my_agent"))
    home = tmp_path / "home"
    home.mkdir()
    environment = isolated_environment(home)
    # The machinery's tests use no example: the defaults bake runs them.
    skip_machinery_tests(environment)

    for target in ("install", "lint", "test"):
        process = run(
            ["make", target],
            cwd=project,
            env=environment,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        assert process.returncode == 0, describe_failure(process)

    expecting = cases_expecting(project, EXAMPLE_TOOLS)
    process = run(["make", "eval"], cwd=project, env=environment, timeout=300)
    if not expecting:
        assert process.returncode == 0, describe_failure(process)
        return
    assert process.returncode != 0
    lines = [
        line
        for line in process.stderr.splitlines() + process.stdout.splitlines()
        if "does not have" in line
    ]
    assert len(lines) == len(expecting), describe_failure(process)
    for case in expecting:
        assert any(case in line for line in lines), describe_failure(process)
    assert all(any(tool in line for tool in EXAMPLE_TOOLS) for line in lines)
