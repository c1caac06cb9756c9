"""Eval metrics, the local judge, case loading and the gate, on known inputs."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.eval import grounding, metrics
from {{ cookiecutter.package_name }}.eval.cases import (
    Checks,
    EvalCase,
    EvalSetError,
    RelevantPassage,
    ToolStep,
    load_cases,
)
from {{ cookiecutter.package_name }}.eval.compare import compare_runs, render
from {{ cookiecutter.package_name }}.eval.gate import Thresholds, check
from {{ cookiecutter.package_name }}.eval.harness import CaseResult, EvalRun, summarize
from {{ cookiecutter.package_name }}.eval.judge import LocalJudge, Verdict, Winner
from {{ cookiecutter.package_name }}.eval.preflight import (
    MissingToolsError,
    check_tools,
)

LOOKUP = {"name": "lookup", "args": {"key": "alpha"}}
LIST = {"name": "list_keys", "args": {"prefix": "a"}}
EXPECTED = [ToolStep(name="lookup", args={"key": "ALPHA"})]


def test_trajectory_metrics_tell_apart_order_extras_and_misses() -> None:
    both = [ToolStep(name="lookup"), ToolStep(name="list_keys")]
    assert metrics.trajectory_metrics([LOOKUP], EXPECTED) == dict.fromkeys(
        metrics.trajectory_metrics([], []), 1.0
    )
    assert metrics.trajectory_exact([LIST, LOOKUP], both) == 0.0
    assert metrics.trajectory_in_order([LIST, LOOKUP], both) == 0.0
    assert metrics.trajectory_any_order([LIST, LOOKUP], both) == 1.0
    assert metrics.trajectory_in_order([LOOKUP, LIST, LOOKUP], EXPECTED) == 1.0
    assert metrics.trajectory_exact([LOOKUP, LIST], EXPECTED) == 0.0
    assert metrics.tool_precision([LOOKUP, LIST], EXPECTED) == 0.5
    assert metrics.tool_recall([LIST], EXPECTED) == 0.0
    # Not applicable (n/a), rather than a perfect score: no call made, none expected.
    assert metrics.tool_precision([], EXPECTED) is None
    assert metrics.tool_recall([], []) is None


def test_arguments_that_matter_must_match() -> None:
    beta = {"name": "lookup", "args": {"key": "beta"}}
    assert metrics.step_matches(LOOKUP, EXPECTED[0])
    assert not metrics.step_matches(beta, EXPECTED[0])
    assert metrics.step_matches(beta, ToolStep(name="lookup"))


def test_rouge_l() -> None:
    assert metrics.response_rouge_l("alpha is one", "alpha is one") == 1.0
    assert metrics.response_rouge_l("banana", "alpha is one") == 0.0
    assert metrics.response_rouge_l("anything", "") is None


async def test_local_judge_scores_the_share_of_checks() -> None:
    case = EvalCase(
        id="c",
        input="x",
        checks=Checks(must_include=["Alpha", "42"], must_not_include=["unknown"]),
        reference="Alpha is 42",
    )
    judge = LocalJudge()
    good = await judge.pointwise(case, "alpha is 42")
    half = await judge.pointwise(case, "Alpha is unknown")
    assert good.score == 1.0
    assert half.score == pytest.approx(1 / 3)
    assert "missing '42'" in half.explanation
    assert (await judge.pointwise(EvalCase(id="d", input="x"), "hi")).score is None
    assert await judge.pairwise(case, "Alpha is unknown", "Alpha is 42") == "candidate"
    assert await judge.pairwise(case, "Alpha 42", "Alpha 42") == "tie"


def test_cases_that_expect_tools_the_agent_lacks_are_named_one_a_line() -> None:
    cases = [
        EvalCase(id="fine", input="x", expected_trajectory=[ToolStep(name="lookup")]),
        EvalCase(id="chat", input="x"),
        EvalCase(
            id="two",
            input="x",
            expected_trajectory=[
                ToolStep(name="lookup"),
                ToolStep(name="forecast"),
                ToolStep(name="get_time"),
                ToolStep(name="forecast"),
            ],
        ),
        EvalCase(id="one", input="x", expected_trajectory=[ToolStep(name="gone")]),
    ]
    check_tools(cases[:2], {"lookup"}, Path("evals/set.jsonl"))  # nothing missing

    with pytest.raises(MissingToolsError) as raised:
        check_tools(cases, {"lookup"}, Path("evals/set.jsonl"))

    assert raised.value.lines() == [
        "evals/set.jsonl: case two expects forecast and get_time, "
        "which the agent does not have",
        "evals/set.jsonl: case one expects gone, which the agent does not have",
    ]


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


def _result(case_id: str, recall: float | None, tags: list[str]) -> CaseResult:
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


def test_a_metric_that_applies_to_no_case_passes_one_never_scored_does_not() -> None:
    # Adversarial cases expect no tool: their tool_recall does not apply (None).
    cases = [
        _result("good", 1.0, ["normal"]),
        _result("refusal", None, ["adversarial"]),
    ]
    run = EvalRun(lineage={}, cases=cases, summary=summarize(cases))
    run.by_tag = {"adversarial": summarize(cases[1:])}

    assert run.by_tag["adversarial"]["tool_recall"] is None
    assert check(run, Thresholds(tags={"adversarial": {"tool_recall": 1.0}})) == []
    [missing] = check(run, Thresholds(tags={"adversarial": {"rubric_score": 1.0}}))
    assert str(missing) == "rubric_score (tag adversarial) = missing, needs >= 1.0"


# --- Grounding: retrieval, groundedness, citations ---------------------------------

RETURNS_PASSAGE = {
    "key": "returns.md#0",
    "source": "returns.md",
    "text": "Kestrel Cycles accepts returns of unused items within 30 days.",
}
SHIPPING_PASSAGE = {
    "key": "shipping.txt#0",
    "source": "shipping.txt",
    "text": "Standard delivery takes 3 to 5 business days.",
}
RETURN_WINDOW = [RelevantPassage(source="returns.md", contains="within 30 days")]


def test_retrieval_scores_hit_and_recall() -> None:
    both = [*RETURN_WINDOW, RelevantPassage(source="shipping.txt", contains="5")]
    assert grounding.retrieval_scores([RETURNS_PASSAGE], both) == {
        "retrieval_hit": 1.0,
        "retrieval_recall_at_k": 0.5,
    }
    assert grounding.retrieval_scores([SHIPPING_PASSAGE], RETURN_WINDOW) == {
        "retrieval_hit": 0.0,
        "retrieval_recall_at_k": 0.0,
    }


def test_a_label_needs_the_source_and_the_text() -> None:
    elsewhere = {**RETURNS_PASSAGE, "source": "old/returns.md"}
    assert not grounding.is_relevant(elsewhere, RETURN_WINDOW[0])
    edited = {**RETURNS_PASSAGE, "text": "Returns within 45 days of delivery."}
    assert not grounding.is_relevant(edited, RETURN_WINDOW[0])


def test_citation_correctness_counts_citations_of_labelled_passages() -> None:
    citations = [RETURNS_PASSAGE, SHIPPING_PASSAGE]
    right = "Within 30 days [returns.md#0]."
    assert grounding.citation_correctness(right, citations, RETURN_WINDOW) == 1.0
    half = "Within 30 days [returns.md#0], shipped in 3-5 days [shipping.txt#0]."
    assert grounding.citation_correctness(half, citations, RETURN_WINDOW) == 0.5
    invented = "Within 30 days [returns.md#9]."
    assert grounding.citation_correctness(invented, citations, RETURN_WINDOW) == 0.0
    assert grounding.citation_correctness("30 days.", citations, RETURN_WINDOW) == 0.0


def test_groundedness_is_the_share_of_sentences_the_citations_support() -> None:
    cited = [RETURNS_PASSAGE]
    supported = "Unused items can be returned within 30 days [returns.md#0]."
    assert grounding.groundedness(supported, cited) == 1.0
    padded = supported + " We also give every customer a free helmet."
    assert grounding.groundedness(padded, cited) == 0.5
    assert grounding.groundedness(supported, []) == 0.0


def test_cases_without_labels_get_no_grounding_scores() -> None:
    assert grounding.grounding_scores("Hi", [], [], []) == {}
    scores = grounding.grounding_scores(
        "Returns of unused items within 30 days [returns.md#0].",
        [RETURNS_PASSAGE],
        [RETURNS_PASSAGE],
        RETURN_WINDOW,
    )
    assert set(scores) == set(grounding.GROUNDING_SCORES)
    assert all(value == 1.0 for value in scores.values())


def test_a_case_may_label_relevant_passages() -> None:
    case = EvalCase.model_validate(
        {"id": "c", "input": "q", "relevant": [{"source": "a.md", "contains": "x"}]}
    )
    assert case.relevant == [RelevantPassage(source="a.md", contains="x")]
    with pytest.raises(ValueError, match="source"):
        EvalCase.model_validate({"id": "c", "input": "q", "relevant": [{"text": "x"}]})


async def test_a_comparison_lists_regressions_first_and_cases_in_one_run_only() -> None:
    before = EvalRun({}, [_result(i, 1.0, []) for i in ("a", "b", "c", "gone")])
    after = EvalRun({}, [_result(i, 1.0, []) for i in ("a", "b", "c", "new")])
    before.summary, after.summary = summarize(before.cases), summarize(after.cases)
    before.lineage = after.lineage = {
        "prompt_version": "v", "model": "m", "judge": "scripted",
    }  # fmt: skip
    outcomes: dict[str, Winner] = {"a": "candidate", "b": "tie", "c": "baseline"}

    class Scripted:
        async def pointwise(self, case: EvalCase, reply: str) -> Verdict:
            raise NotImplementedError

        async def pairwise(
            self, case: EvalCase, baseline: str, candidate: str
        ) -> Winner:
            return outcomes[case.id]

    cases = [EvalCase(id=i, input="hi") for i in ("a", "b", "c", "gone", "new")]
    comparison = await compare_runs(before, after, cases, Scripted())
    text = render(comparison, before, after)

    # The regression first, then the tie, then the win.
    assert text.index("| c | baseline |") < text.index("| b | tie |")
    assert text.index("| b | tie |") < text.index("| a | candidate |")
    assert "added new; removed gone" in text
    assert "| tool_recall | 1.000 | 1.000 | +0.000 |" in text
    assert "rubric_score" not in text  # neither run has it: no empty row


def test_the_documented_thresholds_are_the_shipped_ones() -> None:
    project = Path(__file__).parents[2]
    doc = (project / "docs" / "evaluation.md").read_text()
    documented = doc.split("`evals/thresholds.json` (as shipped):")[1]
    block = documented.split("```json\n")[1].split("```")[0]
    shipped = (project / "evals" / "thresholds.json").read_text()

    assert json.loads(block) == json.loads(shipped)
