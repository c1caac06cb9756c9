"""Drift check: the offline embedding, the comparison maths, the readers, the
settings and the report."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.drift.bigquery import QUERY, parse_table
from {{ cookiecutter.package_name }}.drift.compare import (
    CENTROID,
    NEIGHBOUR,
    compare,
    cosine_distance,
    failed_measures,
    farthest,
    nearest,
    unit_rows,
)
from {{ cookiecutter.package_name }}.drift.embeddings import HashedNgramEmbeddings
from {{ cookiecutter.package_name }}.drift.report import DriftReport
from {{ cookiecutter.package_name }}.drift.settings import (
    DEFAULT_THRESHOLDS,
    DriftSettings,
    Thresholds,
)
from {{ cookiecutter.package_name }}.drift.sources import (
    NO_INPUT,
    NOT_JSON,
    InputError,
    Inputs,
    input_of,
    read_input_file,
    read_reference,
)
from {{ cookiecutter.package_name }}.eval.cases import EvalSetError

PROJECT = Path(__file__).parents[2]
EVAL_SET = PROJECT / "evals" / "default.jsonl"


@pytest.fixture(autouse=True)
def no_drift_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's DRIFT_* settings do not reach these tests."""
    for name in list(os.environ):
        if name.startswith("DRIFT_"):
            monkeypatch.delenv(name)


def write_lines(path: Path, *lines: object) -> Path:
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
    )
    path.write_text(text, "utf-8")
    return path


# --- The offline embedding ---------------------------------------------------


def test_local_embedding_is_deterministic_unit_length_and_sized() -> None:
    first = HashedNgramEmbeddings().embed_query("What is the weather in Paris?")
    second = HashedNgramEmbeddings().embed_documents(["What is the weather in Paris?"])

    assert first == second[0]
    assert len(first) == 1024
    assert np.linalg.norm(first) == pytest.approx(1.0)


def test_local_embedding_is_the_same_in_another_process() -> None:
    # Python's own hash() differs between processes; the embedding must not.
    script = (
        "from {{ cookiecutter.package_name }}.drift import embeddings;"
        "print(embeddings.HashedNgramEmbeddings(64).embed_query('Weather in Oslo?'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    here = HashedNgramEmbeddings(64).embed_query("Weather in Oslo?")
    assert json.loads(other.stdout) == pytest.approx(here)


def test_local_embedding_ignores_case_and_unicode_forms() -> None:
    embeddings = HashedNgramEmbeddings()
    fullwidth = "\uff30\uff21\uff32\uff29\uff33"  # PARIS in full-width letters
    assert embeddings.embed_query(f"WEATHER in {fullwidth}") == embeddings.embed_query(
        "weather in paris"
    )


def test_text_without_words_embeds_to_zero() -> None:
    assert not any(HashedNgramEmbeddings().embed_query("?! ..."))


def test_local_embedding_ranks_related_wording_closer() -> None:
    embeddings = HashedNgramEmbeddings()
    asked, related, unrelated = embeddings.embed_documents(
        [
            "What is the weather in Paris?",
            "How is the weather in Berlin today?",
            "How do I file my tax return?",
        ]
    )
    assert cosine_distance(np.array(asked), np.array(related)) < cosine_distance(
        np.array(asked), np.array(unrelated)
    )


# --- The comparison maths ------------------------------------------------------


def test_cosine_distance_spans_zero_to_two() -> None:
    x, y = np.array([1.0, 0.0]), np.array([0.0, 3.0])
    assert cosine_distance(x, 5 * x) == pytest.approx(0.0)
    assert cosine_distance(x, y) == pytest.approx(1.0)
    assert cosine_distance(x, -x) == pytest.approx(2.0)
    assert cosine_distance(x, np.zeros(2)) == 1.0


def test_unit_rows_scales_rows_and_keeps_zero_rows() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.tolist() == [[0.6, 0.8], [0.0, 0.0]]


def test_nearest_finds_each_rows_closest_reference_in_chunks() -> None:
    reference = np.array([[1.0, 0.0], [0.0, 1.0]])
    production = np.array([[2.0, 0.1], [0.1, 5.0], [1.0, 1.0], [0.0, 0.0]])

    distances, indices = nearest(production, reference, chunk=3)

    assert indices[:2].tolist() == [0, 1]
    assert distances[:2] == pytest.approx([0.00125, 0.0002], abs=1e-4)
    assert distances[2] == pytest.approx(1 - 2**-0.5)
    assert distances[3] == pytest.approx(1.0)  # nothing in common with anything


def test_same_inputs_do_not_drift() -> None:
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])

    found = compare(vectors, vectors, quantile=0.9)

    assert found.centroid_distance == pytest.approx(0.0)
    assert found.neighbour_distance == pytest.approx(0.0, abs=1e-12)
    assert failed_measures(found, Thresholds(0.1, 0.1)) == []


