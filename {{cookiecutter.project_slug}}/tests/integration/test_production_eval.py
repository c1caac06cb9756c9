"""The loop from production back to the eval set, offline: runs the app captured
(CAPTURE_RUNS) are scored by `eval production`, which flags a deliberately bad
answer and exits non-zero; a thumbs-down becomes a candidate case by `eval
harvest`, which the harness loads and runs. The same from BigQuery, through the
real client against the local fake, scores included. On the scripted model and the
neutral test tools: nothing here depends on the example."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.eval.__main__ import main
from {{ cookiecutter.package_name }}.eval.cases import load_cases
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_app import directed
from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS
from .bigquery_fake import BigQueryFake
from .fake_credentials import use_fake_credentials

PROJECT = Path(__file__).parents[2]
THRESHOLDS = PROJECT / "evals" / "production_thresholds.json"
RUBRIC = PROJECT / "evals" / "production_rubric.md"
BAD_ANSWER = "Found: beta is 97, according to the 1999 ministry records."
RUNS_TABLE = "test-project.agent_capture.runs"
SCORES_TABLE = "test-project.agent_capture.scores"


def production(*args: str) -> int:
    # The test's own arguments last: they win over these.
    return main(
        [
            "production",
            "--judge", "local",
            "--thresholds", str(THRESHOLDS),
            "--rubric", str(RUBRIC),
            *args,
        ]
    )  # fmt: skip


def harvest(*args: str) -> int:
    return main(["harvest", "--judge", "local", "--rubric", str(RUBRIC), *args])


def capture(folder: Path, *, bad_answer: bool, thumbs_down: bool) -> Path:
    """Serve a few good runs (and, if asked, one bad answer and a thumbs-down on
    it) with CAPTURE_RUNS=local; the capture file."""
    settings = Settings(_env_file=None, data_dir=folder, capture_runs="local")
    model = ScriptedChatModel(fallback=directed)
    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        for message in ("What is lookup:alpha?", "Hello", "lookup:beta please"):
            assert client.post("/invoke", json={"message": message}).is_success
        if bad_answer:
            model.then(calls(("lookup", {"key": "beta"})), BAD_ANSWER)
            run = client.post("/invoke", json={"message": "What is lookup:beta?"})
            if thumbs_down:
                body = {"run_id": run.json()["run_id"], "score": 0, "text": "wrong"}
                assert client.post("/feedback", json=body).status_code == 201
    return settings.captured_runs_path


@pytest.fixture(autouse=True)
def in_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No `.env` and no DATA_DIR of the developer's: a scratch directory."""
    monkeypatch.chdir(tmp_path)


def results(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "results.json").read_text())
    return loaded


def test_good_runs_pass(tmp_path: Path) -> None:
    runs = capture(tmp_path / "data", bad_answer=False, thumbs_down=False)

    status = production("--runs", str(runs), "--out", str(tmp_path / "out"))

    assert status == 0
    summary = results(tmp_path / "out")["summary"]
    assert summary["runs"] == 3
    assert summary["groundedness"] == 1.0
    assert summary["tool_success"] == 1.0
    assert summary["tool_error_rate"] == 0.0
    assert summary["negative_feedback_rate"] == 0.0


def test_a_bad_answer_is_flagged_and_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = capture(tmp_path / "data", bad_answer=True, thumbs_down=True)
    out = tmp_path / "out"

    status = production("--runs", str(runs), "--out", str(out))

    assert status == 1
    report = results(out)
    [bad] = [case for case in report["cases"] if case["reply"] == BAD_ANSWER]
    assert bad["metrics"]["groundedness"] == 0.0
    assert bad["feedback"] == ["thumbs down: wrong"]
    assert "thumbs-down" in bad["tags"]
    assert report["gate"]["passed"] is False
    errors = capsys.readouterr().err
    # The mean over the runs that called a tool: 1, 1 and the bad one's 0.
    assert f"groundedness (all cases) = 0.667, needs >= 0.8; cases: {bad['id']}" in (
        errors
    )
    html = (out / "report.html").read_text()
    # Failing runs come first in the report, with what they answered.
    assert html.index(bad["id"]) < min(
        html.index(case["id"]) for case in report["cases"] if case is not bad
    )
    assert "97, according to the 1999 ministry records" in html


def test_a_thumbs_down_becomes_a_candidate_case_the_harness_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = capture(tmp_path / "data", bad_answer=True, thumbs_down=True)
    candidates = tmp_path / "candidates.jsonl"

    assert harvest("--runs", str(runs), "--out", str(candidates)) == 0

    [case] = load_cases(candidates)
    assert case.input == "What is lookup:beta?"
    assert case.tags == ["needs-review", "production"]
    assert [step.model_dump() for step in case.expected_trajectory] == [
        {"name": "lookup", "args": {"key": "beta"}}
    ]
    assert '"wrong"' in case.rubric
    assert case.origin is not None
    assert case.origin["answer"] == BAD_ANSWER
    assert case.origin["feedback"] == [{"score": 0, "text": "wrong"}]
    assert "needs-review" in capsys.readouterr().out
    # The harness runs it as it runs any case (from the project, whose knowledge a
    # retrieval agent ingests first).
    monkeypatch.chdir(PROJECT)
    status = main(
        [
            "run",
            "--cases", str(candidates),
            "--guardrail-set", "",
            "--thresholds", str(PROJECT / "evals" / "thresholds.json"),
            "--out", str(tmp_path / "eval"),
            "--no-progress",
            "--judge", "local",
        ],
        model=ScriptedChatModel(fallback=directed),
        tools=TEST_TOOLS,
    )  # fmt: skip
    assert status in (0, 1)
    [result] = results(tmp_path / "eval")["cases"]
    assert result["reply"] == "Found: beta = 2"
    assert "1 case(s) still tagged needs-review" in capsys.readouterr().err


