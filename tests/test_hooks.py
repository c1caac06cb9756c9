"""The pre-generation hook: its checks one by one, then as cookiecutter runs it."""

import json
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from helpers import (
    HOSTILE_AUTHOR_NAME,
    HOSTILE_DESCRIPTION,
    HOSTILE_PROJECT_NAME,
    TEMPLATE_ROOT,
    bake_or_fail,
    load_hook,
)

pre_gen = load_hook("pre_gen_project")

VALID_CONTEXT = {
    "project_name": "My Agent",
    "project_slug": "my-agent",
    "package_name": "my_agent",
    "description": "A LangGraph agent on Google Cloud",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "gcp_region": "us-central1",
    "model_name": "gemini-3.5-flash",
    "python_version": "3.11",
    "agent": "react",
    "deployment_target": "cloud_run",
    "cicd_runner": "google_cloud_build",
    "session_store": "cloud_sql",
}


def errors_for(**overrides: str) -> list[str]:
    return pre_gen.validate({**VALID_CONTEXT, **overrides})


def test_valid_context_passes() -> None:
    assert pre_gen.validate(VALID_CONTEXT) == []


def test_template_defaults_pass() -> None:
    context = generate_context(context_file=str(TEMPLATE_ROOT / "cookiecutter.json"))
    assert pre_gen.validate(prompt_for_config(context, no_input=True)) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("project_name", HOSTILE_PROJECT_NAME),
        ("project_slug", "abc"),
        ("project_slug", "agent2-v3"),
        ("project_slug", "a" * 49),
        ("package_name", "agent_2"),
        ("package_name", "a" * 32),
        ("package_name", "typed"),
        ("description", HOSTILE_DESCRIPTION),
        ("author_name", HOSTILE_AUTHOR_NAME),
        ("author_email", "o.brien+bob@mail.example.co.uk"),
        ("gcp_region", "europe-west4"),
        ("gcp_region", "northamerica-northeast1"),
        ("gcp_region", "me-central2"),
        ("model_name", "gemini-2.5-pro"),
        ("model_name", "publishers/google/models/gemini-2.0-flash@001"),
        ("python_version", "3.13"),
    ],
)
def test_accepts(option: str, value: str) -> None:
    assert errors_for(**{option: value}) == []


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("project_name", "", "is empty"),
        ("project_name", "   ", "is empty"),
        ("project_name", "Two\nlines", "newline or control character"),
        ("project_slug", "My-Agent", "not a valid slug"),
        ("project_slug", "my_agent", "not a valid slug"),
        ("project_slug", "my--agent", "not a valid slug"),
        ("project_slug", "-agent", "not a valid slug"),
        ("project_slug", "agent-", "not a valid slug"),
        ("project_slug", "1agent", "not a valid slug"),
        ("project_slug", "a" * 50, "use 3 to 49"),
        ("project_slug", "ab", "use 3 to 49"),
        ("package_name", "My_Agent", "not a valid package name"),
        ("package_name", "my-agent", "not a valid package name"),
        ("package_name", "_agent", "not a valid package name"),
        ("package_name", "agent\u00e9", "not a valid package name"),
        ("package_name", "a" * 33, "at most 32"),
        ("package_name", "class", "Python keyword"),
        ("package_name", "match", "Python keyword"),
        ("package_name", "json", "standard library module json"),
        ("package_name", "asyncio", "standard library module asyncio"),
        ("package_name", "fastapi", "generated project depends on"),
        ("package_name", "langgraph", "generated project depends on"),
        ("package_name", "tests", "generated project depends on"),
        ("description", "first\nsecond", "newline or control character"),
        ("description", "bell\a", "newline or control character"),
        ("description", "line\u2028separator", "newline or control character"),
        ("author_name", "Tab\tName", "newline or control character"),
        ("author_email", "not-an-email", "not an e-mail address"),
        ("author_email", "a b@example.com", "not an e-mail address"),
        ("author_email", "you@localhost", "not an e-mail address"),
        ("gcp_region", "us central", "not a Google Cloud region"),
        ("gcp_region", "US-CENTRAL1", "not a Google Cloud region"),
        ("gcp_region", "us-central", "not a Google Cloud region"),
        ("gcp_region", "global", "not a Google Cloud region"),
        ("model_name", "", "is empty"),
        ("model_name", "gemini 2.5", "not a model name"),
        ("model_name", 'gemini"', "not a model name"),
        ("model_name", "-gemini", "not a model name"),
        ("python_version", "3.9", "not supported"),
        ("python_version", "3.14", "not supported"),
    ],
)
def test_rejects_with_one_message(option: str, value: str, reason: str) -> None:
    errors = errors_for(**{option: value})
    assert len(errors) == 1, errors
    assert errors[0].startswith(option)
    assert reason in errors[0]
    assert "\n" not in errors[0]