def test_unrelated_inputs_fail_both_measures() -> None:
    reference = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0]])
    production = np.array([[0.0, 0.0, 1.0], [0.0, 0.1, 0.9]])

    found = compare(production, reference, quantile=0.9)

    assert found.centroid_distance > 0.9
    assert found.neighbour_distance > 0.9
    assert failed_measures(found, Thresholds(0.5, 0.5)) == [CENTROID, NEIGHBOUR]


def test_a_minority_off_topic_fails_the_neighbour_measure_only() -> None:
    # 8 inputs on the reference, 2 of 10 orthogonal: the centroid barely moves,
    # but the 90th percentile of the nearest distances is an off-topic input.
    reference = np.array([[1.0, 0.0], [1.0, 0.2]])
    production = np.array([[1.0, 0.1]] * 8 + [[0.0, 1.0]] * 2)

    found = compare(production, reference, quantile=0.9)

    assert found.neighbour_distance == pytest.approx(
        np.quantile(found.nearest_distances, 0.9)
    )
    assert failed_measures(found, Thresholds(centroid=0.3, neighbour=0.5)) == [
        NEIGHBOUR
    ]


def test_farthest_lists_distinct_texts_farthest_first() -> None:
    reference = np.array([[1.0, 0.0]])
    production = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    texts = ["far", "far", "middle", "near"]

    found = compare(production, reference, quantile=0.5)

    assert [texts[i] for i in farthest(found, texts, 2)] == ["far", "middle"]
    assert [texts[i] for i in farthest(found, texts, 10)] == ["far", "middle", "near"]


def test_comparing_an_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        compare(np.zeros((0, 2)), np.ones((1, 2)), 0.9)


# --- Readers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        {"input": "Weather in Rome?"},
        {
            "message": "run finished",
            "run": {"run_id": "r1", "input": "Weather in Rome?"},
        },
        {
            "jsonPayload": {
                "message": "run finished",
                "run": {"input": "Weather in Rome?"},
            }
        },
    ],
    ids=["plain", "app-log-line", "cloud-logging-entry"],
)
def test_input_is_found_in_every_accepted_format(record: object) -> None:
    assert input_of(record) == "Weather in Rome?"


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
    reference = read_reference(EVAL_SET)

    cases = [json.loads(line) for line in EVAL_SET.read_text().splitlines()]
    turns = sum(len(case.get("conversation", [None])) for case in cases)
    assert len(reference) == turns > len(cases)
    assert "And what time is it there?" in reference  # a second turn
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


# --- Settings --------------------------------------------------------------------


def test_settings_default_to_the_offline_embedding() -> None:
    settings = DriftSettings(_env_file=None)
    assert settings.embeddings == "local"
    assert settings.neighbour_quantile == 0.9
    assert settings.thresholds == DEFAULT_THRESHOLDS["local"]


def test_each_embedding_has_its_own_default_thresholds() -> None:
    settings = DriftSettings(
        _env_file=None, embeddings="vertex", google_cloud_project="p"
    )
    assert settings.thresholds == DEFAULT_THRESHOLDS["vertex"]
    assert DEFAULT_THRESHOLDS["vertex"] != DEFAULT_THRESHOLDS["local"]