def test_the_lowest_scored_runs_can_be_harvested_too(tmp_path: Path) -> None:
    runs = capture(tmp_path / "data", bad_answer=True, thumbs_down=False)
    candidates = tmp_path / "candidates.jsonl"

    assert harvest("--runs", str(runs), "--out", str(candidates)) == 0
    assert not candidates.exists()  # no thumbs-down: nothing

    status = harvest("--runs", str(runs), "--lowest", "1", "--out", str(candidates))

    assert status == 0
    [case] = load_cases(candidates)
    assert case.origin is not None
    assert case.origin["answer"] == BAD_ANSWER
    assert case.origin["why"] == "among the lowest scores"


def test_with_capture_off_there_is_nothing_to_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    with TestClient(create_app(settings, model=ScriptedChatModel())) as client:
        client.post("/invoke", json={"message": "Hello"})

    status = production("--runs", str(settings.captured_runs_path))

    assert status == 2
    assert "CAPTURE_RUNS=local" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "missing.jsonl"], "missing.jsonl: no such file"),
        (["--bigquery-table", "runs; DROP TABLE x"], "is not PROJECT.DATASET.TABLE"),
        (["--runs", "runs.jsonl", "--sample", "0"], "is not a positive whole number"),
        (["--runs", "runs.jsonl", "--rubric", "no.md"], "the rubric cannot be read"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    runs = capture(tmp_path / "data", bad_answer=False, thumbs_down=False)
    shutil.copy(runs, tmp_path / "runs.jsonl")

    try:
        status = production(*args)
    except SystemExit as usage_error:  # argparse's own exit
        status = int(str(usage_error.code))

    assert status == 2
    assert message in capsys.readouterr().err


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BigQueryFake]:
    """The BigQuery fake, reached with application-default credentials."""
    with BigQueryFake() as server:
        use_fake_credentials(server.url, tmp_path, monkeypatch)
        monkeypatch.setenv("CAPTURE_BIGQUERY_ENDPOINT", server.url)
        yield server


def test_runs_come_from_bigquery_and_scores_go_back(
    fake: BigQueryFake, tmp_path: Path
) -> None:
    runs = capture(tmp_path / "data", bad_answer=True, thumbs_down=True)
    fake.column = "record"
    # Newest first, as the query orders them.
    fake.rows = list(reversed(runs.read_text().splitlines()))
    out = tmp_path / "out"

    status = production(
        "--bigquery-table", RUNS_TABLE,
        "--days", "3",
        "--scores-table", SCORES_TABLE,
        "--out", str(out),
    )  # fmt: skip

    assert status == 1
    [query] = fake.queries
    assert f"FROM `{RUNS_TABLE}`" in query.sql
    assert query.parameters() == {"days": "3", "limit": "20000"}
    report = results(out)
    assert report["lineage"]["source"] == f"bigquery:{RUNS_TABLE} (last 3 days)"
    assert report["summary"]["runs"] == 4
    scores = {row.json["metric"]: row.json for row in fake.inserted}
    assert {row.table for row in fake.inserted} == {SCORES_TABLE}
    assert scores["groundedness"]["value"] == 0.6667
    assert scores["groundedness"]["minimum"] == 0.8
    assert scores["groundedness"]["passed"] is False
    assert scores["tool_success"]["passed"] is True
    assert scores["runs"]["runs_scored"] == 4
    # Each run links to its trace, in the table's project.
    traced = [case["trace"] for case in report["cases"]]
    assert all("project=test-project&tid=" in str(link) for link in traced), traced


def test_a_bigquery_error_is_one_line_and_status_2(
    fake: BigQueryFake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail_next_query(404, "notFound", "Not found: Table test-project:x.runs")

    status = production("--bigquery-table", RUNS_TABLE)

    assert status == 2
    assert "BigQuery answered 404" in capsys.readouterr().err


MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")
MODULE = "{{ cookiecutter.package_name }}.eval"


def make_dry_run(*args: str) -> str:
    """What `make -n` would run, from the project."""
    assert MAKE is not None
    done = subprocess.run(
        [MAKE, "--no-print-directory", "-n", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    return done.stdout


@needs_make
def test_make_eval_production_passes_its_variables_as_options() -> None:
    command = make_dry_run(
        "eval-production",
        f"PRODUCTION_BIGQUERY_TABLE={RUNS_TABLE}",
        "PRODUCTION_DAYS=1",
        f"SCORES_BIGQUERY_TABLE={SCORES_TABLE}",
    )

    assert command == (
        f"uv run --group eval python -m {MODULE} production "
        f"--bigquery-table '{RUNS_TABLE}' --days '1' --scores-table '{SCORES_TABLE}'\n"
    )
    # Alone: the local capture file, which the command finds itself.
    assert make_dry_run("eval-production").split() == [
        "uv", "run", "--group", "eval", "python", "-m", MODULE, "production"
    ]  # fmt: skip


@needs_make
def test_make_eval_harvest_passes_its_variables_as_options() -> None:
    command = make_dry_run(
        "eval-harvest", "PRODUCTION_RUNS=runs.jsonl", "HARVEST_LOWEST=5"
    )

    assert command == (
        f"uv run --group eval python -m {MODULE} harvest "
        "--runs 'runs.jsonl' --lowest '5'\n"
    )