def test_stdlib_message_reads_as_documented() -> None:
    assert errors_for(package_name="json") == [
        "package_name 'json' clashes with the standard library module json; "
        "choose another name."
    ]


def test_missing_option_is_reported() -> None:
    context = dict(VALID_CONTEXT)
    del context["gcp_region"]
    assert pre_gen.validate(context) == ["gcp_region is missing or not text; got None."]


def test_main_prints_one_line_per_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {**VALID_CONTEXT, "package_name": "json", "gcp_region": "us central"}
    monkeypatch.setattr(pre_gen, "RENDERED_CONTEXT", json.dumps(bad))
    assert pre_gen.main() == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("ERROR: ") for line in lines)


def test_main_accepts_valid_context(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pre_gen, "RENDERED_CONTEXT", json.dumps(VALID_CONTEXT))
    assert pre_gen.main() == 0
    assert capsys.readouterr().err == ""


def test_main_refuses_to_run_unrendered(capsys: pytest.CaptureFixture[str]) -> None:
    assert pre_gen.main() == 2
    assert "cookiecutter" in capsys.readouterr().err


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
def test_hook_renders_to_valid_python_with_hostile_values(hook: str) -> None:
    """Cookiecutter renders the hook with Jinja: hostile values must not break it."""
    context = {
        **VALID_CONTEXT,
        "project_name": HOSTILE_PROJECT_NAME + " ''' \"\"\" \\",
        "description": HOSTILE_DESCRIPTION,
        "author_name": HOSTILE_AUTHOR_NAME,
        "_output_dir": 'C:\\Users\\o\'brien\\"out"',
    }
    source = (TEMPLATE_ROOT / "hooks" / f"{hook}.py").read_text(encoding="utf-8")
    environment = StrictEnvironment(context={"cookiecutter": context})
    rendered = environment.from_string(source).render(cookiecutter=context)
    namespace: dict[str, object] = {"__name__": "rendered_hook"}
    exec(compile(rendered, f"{hook}.py", "exec"), namespace)  # noqa: S102
    if hook == "pre_gen_project":
        assert json.loads(str(namespace["RENDERED_CONTEXT"])) == context


# Each bad input must stop the bake and say why. `where` names the stream holding the
# message: the hook's stderr, or cookiecutter's own exception for an unknown choice.
BAD_INPUTS = {
    "agent-engine-with-cloud-sql": (
        {"deployment_target": "agent_engine", "session_store": "cloud_sql"},
        "stderr",
        "ERROR: deployment_target 'agent_engine' cannot reach Cloud SQL",
    ),
    "rag-on-agent-engine": (
        {
            "agent": "rag",
            "deployment_target": "agent_engine",
            "session_store": "sqlite",
        },
        "stderr",
        "ERROR: agent 'rag' keeps its knowledge in PostgreSQL with pgvector",
    ),
    "rag-without-cloud-sql": (
        {"agent": "rag", "session_store": "sqlite"},
        "stderr",
        "ERROR: agent 'rag' keeps its knowledge in PostgreSQL with pgvector on Cloud "
        "SQL; use deployment_target=cloud_run and session_store=cloud_sql.",
    ),
    "unknown-agent": (
        {"agent": "swarm"},
        "exception",
        "swarm provided for choice variable agent",
    ),
    "bad-slug": (
        {"project_slug": "My Agent", "package_name": "my_agent"},
        "stderr",
        "ERROR: project_slug 'My Agent' is not a valid slug",
    ),
    "keyword-package": (
        {"package_name": "class"},
        "stderr",
        "ERROR: package_name 'class' is a Python keyword",
    ),
    "stdlib-package": (
        {"package_name": "json"},
        "stderr",
        "ERROR: package_name 'json' clashes with the standard library module json",
    ),
    "dependency-package": (
        {"package_name": "fastapi"},
        "stderr",
        "ERROR: package_name 'fastapi' clashes with the module fastapi",
    ),
    "bad-email": (
        {"author_email": "you at example.com"},
        "stderr",
        "ERROR: author_email 'you at example.com' is not an e-mail address",
    ),
    "bad-region": (
        {"gcp_region": "us central"},
        "stderr",
        "ERROR: gcp_region 'us central' is not a Google Cloud region",
    ),
    "empty-model": (
        {"model_name": ""},
        "stderr",
        "ERROR: model_name is empty",
    ),
    "newline-description": (
        {"description": 'Line one\nLine "two" \\'},
        "stderr",
        "ERROR: description 'Line one\\nLine \"two\" \\\\' contains a newline",
    ),
    "lock-switch": (
        {"_lock_dependencies": "maybe"},
        "stderr",
        "ERROR: _lock_dependencies must be 'yes' or 'no'",
    ),
    "old-python": (
        {"python_version": "3.9"},
        "exception",
        "3.9 provided for choice variable python_version",
    ),
}


