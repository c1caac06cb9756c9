"""The drift check end to end: `python -m ...drift` and `make drift`, offline,
with the local embedding: verdicts, the report, and every way to misuse it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.drift.__main__ import main
from {{ cookiecutter.package_name }}.eval.cases import load_cases

from ..fakes.drift import ON_TOPIC, REFERENCE, SHIFTED

PROJECT = Path(__file__).parents[2]
MODULE = "{{ cookiecutter.package_name }}.drift"
# Every user turn of the eval set is a reference input.
REFERENCE_INPUTS = sum(len(case.turns) for case in load_cases(REFERENCE))


pytestmark = pytest.mark.usefixtures("drift_environment")


def drift(*args: str) -> int:
    return main([*args, "--reference", str(REFERENCE)])


def test_shifted_inputs_are_drift_and_the_report_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "drift.json"

    status = drift("--inputs", str(SHIFTED), "--report", str(report))

    out = capsys.readouterr().out
    assert status == 1
    assert "production inputs      18" in out
    assert "skipped lines           3  (3 without an input)" in out
    assert f"eval inputs            {REFERENCE_INPUTS}" in out
    assert "embeddings         local" in out
    assert "DRIFT DETECTED: centroid distance and neighbour distance" in out
    assert "Book me a table for two" in out  # the farthest example
    data = json.loads(report.read_text())
    assert data["verdict"] == "drift"
    assert data["failed"] == ["centroid distance", "neighbour distance"]
    measures = data["measures"]
    assert (
        measures["centroid_distance"]["value"]
        > measures["centroid_distance"]["threshold"]
    )
    assert len(data["farthest"]) == 5
    assert f"report: {report}" in out


@pytest.mark.parametrize("inputs", [REFERENCE, ON_TOPIC], ids=["eval-set", "on-topic"])
def test_inputs_like_the_eval_set_pass(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = drift("--inputs", str(inputs))

    out = capsys.readouterr().out
    assert status == 0, out
    assert "No drift: both measures within their thresholds" in out


def test_only_the_failing_measure_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRIFT_NEIGHBOUR_THRESHOLD", "1.5")

    status = drift("--inputs", str(SHIFTED))

    out = capsys.readouterr().out
    assert status == 1
    assert "DRIFT DETECTED: centroid distance past the threshold" in out
    assert "1.500  ok" in out


def test_thresholds_from_the_environment_can_pass_a_shifted_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRIFT_CENTROID_THRESHOLD", "1.9")
    monkeypatch.setenv("DRIFT_NEIGHBOUR_THRESHOLD", "1.9")
    assert drift("--inputs", str(SHIFTED)) == 0
    assert "No drift" in capsys.readouterr().out


def test_the_limit_keeps_the_newest_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert drift("--inputs", str(SHIFTED), "--limit", "4") == 1
    out = capsys.readouterr().out
    assert "production inputs       4" in out
    assert "oil filter on a 2015 Honda Civic" in out  # the last line of the file


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    drift("--inputs", str(SHIFTED))
    captured = capsys.readouterr()
    assert "embedding production inputs: 18/18" in captured.err
    expected = f"embedding eval inputs: {REFERENCE_INPUTS}/{REFERENCE_INPUTS}"
    assert expected in captured.err
    assert "embedding production inputs" not in captured.out


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the check, expect status 2, return its one-line error."""
    try:
        status = drift(*args)
    except SystemExit as stop:  # argparse refuses before main's own checks
        status = int(stop.code or 0)
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_missing_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such file" in _refused(capsys, "--inputs", "nowhere.jsonl")


def test_an_empty_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    assert "empty, no inputs" in _refused(capsys, "--inputs", "empty.jsonl")


def test_a_malformed_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "runs.csv").write_text("time,input\n09:00,Water the cactus?\n")
    message = _refused(capsys, "--inputs", "runs.csv")
    assert "no line is a JSON object; expected JSONL" in message


