"""Per-case metrics: tool trajectory against the expected one, response similarity."""

from collections.abc import Sequence
from typing import Any

from rouge_score import rouge_scorer

from .cases import ToolStep

_ROUGE = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, str) and isinstance(expected, str):
        return value.strip().lower() == expected.strip().lower()
    return bool(value == expected)


def step_matches(call: dict[str, Any], step: ToolStep) -> bool:
    """A call matches a step: same tool, and every argument the step names."""
    args = call.get("args", {})
    return call["name"] == step.name and all(
        key in args and _same(args[key], value) for key, value in step.args.items()
    )


def trajectory_exact(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> float:
    """1 if the calls are exactly the expected steps, in order, nothing more."""
    same_length = len(calls) == len(expected)
    return float(same_length and all(map(step_matches, calls, expected)))


def trajectory_in_order(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> float:
    """1 if the expected steps appear in order among the calls (others may come
    between them)."""
    remaining = iter(calls)
    return float(
        all(any(step_matches(c, step) for c in remaining) for step in expected)
    )


def trajectory_any_order(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> float:
    """1 if every expected step appears among the calls, in any order."""
    return float(all(any(step_matches(c, step) for c in calls) for step in expected))


def tool_precision(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> float | None:
    """Share of the calls made that were expected; None (n/a) when no call was
    made: there is nothing to be precise about (tool_recall says what was missed)."""
    if not calls:
        return None
    return sum(any(step_matches(c, s) for s in expected) for c in calls) / len(calls)


def tool_recall(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> float | None:
    """Share of the expected steps that were made; None (n/a) when none was
    expected (tool_precision says whether any call was one too many)."""
    if not expected:
        return None
    return sum(any(step_matches(c, s) for c in calls) for s in expected) / len(expected)


def response_rouge_l(reply: str, reference: str) -> float | None:
    """ROUGE-L F1 of the reply against the reference; None without a reference."""
    if not reference:
        return None
    score: float = _ROUGE.score(reference, reply)["rougeL"].fmeasure
    return score


def trajectory_metrics(
    calls: Sequence[dict[str, Any]], expected: Sequence[ToolStep]
) -> dict[str, float | None]:
    """Every trajectory metric of one case (None: does not apply to it)."""
    return {
        "trajectory_exact": trajectory_exact(calls, expected),
        "trajectory_in_order": trajectory_in_order(calls, expected),
        "trajectory_any_order": trajectory_any_order(calls, expected),
        "tool_precision": tool_precision(calls, expected),
        "tool_recall": tool_recall(calls, expected),
    }
