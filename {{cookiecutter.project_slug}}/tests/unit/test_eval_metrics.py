"""Eval metrics, the local judge, case loading and the gate, on known inputs."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.eval import metrics
from {{ cookiecutter.package_name }}.eval.cases import (
    Checks,
    EvalCase,
    EvalSetError,
    ToolStep,
    load_cases,
)
from {{ cookiecutter.package_name }}.eval.gate import Thresholds, check
from {{ cookiecutter.package_name }}.eval.harness import CaseResult, EvalRun, summarize
from {{ cookiecutter.package_name }}.eval.judge import LocalJudge

WEATHER = {"name": "get_weather", "args": {"city": "Paris"}}
TIME = {"name": "get_current_time", "args": {"city": "Paris"}}
EXPECTED = [ToolStep(name="get_weather", args={"city": "paris"})]


def test_trajectory_metrics_tell_apart_order_extras_and_misses() -> None:
    both = [ToolStep(name="get_weather"), ToolStep(name="get_current_time")]
    assert metrics.trajectory_metrics([WEATHER], EXPECTED) == dict.fromkeys(
        metrics.trajectory_metrics([], []), 1.0
    )
    assert metrics.trajectory_exact([TIME, WEATHER], both) == 0.0
    assert metrics.trajectory_in_order([TIME, WEATHER], both) == 0.0
    assert metrics.trajectory_any_order([TIME, WEATHER], both) == 1.0
    assert metrics.trajectory_in_order([WEATHER, TIME, WEATHER], EXPECTED) == 1.0
    assert metrics.trajectory_exact([WEATHER, TIME], EXPECTED) == 0.0
    assert metrics.tool_precision([WEATHER, TIME], EXPECTED) == 0.5
    assert metrics.tool_recall([TIME], EXPECTED) == 0.0
    assert metrics.tool_precision([], EXPECTED) == 1.0
    assert metrics.tool_recall([], []) == 1.0


def test_arguments_that_matter_must_match() -> None:
    berlin = {"name": "get_weather", "args": {"city": "Berlin"}}
    assert metrics.step_matches(WEATHER, EXPECTED[0])
    assert not metrics.step_matches(berlin, EXPECTED[0])
    assert metrics.step_matches(berlin, ToolStep(name="get_weather"))


def test_rouge_l() -> None:
    assert metrics.response_rouge_l("It is sunny", "It is sunny") == 1.0
    assert metrics.response_rouge_l("banana", "It is sunny") == 0.0
    assert metrics.response_rouge_l("anything", "") is None


async def test_local_judge_scores_the_share_of_checks() -> None:
    case = EvalCase(
        id="c",
        input="x",
        checks=Checks(must_include=["Paris", "14"], must_not_include=["°F"]),
        reference="Paris, 14°C",
    )
    judge = LocalJudge()
    good = await judge.pointwise(case, "In paris it is 14°C")
    half = await judge.pointwise(case, "In Paris it is 57°F")
    assert good.score == 1.0
    assert half.score == pytest.approx(1 / 3)
    assert "missing '14'" in half.explanation
    assert (await judge.pointwise(EvalCase(id="d", input="x"), "hi")).score is None
    assert (
        await judge.pairwise(case, "In Paris it is 57°F", "Paris, 14°C") == "candidate"
    )
    assert await judge.pairwise(case, "Paris 14", "Paris 14") == "tie"


def test_bad_eval_sets_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "input": "hi"}\n{"id": "b"}\n')
    with pytest.raises(EvalSetError, match=r"set.jsonl:2: .*exactly one of `input`"):
        load_cases(path)
    path.write_text('{"id": "a", "input": "hi"}\n{"id": "a", "input": "again"}\n')
    with pytest.raises(EvalSetError, match="duplicate case ids"):
        load_cases(path)
    path.write_text('{"id": "a", "input": "hi", "expected": []}\n')
    with pytest.raises(EvalSetError, match="expected: Extra inputs"):
        load_cases(path)


def _result(case_id: str, recall: float, tags: list[str]) -> CaseResult:
    return CaseResult(
        id=case_id,
        tags=tags,
        turns=["hi"],
        reply="",
        tool_calls=[],
        metrics={"tool_recall": recall},
        judge_explanation="",
        latency_ms=10.0,
        ttft_ms=None,
        input_tokens=1,
        output_tokens=1,
    )


def test_the_gate_names_the_metric_and_the_cases() -> None:
    cases = [_result("good", 1.0, ["normal"]), _result("bad", 0.0, ["adversarial"])]
    run = EvalRun(lineage={}, cases=cases, summary=summarize(cases))
    run.by_tag = {"adversarial": summarize(cases[1:])}
    thresholds = Thresholds(
        min={"tool_recall": 0.9},
        max={"latency_p95_ms": 5.0},
        tags={"adversarial": {"tool_recall": 1.0}},
    )

    failures = [str(failure) for failure in check(run, thresholds)]

    assert failures == [
        "tool_recall (all cases) = 0.500, needs >= 0.9; cases: bad (0.00)",
        "latency_p95_ms (all cases) = 10.000, needs <= 5.0",
        "tool_recall (tag adversarial) = 0.000, needs >= 1.0; cases: bad (0.00)",
    ]
    assert check(run, Thresholds(min={"tool_recall": 0.5})) == []