def test_logs_without_user_inputs_point_at_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = {"message": "run finished", "run": {"run_id": "r", "status": "success"}}
    (tmp_path / "runs.jsonl").write_text(json.dumps(line) + "\n")
    assert "LOG_USER_INPUTS=true" in _refused(capsys, "--inputs", "runs.jsonl")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "one of the arguments --inputs --bigquery-table is required"),
        (
            ("--inputs", "a.jsonl", "--bigquery-table", "p-123456.d.t"),
            "not allowed with argument",
        ),
        (("--inputs", "a.jsonl", "--limit", "0"), "not a positive number"),
        (("--bigquery-table", "p-123456.d.t", "--days", "week"), "not a whole number"),
        (("--inputs", str(SHIFTED), "--days", "3"), "--bigquery-table only"),
        (("--bigquery-table", "not-a-table"), "expected PROJECT.DATASET.TABLE"),
    ],
    ids=["neither", "both", "zero-limit", "bad-days", "days-on-a-file", "bad-table"],
)
def test_bad_usage_is_refused_in_one_line(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in _refused(capsys, *args)


def test_a_broken_eval_set_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cases.jsonl").write_text('{"id": "x"}\n')
    status = main(["--inputs", str(SHIFTED), "--reference", "cases.jsonl"])
    err = capsys.readouterr().err
    assert status == 2
    assert "cases.jsonl:1" in err
    assert "exactly one of `input` or `conversation`" in err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DRIFT_EMBEDDINGS", "vertex", "needs GOOGLE_CLOUD_PROJECT"),
        ("DRIFT_NEIGHBOUR_QUANTILE", "2", "neighbour_quantile"),
    ],
)
def test_bad_settings_are_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert message in _refused(capsys, "--inputs", str(SHIFTED))


def test_settings_are_read_from_dot_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("DRIFT_CENTROID_THRESHOLD=1.9\n")
    drift("--inputs", str(SHIFTED))
    assert "1.900  ok" in capsys.readouterr().out


# --- As a program: `python -m` and `make drift` ------------------------------------


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    return subprocess.run(
        [sys.executable, "-m", MODULE, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        check=False,
    )


def test_help_lists_the_options() -> None:
    done = _python_m("--help")
    assert done.returncode == 0
    for option in ("--inputs", "--bigquery-table", "--days", "--limit"):
        assert option in done.stdout
    assert "--reference" in done.stdout
    assert "--report" in done.stdout
    assert "1 drift detected" in done.stdout


def test_the_module_runs_with_its_defaults() -> None:
    # From the project root, --reference defaults to the project's own eval set:
    # whatever it holds, every user turn of it is read, and the check runs.
    eval_set = PROJECT / "evals" / "default.jsonl"
    eval_inputs = sum(len(case.turns) for case in load_cases(eval_set))

    done = _python_m("--inputs", str(SHIFTED))

    assert done.returncode in (0, 1), done.stderr
    assert f"production inputs      18  {SHIFTED}" in done.stdout
    assert f"eval inputs        {eval_inputs:>6}  evals/default.jsonl" in done.stdout


def test_the_module_refuses_bad_usage_without_a_traceback() -> None:
    done = _python_m("--inputs", "x.jsonl", "--bigquery-table", "p-123456.d.t")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    return subprocess.run(
        [MAKE, "--no-print-directory", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        check=False,
    )


@needs_make
def test_make_drift_without_a_source_prints_its_usage() -> None:
    done = _make("drift")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: make drift DRIFT_INPUTS=<runs.jsonl> or")
    assert "uv run" not in done.stdout


@needs_make
def test_make_drift_passes_its_variables_as_options() -> None:
    done = _make("-n", "drift", "DRIFT_BIGQUERY_TABLE=p-123456.d.t", "DRIFT_DAYS=3")
    assert done.returncode == 0
    command = f"uv run --group drift python -m {MODULE} --bigquery-table 'p-123456.d.t'"
    assert f"{command} --days '3'\n" in done.stdout


@needs_make
def test_make_help_lists_drift() -> None:
    assert "drift" in _make("help").stdout