def test_drift_variables_override_and_google_ones_are_shared_with_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFT_EMBEDDINGS", "vertex")
    monkeypatch.setenv("DRIFT_CENTROID_THRESHOLD", "0.25")
    monkeypatch.setenv("DRIFT_NEIGHBOUR_THRESHOLD", "")  # empty: the default
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")

    settings = DriftSettings(_env_file=None)

    assert settings.google_cloud_project == "my-project"
    assert settings.google_cloud_location == "europe-west4"
    assert settings.thresholds == Thresholds(
        centroid=0.25, neighbour=DEFAULT_THRESHOLDS["vertex"].neighbour
    )


def test_vertex_without_a_project_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="GOOGLE_CLOUD_PROJECT"):
        DriftSettings(_env_file=None, embeddings="vertex")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DRIFT_EMBEDDINGS", "openai"),
        ("DRIFT_NEIGHBOUR_QUANTILE", "1.5"),
        ("DRIFT_CENTROID_THRESHOLD", "-1"),
        ("DRIFT_NEIGHBOUR_THRESHOLD", "3"),
    ],
)
def test_bad_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("DRIFT_").lower()):
        DriftSettings(_env_file=None)


def test_env_example_documents_every_drift_setting() -> None:
    text = (PROJECT / ".env.example").read_text()
    documented = set(re.findall(r"^# (DRIFT_[A-Z_]+)=", text, re.MULTILINE))
    shared = {"google_cloud_project", "google_cloud_location", "vertex_base_url"}
    expected = {
        f"DRIFT_{name.upper()}"
        for name in DriftSettings.model_fields
        if name not in shared
    }
    assert documented == expected


# --- The report ------------------------------------------------------------------


def _report(production: list[str], quantile: float = 0.9) -> DriftReport:
    embeddings = HashedNgramEmbeddings()
    reference = ["What is the weather in Paris?", "What time is it in Tokyo?"]
    inputs = Inputs(production, "runs.jsonl", Counter({NO_INPUT: 2}))
    return DriftReport(
        inputs=inputs,
        reference=reference,
        reference_source="evals/default.jsonl",
        embeddings="local",
        comparison=compare(
            np.array(embeddings.embed_documents(production)),
            np.array(embeddings.embed_documents(reference)),
            quantile,
        ),
        thresholds=Thresholds(centroid=0.4, neighbour=0.75),
    )


def test_the_report_names_counts_measures_examples_and_verdict() -> None:
    report = _report(
        ["How do I bake sourdough bread?", "What is the weather in Paris?"]
    )

    text = report.render()

    assert report.failed == [CENTROID, NEIGHBOUR]
    assert "production inputs       2  runs.jsonl" in text
    assert "skipped lines           2  (2 without an input)" in text
    assert "eval inputs             2  evals/default.jsonl" in text
    assert re.search(r"centroid distance\s+\d\.\d{3}\s+0\.400  DRIFT", text)
    assert re.search(
        r"neighbour distance \(90th percentile\)\s+\d\.\d{3}\s+0\.750", text
    )
    farthest_first = text.index('"How do I bake sourdough bread?"')
    assert farthest_first < text.index('"What is the weather in Paris?"  →')
    assert "under 30 inputs" in text
    assert text.endswith(
        "DRIFT DETECTED: centroid distance and neighbour distance past the threshold"
    )


def test_the_json_report_carries_the_same_facts() -> None:
    report = _report(["What is the weather in Paris?"] * 40, quantile=0.5)

    data = report.as_json()

    assert data["verdict"] == "ok"
    assert data["failed"] == []
    assert data["production"] == {
        "source": "runs.jsonl",
        "inputs": 40,
        "skipped": 2,
        "skipped_by_reason": {NO_INPUT: 2},
    }
    assert data["reference"]["inputs"] == 2
    assert data["measures"]["neighbour_distance"]["quantile"] == 0.5
    assert data["measures"]["centroid_distance"]["threshold"] == 0.4
    # One example per distinct input, with its nearest eval input.
    assert data["farthest"] == [
        {
            "input": "What is the weather in Paris?",
            "distance": 0.0,
            "nearest_eval_input": "What is the weather in Paris?",
        }
    ]
    json.dumps(data)  # serialisable as it is
    assert "under 30 inputs" not in report.render()
