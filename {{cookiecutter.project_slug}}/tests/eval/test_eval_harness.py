"""The eval harness end to end: the default set passes offline; a wrong
expectation fails the gate naming the metric and the case; compare works."""

{% if cookiecutter.agent == "rag" -%}
import asyncio
{% endif -%}
import json
import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.eval.__main__ import main
{%- if cookiecutter.agent == "rag" %}
from {{ cookiecutter.package_name }}.knowledge.ingest import ingest
from {{ cookiecutter.package_name }}.settings import Settings
{%- endif %}

from ..integration.live_server import live_server

PROJECT = Path(__file__).parents[2]
EVALS = PROJECT / "evals"


def run(*args: str) -> int:
    return main([*args, "--no-progress"])


def test_the_default_set_passes_with_the_local_model(tmp_path: Path) -> None:
    status = run(
        "run",
        "--cases", str(EVALS / "default.jsonl"),
        "--thresholds", str(EVALS / "thresholds.json"),
        "--out", str(tmp_path),
    )  # fmt: skip

    assert status == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["gate"] == {"passed": True, "failures": []}
    lineage = {"prompt_version", "model", "judge", "git_commit", "timestamp"}
    assert set(results["lineage"]) >= {*lineage, "eval_set_sha256"}
    assert results["lineage"]["judge"].startswith("local")
    assert len(results["cases"]) == len(
        (EVALS / "default.jsonl").read_text().splitlines()
    )
    assert "adversarial" in results["by_tag"]
    html = (tmp_path / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    assert (tmp_path / "metrics.png").stat().st_size > 1000
    assert "Gate: **PASSED**" in (tmp_path / "report.md").read_text()


def test_a_wrong_expected_trajectory_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    wrong = {
        "id": "weather-paris",
        "input": "What is the weather in Paris?",
        "expected_trajectory": [
            {"name": "get_current_time", "args": {"city": "Paris"}}
        ],
        "checks": {"must_include": ["Paris"]},
    }
    right = {"id": "hello", "input": "Hello", "checks": {"must_include": ["weather"]}}
    cases.write_text(json.dumps(wrong) + "\n" + json.dumps(right) + "\n")
    shutil.copy(EVALS / "thresholds.json", tmp_path / "thresholds.json")

    status = run(
        "run",
        "--cases", str(cases),
        "--thresholds", str(tmp_path / "thresholds.json"),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip

    assert status == 1
    errors = capsys.readouterr().err
    assert "GATE FAILED" in errors
    assert (
        "tool_recall (all cases) = 0.500, needs >= 1.0; cases: weather-paris" in errors
    )
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    scores = {case["id"]: case["metrics"] for case in results["cases"]}
    assert scores["weather-paris"]["trajectory_exact"] == 0.0
    assert scores["weather-paris"]["tool_precision"] == 0.0
    assert scores["hello"]["trajectory_exact"] == 1.0


def test_a_bad_eval_set_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("not json\n")
    status = run("run", "--cases", str(cases), "--out", str(tmp_path / "out"))
    assert status == 2
    assert "cases.jsonl:1" in capsys.readouterr().err


def test_compare_two_prompt_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run(
        "compare", "v1", "v2",
        "--cases", str(EVALS / "default.jsonl"),
        "--out", str(tmp_path),
    )  # fmt: skip

    assert status == 0
    printed = capsys.readouterr().out
    assert "| rubric_score | 1.0 | 1.0 | +0.000 |" in printed
    assert "win rate 50%" in printed  # the local model ignores the prompt: all ties
    assert (tmp_path / "compare.md").read_text() in printed
    assert json.loads((tmp_path / "v2" / "results.json").read_text())["gate"] is None


def test_a_deployed_agent_is_evaluated_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVAL_ID_TOKEN", "a-token")  # sent as a bearer token
{%- if cookiecutter.agent == "rag" %}
    # Deployed with its knowledge ingested, as the pipelines do.
    knowledge = Settings(_env_file=None, data_dir=tmp_path / "data")
    asyncio.run(ingest(knowledge, str(PROJECT / "knowledge"), progress=False))
{%- endif %}
    with live_server(tmp_path / "data") as url:
        status = run(
            "run", "--url", url,
            "--cases", str(EVALS / "default.jsonl"),
            "--thresholds", str(EVALS / "thresholds.json"),
            "--out", str(tmp_path / "out"),
        )  # fmt: skip

    assert status == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["lineage"]["model"] == "local"
    assert results["lineage"]["prompt_version"].startswith("system/v1@")
    assert results["summary"]["tool_recall"] == 1.0