@pytest.mark.parametrize(
    ("extra_context", "where", "message"),
    list(BAD_INPUTS.values()),
    ids=list(BAD_INPUTS),
)
def test_bake_rejects_bad_input(
    cookies, capfd: pytest.CaptureFixture[str], extra_context, where, message
) -> None:
    result = cookies.bake(extra_context={"_lock_dependencies": "no", **extra_context})
    assert result.exit_code != 0
    assert result.exception is not None
    stderr = capfd.readouterr().err
    if where == "stderr":
        error_lines = [line for line in stderr.splitlines() if "ERROR:" in line]
        assert len(error_lines) == 1, stderr
        assert error_lines[0].startswith(message), stderr
        assert "Hook script failed" in str(result.exception)
    else:
        assert message in str(result.exception)


def test_bake_prints_next_steps(cookies, capfd: pytest.CaptureFixture[str]) -> None:
    result = cookies.bake(
        extra_context={"project_name": "Next Steps", "_lock_dependencies": "no"}
    )
    assert result.exit_code == 0, result.exception
    stdout = capfd.readouterr().out
    for step in ("cd next-steps", "make install", "make test", "make dev"):
        assert step in stdout
    assert Path(result.project_path).name == "next-steps"


def test_a_valid_combination_passes() -> None:
    assert errors_for(deployment_target="agent_engine", session_store="sqlite") == []
    assert errors_for(agent="rag") == []


def test_rag_next_steps_say_to_ingest(
    cookies: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    result = cookies.bake(extra_context={"agent": "rag", "_lock_dependencies": "no"})
    assert result.exit_code == 0, result.exception
    assert "make ingest" in capfd.readouterr().out


def test_no_empty_folder_is_left(cookies: Any) -> None:
    project = Path(
        bake_or_fail(cookies, {"cicd_runner": "github_actions"}).project_path
    )
    assert not (project / ".cloudbuild").exists()
    assert [p for p in project.rglob("*") if p.is_dir() and not any(p.iterdir())] == []


def _fake_uv(folder: Path, script: str) -> None:
    """A `uv` on PATH that runs `script` (sh) instead of resolving anything."""
    folder.mkdir()
    uv = folder / "uv"
    uv.write_text(f"#!/bin/sh\n{script}\n")
    uv.chmod(0o755)


def test_the_hook_writes_the_lock_with_uv(
    cookies: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_uv(tmp_path / "bin", 'echo "uv $*" > uv.lock')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    result = cookies.bake(extra_context={"_lock_dependencies": "yes"})

    assert result.exit_code == 0, result.exception
    lock = Path(result.project_path) / "uv.lock"
    assert lock.read_text().strip() == "uv lock --quiet"


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (None, "uv is not on PATH"),
        (
            "echo 'error: Failed to fetch: fastapi' >&2; exit 2",
            "`uv lock` failed: error: Failed to fetch",
        ),
    ],
    ids=["no-uv", "offline"],
)
def test_without_a_lock_the_next_steps_say_to_make_one(
    cookies: Any,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    script: str | None,
    reason: str,
) -> None:
    if script is None:
        (tmp_path / "bin").mkdir()
    else:
        _fake_uv(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    result = cookies.bake(extra_context={"_lock_dependencies": "yes"})

    assert result.exit_code == 0, result.exception
    assert not (Path(result.project_path) / "uv.lock").exists()
    out = " ".join(capfd.readouterr().out.split())
    assert f"uv.lock was not written ({reason}" in out
    assert "Run `make install` before your first push" in out
