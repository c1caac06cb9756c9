"""How a case reads in a report: the scores shown, how a value prints, which of a
case's scores fall below their threshold, its tool calls as text."""

from typing import Any

from .gate import Failure, Thresholds
from .grounding import GROUNDING_SCORES
from .harness import CaseResult, EvalRun

SCORES = (
    "trajectory_exact",
    "trajectory_in_order",
    "trajectory_any_order",
    "tool_precision",
    "tool_recall",
    "response_rouge_l",
    "rubric_score",
    *GROUNDING_SCORES,
    # Production runs (eval/production.py): the share of tool calls that worked.
    "tool_success",
)


def low_scores(case: CaseResult, thresholds: Thresholds | None) -> dict[str, float]:
    """The case's scores below their threshold (its tags' stricter ones too), with
    the threshold each misses."""
    if thresholds is None:
        return {}
    minimums = dict(thresholds.min)
    for tag in case.tags:
        for metric, minimum in thresholds.tags.get(tag, {}).items():
            minimums[metric] = max(minimum, minimums.get(metric, minimum))
    return {
        metric: minimum
        for metric, minimum in minimums.items()
        if (score := case.metrics.get(metric)) is not None and score < minimum
    }


def failing(case: CaseResult, low: dict[str, float]) -> bool:
    return case.error is not None or bool(low)


def steps(calls: list[dict[str, Any]]) -> list[str]:
    """Tool calls (or expected steps) as `name(arg=value, ...)`."""
    return [
        f"{call.get('name', '?')}("
        + ", ".join(f"{k}={v!r}" for k, v in (call.get("args") or {}).items())
        + ")"
        for call in calls
    ]


def verdict(failures: list[Failure] | None) -> str:
    if failures is None:
        return "not gated"
    return "FAILED" if failures else "PASSED"


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}" if value <= 1 else f"{value:.0f}"


def columns_of(run: EvalRun) -> list[str]:
    """The scores the run has (grounding scores only for cases with labels)."""
    return [name for name in SCORES if name in run.summary]
