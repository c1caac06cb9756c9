"""The Vertex AI judge (Gen AI evaluation service) against the local protocol fake."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.eval.__main__ import main
from {{ cookiecutter.package_name }}.eval.cases import EvalCase
from {{ cookiecutter.package_name }}.eval.vertex_judge import VertexJudge
from {{ cookiecutter.package_name }}.settings import Settings

from .vertex_fake import ACCESS_TOKEN, VertexFake

pytestmark = pytest.mark.vertex
CASE = EvalCase(id="c", input="What is stored under alpha?", rubric="States the value.")


def judge(settings: Settings) -> VertexJudge:
    assert settings.google_cloud_project is not None
    return VertexJudge(
        settings.google_cloud_project,
        settings.google_cloud_location,
        settings.vertex_base_url,
    )


async def test_pointwise_sends_the_rubric_and_scales_the_score(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.judge_score = 5.0

    verdict = await judge(vertex_settings).pointwise(CASE, "alpha = 1")

    assert verdict.score == 1.0
    [request] = vertex_fake.evaluations
    assert request["location"] == "projects/test-project/locations/us-central1"
    assert request["authorization"] == f"Bearer {ACCESS_TOKEN}"
    metric = request["pointwiseMetricInput"]
    assert "{rubric}" in metric["metricSpec"]["metricPromptTemplate"]
    instance = json.loads(metric["instance"]["jsonInstance"])
    assert instance == {
        "rubric": "States the value.",
        "prompt": "What is stored under alpha?",
        "response": "alpha = 1",
    }


async def test_pairwise_maps_the_choice(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.judge_choice = "BASELINE"

    winner = await judge(vertex_settings).pairwise(CASE, "old answer", "new answer")

    assert winner == "baseline"
    instance = json.loads(
        vertex_fake.evaluations[0]["pairwiseMetricInput"]["instance"]["jsonInstance"]
    )
    assert instance["baseline_model_response"] == "old answer"
    assert instance["response"] == "new answer"


def test_the_harness_reports_the_vertex_judge(
    vertex_settings: Settings,
    vertex_fake: VertexFake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The eval CLI reads settings from the environment, as a user runs it.
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.setenv("VERTEX_BASE_URL", vertex_fake.url)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "hi", "input": "Hello", "rubric": "Greets."}))
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(json.dumps({"min": {"rubric_score": 0.7}}))

    status = main(
        ["run", "--judge", "vertex", "--cases", str(cases), "--no-progress",
         "--thresholds", str(thresholds), "--out", str(tmp_path / "out")]
    )  # fmt: skip

    assert status == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["lineage"]["judge"] == "vertex (Gen AI evaluation service)"
    assert results["cases"][0]["metrics"]["rubric_score"] == 0.75
    assert len(vertex_fake.evaluations) == 1
