"""Scores for production runs, which have no reference answer: the ones the eval
harness has that need none (the rubric judge, groundedness, citations), and the
rates an operator watches (failed runs, tool errors, guardrail, feedback, latency,
cost). Each captured run becomes a `CaseResult`, so the report is `make eval`'s."""

import asyncio
import random
import re
import statistics
from datetime import UTC, datetime
from typing import Any

from ..server.native.events import cited_keys
from .captured import CapturedRuns, Record
from .cases import EvalCase
from .grounding import groundedness
from .harness import CaseResult, EvalRun, summarize
from .judge import Judge

# Feedback below this score is a thumbs-down (the API takes 0 to 1).
NEGATIVE_BELOW = 0.5
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def case_id(run_id: str) -> str:
    """A run id as an eval case id takes it (letters, digits, `_.-`)."""
    return _UNSAFE_ID.sub("-", run_id)


def sample(captured: CapturedRuns, size: int, seed: int) -> list[Record]:
    """`size` of the runs, drawn at random (the same ones for the same seed), in
    time order; all of them when there are fewer."""
    runs = captured.runs
    if len(runs) <= size:
        return list(runs)
    chosen = set(random.Random(seed).sample(range(len(runs)), size))  # noqa: S311
    return [run for index, run in enumerate(runs) if index in chosen]


def run_metrics(run: Record) -> dict[str, float | None]:
    """The scores that need no reference; None where one does not apply."""
    answer = str(run.get("answer") or "")
    finished = [c for c in run.get("tool_calls", []) if c.get("is_error") is not None]
    metrics: dict[str, float | None] = {
        # The share of the run's tool calls that worked.
        "tool_success": (
            sum(not c["is_error"] for c in finished) / len(finished)
            if finished
            else None
        ),
        "groundedness": None,
        # Always reported (n/a without retrieval), so a project that gates on
        # it passes a day when no run retrieved anything.
        "citation_correctness": None,
    }
    if passages := run.get("passages"):
        # A retrieval answer: held to the passages it cites, which must be ones
        # this run retrieved (an unknown key is a made-up citation).
        by_key = {p["key"]: p for p in passages if isinstance(p, dict)}
        keys = cited_keys(answer)
        cited = [by_key[key] for key in keys if key in by_key]
        metrics["groundedness"] = groundedness(answer, cited)
        metrics["citation_correctness"] = len(cited) / len(keys) if keys else 0.0
    elif results := [c["result"] for c in finished if not c["is_error"]]:
        # An answer from tools: held to what they returned (and what was asked).
        sources = [*results, str(run.get("input") or "")]
        metrics["groundedness"] = groundedness(answer, [{"text": s} for s in sources])
    return metrics


async def score_runs(
    captured: CapturedRuns,
    runs: list[Record],
    judge: Judge,
    rubric: str,
    *,
    concurrency: int = 4,
) -> EvalRun:
    """Every run scored, and the summary an operator gates on."""
    limit = asyncio.Semaphore(concurrency)

    async def scored(run: Record) -> CaseResult:
        async with limit:
            return await score_run(run, captured, judge, rubric)

    results = list(await asyncio.gather(*map(scored, runs)))
    lineage = {
        "source": captured.source,
        "runs_read": len(captured.runs),
        "runs_scored": len(results),
        "judge": judge.name,
        "rubric": rubric,
        "prompt_versions": sorted({r.prompt_version for r in results}),
        "models": sorted({r.model for r in results}),
        "timestamp": datetime.now(UTC).isoformat(),
    }
    evaluation = EvalRun(lineage, results)
    evaluation.summary = summarize(results) | rates(runs, results, captured)
    tags = sorted({tag for result in results for tag in result.tags})
    evaluation.by_tag = {
        tag: summarize([r for r in results if tag in r.tags]) for tag in tags
    }
    return evaluation


