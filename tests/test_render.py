"""Each named combination renders a project that parses, compiles and passes ruff."""

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import (
    COMBINATIONS,
    TEMPLATE_ROOT,
    UNRENDERED_RE,
    bake_or_fail,
    describe_failure,
    files_with_suffix,
    project_files,
    read_text,
    run,
)


@dataclass(frozen=True)
class Bake:
    inputs: dict[str, str]
    context: dict[str, Any]
    project: Path


@pytest.fixture(scope="module", params=list(COMBINATIONS))
def bake(request: pytest.FixtureRequest, cookies_session: Any) -> Bake:
    """One bake per combination, shared by the read-only checks below."""
    inputs = COMBINATIONS[request.param]
    result = bake_or_fail(cookies_session, inputs)
    return Bake(inputs, result.context, Path(result.project_path))


@pytest.fixture
def project(bake: Bake) -> Path:
    return bake.project


def test_inputs_reach_the_context_unchanged(bake: Bake) -> None:
    for option, value in bake.inputs.items():
        assert bake.context[option] == value


def test_no_unrendered_jinja(project: Path) -> None:
    leftovers = []
    for path in project_files(project):
        relative = path.relative_to(project)
        if UNRENDERED_RE.search(str(relative)):
            leftovers.append(f"{relative}: in the file name")
        text = read_text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if UNRENDERED_RE.search(line):
                leftovers.append(f"{relative}:{number}: {line.strip()}")
    assert leftovers == []


def test_python_files_compile(project: Path) -> None:
    python_files = files_with_suffix(project, ".py")
    assert python_files
    for path in python_files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_no_module_is_over_300_lines(project: Path) -> None:
    """One concern a module: an application module that outgrows a few screens is
    split (tests and fakes are not held to it)."""
    long = {
        str(path.relative_to(project)): lines
        for path in (project / "src").rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > 300
    }
    assert not long


def test_pyproject_carries_the_inputs_exactly(bake: Bake, project: Path) -> None:
    context = bake.context
    with (project / "pyproject.toml").open("rb") as file:
        metadata = tomllib.load(file)["project"]
    assert metadata["name"] == context["project_slug"]
    assert metadata["description"] == context["description"]
    assert metadata["authors"] == [
        {"name": context["author_name"], "email": context["author_email"]}
    ]
    assert metadata["requires-python"] == f">={context['python_version']}"


def test_package_directory_is_named_after_package_name(bake: Bake) -> None:
    package = bake.project / "src" / bake.context["package_name"]
    assert (package / "__init__.py").is_file()


def test_toml_files_parse(project: Path) -> None:
    for path in files_with_suffix(project, ".toml"):
        with path.open("rb") as file:
            tomllib.load(file)


def test_yaml_files_parse(project: Path) -> None:
    for path in files_with_suffix(project, ".yaml", ".yml"):
        list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--no-cache", "--output-format=concise", "."],
        ["format", "--check", "--no-cache", "."],
    ],
    ids=["check", "format"],
)
def test_ruff_passes_without_fixes(project: Path, command: list[str]) -> None:
    # cwd is the baked project, so ruff reads the generated pyproject.toml's settings.
    process = run([sys.executable, "-m", "ruff", *command], cwd=project)
    assert process.returncode == 0, describe_failure(process)


def test_ruff_is_installed() -> None:
    """Guard: the ruff checks above mean nothing if ruff itself cannot run."""
    process = run([sys.executable, "-m", "ruff", "--version"], cwd=TEMPLATE_ROOT)
    assert process.returncode == 0, describe_failure(process)


def test_dockerfile_builds_a_locked_non_root_runtime(bake: Bake) -> None:
    """The image recipe, read as text (no Docker engine here; the slow tests replay
    its install and CMD)."""
    dockerfile = (bake.project / "Dockerfile").read_text(encoding="utf-8")
    _comments, *stages = dockerfile.split("\nFROM ")
    assert len(stages) == 2, "a build stage and a runtime stage"
    builder, runtime = stages
    python = bake.context["python_version"]
    assert builder.startswith(f"python:{python}-slim AS builder")
    assert "UV_COMPILE_BYTECODE=1" in builder
    assert "uv sync --locked --no-dev" in builder
    assert runtime.startswith(f"python:{python}-slim")
    assert "COPY --from=builder" in runtime
    assert "\nUSER app\n" in runtime
    assert "uv" not in runtime.replace("uvicorn", "")
