"""Scores of production runs, which have no reference: each applies only where it
can (None otherwise), a made-up citation counts against the answer, and a rate
that has nothing to measure passes the gate while one never measured fails."""

import json
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.eval.captured import CapturedRuns, from_records
from {{ cookiecutter.package_name }}.eval.gate import Thresholds, check
from {{ cookiecutter.package_name }}.eval.harness import EvalRun
from {{ cookiecutter.package_name }}.eval.production import run_metrics, sample

PASSAGE = {
    "key": "returns.md#0",
    "source": "returns.md",
    "text": "Unused items can be returned within 30 days of delivery.",
}


def run(**fields: Any) -> dict[str, Any]:
    return {"kind": "run", "status": "completed", "run_id": "r1", **fields}


def call(result: str, *, is_error: bool = False) -> dict[str, Any]:
    return {"name": "lookup", "args": {}, "is_error": is_error, "result": result}


def test_an_answer_without_tools_has_no_tool_or_grounding_score() -> None:
    assert run_metrics(run(input="Hello", answer="Hello! How can I help?")) == {
        "tool_success": None,
        "groundedness": None,
        "citation_correctness": None,
    }


def test_an_answer_from_tools_is_held_to_what_they_returned() -> None:
    faithful = run(
        input="What is alpha?",
        answer="The value of alpha is 1.",
        tool_calls=[call("alpha = 1")],
    )
    invented = {**faithful, "answer": "Alpha is 7, raised by the board in 2019."}

    assert run_metrics(faithful) == {
        "tool_success": 1.0,
        "groundedness": 1.0,
        "citation_correctness": None,
    }
    assert run_metrics(invented)["groundedness"] == 0.0


def test_failed_tool_calls_lower_tool_success_and_ground_nothing() -> None:
    metrics = run_metrics(
        run(
            input="What is gamma?",
            answer="There is no value under gamma.",
            tool_calls=[call("No value under 'gamma'", is_error=True)],
        )
    )

    assert metrics["tool_success"] == 0.0
    assert metrics["groundedness"] is None


def test_a_call_the_run_never_finished_is_not_counted() -> None:
    paused = {"name": "lookup", "args": {}, "is_error": None, "result": None}

    assert run_metrics(run(answer="", tool_calls=[paused]))["tool_success"] is None


def test_a_retrieval_answer_is_held_to_the_passages_it_cites() -> None:
    cited = run(
        answer="Unused items can be returned within 30 days [returns.md#0].",
        passages=[PASSAGE],
    )
    made_up = {
        **cited,
        "answer": "Returns within 30 days [returns.md#0], refunds in 2 days "
        "[refunds.md#4].",
    }
    uncited = {**cited, "answer": "You can return items within 30 days."}

    assert run_metrics(cited)["groundedness"] == 1.0
    assert run_metrics(cited)["citation_correctness"] == 1.0
    assert run_metrics(made_up)["citation_correctness"] == 0.5
    assert run_metrics(uncited)["citation_correctness"] == 0.0
    assert run_metrics(uncited)["groundedness"] == 0.0


def test_runs_are_split_from_feedback_and_unscorable_records_counted() -> None:
    captured = from_records(
        [
            run(run_id="r1", captured_at="2026-01-02"),
            run(run_id="r0", captured_at="2026-01-01"),
            run(run_id="paused", status="interrupted"),
            {"kind": "feedback", "run_id": "r1", "score": 0},
            "not a record",
        ],
        "test",
    )

    assert [r["run_id"] for r in captured.runs] == ["r0", "r1"]  # oldest first
    assert captured.feedback == {
        "r1": [{"kind": "feedback", "run_id": "r1", "score": 0}]
    }
    assert captured.skipped == 2


def test_a_sample_is_drawn_the_same_for_the_same_seed_in_time_order() -> None:
    captured = CapturedRuns("test", runs=[run(run_id=str(i)) for i in range(50)])

    first, again = sample(captured, 10, seed=3), sample(captured, 10, seed=3)

    assert first == again
    ids = [int(r["run_id"]) for r in first]
    assert len(ids) == 10
    assert ids == sorted(ids)
    assert sample(captured, 100, seed=3) == captured.runs


def test_a_rate_with_nothing_to_measure_passes_one_never_measured_fails() -> None:
    evaluation = EvalRun(lineage={}, cases=[], summary={"cost_mean_usd": None})

    assert check(evaluation, Thresholds(max={"cost_mean_usd": 0.05})) == []
    [missing] = check(evaluation, Thresholds(max={"tool_error_rate": 0.1}))
    assert str(missing) == "tool_error_rate (all cases) = missing, needs <= 0.1"


def test_the_documented_production_thresholds_are_the_shipped_ones() -> None:
    project = Path(__file__).parents[2]
    doc = (project / "docs" / "evaluation.md").read_text()
    documented = doc.split("`evals/production_thresholds.json` (as shipped):")[1]
    block = documented.split("```json\n")[1].split("```")[0]
    shipped = (project / "evals" / "production_thresholds.json").read_text()

    assert json.loads(block) == json.loads(shipped)
