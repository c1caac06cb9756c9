"""Drift check: the settings and the report."""

import json
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.drift.compare import CENTROID, NEIGHBOUR, compare
from {{ cookiecutter.package_name }}.drift.embeddings import HashedNgramEmbeddings
from {{ cookiecutter.package_name }}.drift.report import DriftReport
from {{ cookiecutter.package_name }}.drift.settings import (
    DEFAULT_THRESHOLDS,
    DriftSettings,
    Thresholds,
)
from {{ cookiecutter.package_name }}.drift.sources import NO_INPUT, Inputs

PROJECT = Path(__file__).parents[2]
ASKED = "How often should I water a cactus?"


@pytest.fixture(autouse=True)
def no_drift_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's DRIFT_* settings do not reach these tests."""
    for name in list(os.environ):
        if name.startswith("DRIFT_"):
            monkeypatch.delenv(name)


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
    reference = [ASKED, "When am I allowed to castle in chess?"]
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
    report = _report(["How do I bake sourdough bread?", ASKED])

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
    assert farthest_first < text.index(f'"{ASKED}"  →')
    assert "under 30 inputs" in text
    assert text.endswith(
        "DRIFT DETECTED: centroid distance and neighbour distance past the threshold"
    )


def test_the_json_report_carries_the_same_facts() -> None:
    report = _report([ASKED] * 40, quantile=0.5)

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
            "input": ASKED,
            "distance": 0.0,
            "nearest_eval_input": ASKED,
        }
    ]
    json.dumps(data)  # serialisable as it is
    assert "under 30 inputs" not in report.render()