async def score_run(
    run: Record, captured: CapturedRuns, judge: Judge, rubric: str
) -> CaseResult:
    """One run as a case of the report: what it was asked and answered, its
    scores, the feedback on it and a link to its trace."""
    run_id = str(run.get("run_id"))
    said = str(run.get("input") or "")
    failed = run.get("status") == "failed"
    metrics = run_metrics(run)
    explanation = ""
    if not failed and said:
        case = EvalCase(id=case_id(run_id), input=said, rubric=rubric)
        verdict = await judge.pointwise(case, str(run.get("answer") or ""))
        metrics["rubric_score"], explanation = verdict.score, verdict.explanation
    feedback = captured.feedback.get(run_id, [])
    return CaseResult(
        id=run_id,
        tags=_tags(run, metrics, feedback),
        turns=[said] if said else ["(a resumed run: no new message)"],
        reply=str(run.get("answer") or ""),
        tool_calls=[
            {"name": c.get("name"), "args": c.get("args") or {}}
            for c in run.get("tool_calls", [])
        ],
        metrics=metrics,
        judge_explanation=explanation,
        latency_ms=float(run.get("latency_ms") or 0),
        ttft_ms=run.get("time_to_first_token_ms"),
        input_tokens=int(run.get("input_tokens") or 0),
        output_tokens=int(run.get("output_tokens") or 0),
        error=f"{run.get('error')}" if failed else None,
        prompt_version=str(run.get("prompt_version") or ""),
        model=str(run.get("model") or ""),
        guardrail_caught=_caught(run),
        trace=_trace(run.get("trace_id"), captured.project),
        feedback=[
            f"{'thumbs down' if _negative(f) else 'thumbs up'}"
            + (f": {f['text']}" if f.get("text") else "")
            for f in feedback
        ],
    )


def rates(
    runs: list[Record], results: list[CaseResult], captured: CapturedRuns
) -> dict[str, float | None]:
    """Shares of runs (tool errors, guardrail, thumbs-down) and the mean cost."""
    feedback = [captured.feedback.get(result.id, []) for result in results]
    costs = [float(c) for run in runs if (c := run.get("cost_usd")) is not None]
    return {
        "runs": float(len(results)),
        "tool_error_rate": _share(
            [any(c.get("is_error") for c in run.get("tool_calls", [])) for run in runs]
        ),
        "guardrail_rate": _share([r.guardrail_caught for r in results]),
        # The share of runs rated down (most runs are not rated at all).
        "negative_feedback_rate": _share([any(map(_negative, f)) for f in feedback]),
        "cost_mean_usd": round(statistics.fmean(costs), 8) if costs else None,
    }


def worst(results: list[CaseResult], count: int) -> list[CaseResult]:
    """The `count` runs with the lowest mean score (a failed run first)."""

    def mean_score(result: CaseResult) -> float:
        if result.error is not None:
            return -1.0
        scores = [v for v in result.metrics.values() if v is not None]
        return statistics.fmean(scores) if scores else 1.0

    return sorted(results, key=mean_score)[:count]


def negative(feedback: list[Record]) -> list[Record]:
    """The thumbs-downs among feedback records."""
    return [f for f in feedback if _negative(f)]


def _negative(feedback: Record) -> bool:
    score = feedback.get("score")
    return isinstance(score, int | float) and score < NEGATIVE_BELOW


def _caught(run: Record) -> bool:
    decision = run.get("guardrail") or {}
    return bool(decision.get("blocked") or decision.get("reason"))


def _tags(
    run: Record, metrics: dict[str, float | None], feedback: list[Record]
) -> list[str]:
    tags = [f"prompt:{run.get('prompt_version')}"]
    if any(c.get("is_error") for c in run.get("tool_calls", [])):
        tags.append("tool-error")
    if _caught(run):
        tags.append("guardrail")
    if any(map(_negative, feedback)):
        tags.append("thumbs-down")
    if run.get("status") == "failed":
        tags.append("failed")
    return tags


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _trace(trace_id: Any, project: str | None) -> str | None:
    if not isinstance(trace_id, str) or not trace_id:
        return None
    if project is None:
        return trace_id  # the id alone: no project to link in
    return (
        f"https://console.cloud.google.com/traces/list?project={project}&tid={trace_id}"
    )
