"""Drift check: where production inputs and eval inputs are read from (files,
log formats, the eval set, BigQuery table names and the query)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.drift.bigquery import QUERY, parse_table
from {{ cookiecutter.package_name }}.drift.sources import (
    NO_INPUT,
    NOT_JSON,
    InputError,
    input_of,
    read_input_file,
    read_reference,
)
from {{ cookiecutter.package_name }}.eval.cases import EvalSetError

from ..fakes.drift import REFERENCE


def write_lines(path: Path, *lines: object) -> Path:
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
    )
    path.write_text(text, "utf-8")
    return path


# --- Readers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        {"input": "Water the cactus?"},
        {
            "message": "run finished",
            "run": {"run_id": "r1", "input": "Water the cactus?"},
        },
        {
            "jsonPayload": {
                "message": "run finished",
                "run": {"input": "Water the cactus?"},
            }
        },
    ],
    ids=["plain", "app-log-line", "cloud-logging-entry"],
)
def test_input_is_found_in_every_accepted_format(record: object) -> None:
    assert input_of(record) == "Water the cactus?"


@pytest.mark.parametrize(
    "record",
    [
        {"message": "run finished", "run": {"run_id": "r1", "status": "success"}},
        {"message": "feedback received", "feedback": {"score": 1}},
        {"input": ""},
        {"input": "   "},
        {"input": 42},
        {"run": "not an object"},
        ["a", "list"],
        "text",
    ],
)
def test_records_without_a_usable_input_have_none(record: object) -> None:
    assert input_of(record) is None


def test_a_log_file_is_read_and_skipped_lines_are_counted(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "runs.jsonl",
        {"message": "run finished", "run": {"input": "first"}},
        {"message": "run finished", "run": {"status": "success"}},  # inputs not logged
        "INFO:     Started server process [1]",  # a plain-text line
        "",
        {"jsonPayload": {"run": {"input": "second"}}},
        "[1, 2]",
    )

    inputs = read_input_file(path, limit=100)

    assert inputs.texts == ["first", "second"]
    assert inputs.skipped == Counter({NO_INPUT: 1, NOT_JSON: 2})
    assert inputs.skipped_total == 3
    assert inputs.source == str(path)


def test_the_limit_keeps_the_most_recent_inputs(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "runs.jsonl", *({"input": f"q{i}"} for i in range(10))
    )
    assert read_input_file(path, limit=3).texts == ["q7", "q8", "q9"]


def test_a_gcloud_json_export_is_read(tmp_path: Path) -> None:
    entries = [
        {"jsonPayload": {"message": "run finished", "run": {"input": "one"}}},
        {"jsonPayload": {"message": "run finished", "run": {}}},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(entries, indent=2))

    inputs = read_input_file(path, limit=10)

    assert inputs.texts == ["one"]
    assert inputs.skipped == Counter({NO_INPUT: 1})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "empty"),
        ("\n  \n", "empty"),
        ("id,input\n1,hello\n", "no line is a JSON object"),
        ('{"message": "run finished", "run": {}}\n', "LOG_USER_INPUTS=true"),
        ('[{"input": "unterminated"', "not valid JSON"),
    ],
    ids=["missing", "empty", "blank", "csv", "no-inputs-logged", "broken-array"],
)
def test_unusable_files_are_refused_with_the_reason(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "runs.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message) as refused:
        read_input_file(path, limit=10)
    assert str(path) in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(InputError, match="UTF-8"):
        read_input_file(path, limit=10)


def test_reference_takes_every_user_turn_of_the_eval_set() -> None:
    reference = read_reference(REFERENCE)

    cases = [json.loads(line) for line in REFERENCE.read_text().splitlines()]
    turns = sum(len(case.get("conversation", [None])) for case in cases)
    assert len(reference) == turns > len(cases)
    assert "And how many moons does it have?" in reference  # a second turn
    assert "Hello!" in reference


def test_a_broken_reference_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvalSetError, match="no such eval set"):
        read_reference(tmp_path / "missing.jsonl")


# --- BigQuery names and query ----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "my-project.{{ cookiecutter.package_name }}_telemetry.run_googleapis_com_stdout",
        "example.com:my-project.logs.run_googleapis_com_stdout",
    ],
)
def test_a_fully_qualified_table_is_accepted(name: str) -> None:
    project, table = parse_table(name)
    assert table == name
    assert name.startswith(project)


@pytest.mark.parametrize(
    "name",
    [
        "dataset.table",
        "my-project.dataset",
        "My-Project.dataset.table",
        "my-project.dataset.table`; DROP TABLE x; --",
        "my-project.data set.table",
        "",
    ],
)
def test_anything_else_is_refused_before_any_query(name: str) -> None:
    with pytest.raises(InputError, match=r"PROJECT\.DATASET\.TABLE"):
        parse_table(name)


def test_the_query_is_parameterised_and_reads_only_logged_inputs() -> None:
    assert set(re.findall(r"@(\w+)", QUERY)) == {"days", "limit"}
    assert "jsonPayload.message = 'run finished'" in QUERY
    assert "jsonPayload.run.input IS NOT NULL" in QUERY
    assert "ORDER BY timestamp DESC" in QUERY
