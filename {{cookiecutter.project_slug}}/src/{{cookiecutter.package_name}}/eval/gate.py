"""The release gate: thresholds per metric (and per tag), and what missed them."""

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .harness import EvalRun


class Thresholds(BaseModel):
    """`evals/thresholds.json`: minimum means, maximum figures, per-tag minimums."""

    model_config = ConfigDict(extra="forbid")

    min: dict[str, float] = Field(default_factory=dict)
    max: dict[str, float] = Field(default_factory=dict)
    tags: dict[str, dict[str, float]] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Thresholds":
        try:
            return cls.model_validate(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, ValidationError) as error:
            raise ValueError(f"{path}: not a thresholds file ({error})") from None


@dataclass(frozen=True)
class Failure:
    """A metric past its threshold, and the cases that pulled it there."""

    metric: str
    scope: str
    value: float | None
    threshold: str
    cases: list[str]

    def __str__(self) -> str:
        value = "missing" if self.value is None else f"{self.value:.3f}"
        cases = f"; cases: {', '.join(self.cases)}" if self.cases else ""
        return f"{self.metric} ({self.scope}) = {value}, needs {self.threshold}{cases}"


def check(run: EvalRun, thresholds: Thresholds) -> list[Failure]:
    """Every threshold the run misses; empty when the gate passes."""
    failures = [
        failure
        for metric, minimum in thresholds.min.items()
        if (failure := _below(run, metric, minimum, tag=None))
    ]
    for metric, maximum in thresholds.max.items():
        value = run.summary.get(metric)
        if value is None and metric in run.summary:
            continue  # measured, but nothing to measure (no feedback, no prices)
        if value is None or value > maximum:
            failures.append(Failure(metric, "all cases", value, f"<= {maximum}", []))
    for tag, minimums in thresholds.tags.items():
        failures += [
            failure
            for metric, minimum in minimums.items()
            if (failure := _below(run, metric, minimum, tag=tag))
        ]
    return failures


def _below(
    run: EvalRun, metric: str, minimum: float, tag: str | None
) -> Failure | None:
    summary = run.by_tag.get(tag, {}) if tag else run.summary
    value = summary.get(metric)
    if value is not None and value >= minimum:
        return None
    if value is None and metric in summary:
        # Scored, but it applies to no case here (tool_precision where no tool
        # was called): nothing falls short. A metric never scored is missing.
        return None
    cases = [
        f"{case.id} ({score:.2f})"
        for case in run.cases
        if (tag is None or tag in case.tags)
        and (score := case.metrics.get(metric)) is not None
        and score < minimum
    ]
    scope = f"tag {tag}" if tag else "all cases"
    return Failure(metric, scope, value, f">= {minimum}", cases)
