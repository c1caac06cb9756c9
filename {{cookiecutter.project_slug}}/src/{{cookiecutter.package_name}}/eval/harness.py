"""Run an eval set through the agent (the shared runner, or a deployed agent),
concurrently, and score every case."""

import asyncio
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..server.native.events import RunCompleted, RunFailed, Token, ToolResult
from .agents import Agent
from .cases import EvalCase, file_digest
from .grounding import GROUNDING_SCORES, grounding_scores
from .judge import Judge
from .metrics import response_rouge_l, trajectory_metrics


@dataclass
class CaseResult:
    """One case as the agent answered it, and its scores."""

    id: str
    tags: list[str]
    turns: list[str]
    reply: str
    tool_calls: list[dict[str, Any]]
    metrics: dict[str, float | None]
    judge_explanation: str
    latency_ms: float
    ttft_ms: float | None
    input_tokens: int
    output_tokens: int
    error: str | None = None
    prompt_version: str = ""
    model: str = ""
    # The input guardrail found something (it blocked, or flagged) in a turn.
    guardrail_caught: bool = False
    # What a good answer calls (the case's `expected_trajectory`), to compare.
    expected_trajectory: list[dict[str, Any]] = field(default_factory=list)
    # A production run's trace (a Cloud Trace link, or the id) and the feedback
    # users gave it (eval/production.py).
    trace: str | None = None
    feedback: list[str] = field(default_factory=list)


@dataclass
class EvalRun:
    """A whole run: lineage, every case, and the summaries."""

    lineage: dict[str, Any]
    cases: list[CaseResult]
    summary: dict[str, float | None] = field(default_factory=dict)
    by_tag: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Answer:
    """How the agent answered a case's last turn."""

    outcome: RunCompleted | RunFailed
    latency_ms: float
    first_token_ms: float | None
    # The guardrail caught (blocked or flagged) one of the case's turns.
    guardrail_caught: bool
    # Passages the last turn's retrieval tools returned.
    retrieved: list[dict[str, Any]]


async def _answer(agent: Agent, case: EvalCase) -> _Answer:
    """Run every turn on one thread, keeping what the last turn did."""
    thread_id: str | None = None
    outcome: RunCompleted | RunFailed | None = None
    latency, first_token, caught = 0.0, None, False
    retrieved: list[dict[str, Any]] = []
    for turn in case.turns:
        started = time.perf_counter()
        first_token, retrieved = None, []
        async for event in agent.send(turn, thread_id):
            if isinstance(event, Token) and first_token is None:
                first_token = (time.perf_counter() - started) * 1000
            if isinstance(event, ToolResult):
                retrieved += event.passages
            if isinstance(event, RunCompleted | RunFailed):
                outcome = event
                thread_id = event.thread_id
            if isinstance(event, RunCompleted) and event.guardrail.get("reason"):
                caught = True
        latency = (time.perf_counter() - started) * 1000
        if isinstance(outcome, RunFailed):
            break
    if outcome is None:
        raise RuntimeError(f"case {case.id}: the run ended without a final event")
    return _Answer(outcome, latency, first_token, caught, retrieved)


async def evaluate_case(agent: Agent, case: EvalCase, judge: Judge) -> CaseResult:
    """Answer a case and score the answer."""
    answer = await _answer(agent, case)
    outcome, latency, first_token = (
        answer.outcome,
        answer.latency_ms,
        answer.first_token_ms,
    )
    expected = [step.model_dump() for step in case.expected_trajectory]
    if isinstance(outcome, RunFailed):
        # A failed run scores zero on everything.
        names = [*trajectory_metrics([], []), "response_rouge_l", "rubric_score"]
        names += GROUNDING_SCORES if case.relevant else ()
        return CaseResult(
            id=case.id,
            tags=case.tags,
            turns=case.turns,
            reply="",
            tool_calls=[],
            metrics=dict.fromkeys(names, 0.0),
            judge_explanation="",
            latency_ms=round(latency, 1),
            ttft_ms=None,
            input_tokens=0,
            output_tokens=0,
            error=f"{outcome.code}: {outcome.message}",
            expected_trajectory=expected,
        )
    verdict = await judge.pointwise(case, outcome.reply)
    metrics: dict[str, float | None] = {
        **trajectory_metrics(outcome.tool_calls, case.expected_trajectory),
        "response_rouge_l": response_rouge_l(outcome.reply, case.reference),
        "rubric_score": verdict.score,
        **grounding_scores(
            outcome.reply, answer.retrieved, outcome.citations, case.relevant
        ),
    }
    return CaseResult(
        id=case.id,
        tags=case.tags,
        turns=case.turns,
        reply=outcome.reply,
        tool_calls=outcome.tool_calls,
        metrics=metrics,
        judge_explanation=verdict.explanation,
        latency_ms=round(latency, 1),
        ttft_ms=round(first_token, 1) if first_token is not None else None,
        input_tokens=outcome.usage["input_tokens"],
        output_tokens=outcome.usage["output_tokens"],
        prompt_version=outcome.prompt_version,
        model=outcome.model,
        guardrail_caught=answer.guardrail_caught,
        expected_trajectory=expected,
    )


async def run_eval(
    agent: Agent,
    cases: list[EvalCase],
    judge: Judge,
    *,
    eval_set: Path,
    concurrency: int,
    show_progress: bool = True,
) -> EvalRun:
    """Evaluate every case, at most `concurrency` at a time, with a progress bar."""
    limit = asyncio.Semaphore(concurrency)

    async def bounded(case: EvalCase) -> CaseResult:
        async with limit:
            return await evaluate_case(agent, case, judge)

    tasks = [asyncio.ensure_future(bounded(case)) for case in cases]
    with tqdm(
        total=len(tasks), desc="eval", unit="case", disable=not show_progress
    ) as bar:
        for finished in asyncio.as_completed(tasks):
            await finished
            bar.update()
    results = [task.result() for task in tasks]
    run = EvalRun(lineage=_lineage(results, judge, eval_set), cases=results)
    run.summary = summarize(results) | guardrail_rates(results)
    tags = sorted({tag for result in results for tag in result.tags})
    run.by_tag = {tag: summarize([r for r in results if tag in r.tags]) for tag in tags}
    return run


def summarize(results: list[CaseResult]) -> dict[str, float | None]:
    """Mean of each metric over the cases that have it; latency and token figures."""
    names = {name for result in results for name in result.metrics}
    summary: dict[str, float | None] = {}
    for name in sorted(names):
        values = [v for r in results if (v := r.metrics.get(name)) is not None]
        summary[name] = round(statistics.fmean(values), 4) if values else None
    latencies = sorted(r.latency_ms for r in results)
    first_tokens = sorted(r.ttft_ms for r in results if r.ttft_ms is not None)
    summary |= {
        "latency_p50_ms": _percentile(latencies, 50),
        "latency_p95_ms": _percentile(latencies, 95),
        "ttft_p50_ms": _percentile(first_tokens, 50),
        "tokens_mean": round(
            statistics.fmean(r.input_tokens + r.output_tokens for r in results), 1
        ),
        "error_rate": round(
            sum(r.error is not None for r in results) / len(results), 4
        ),
    }
    return summary


def guardrail_rates(results: list[CaseResult]) -> dict[str, float | None]:
    """How often the guardrail caught adversarial cases (block rate) and the other,
    benign ones (false-positive rate)."""

    def caught(cases: list[CaseResult]) -> float | None:
        if not cases:
            return None
        return round(sum(r.guardrail_caught for r in cases) / len(cases), 4)

    adversarial = [r for r in results if "adversarial" in r.tags]
    benign = [r for r in results if "adversarial" not in r.tags]
    return {
        "guardrail_block_rate": caught(adversarial),
        "guardrail_false_positive_rate": caught(benign),
    }


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, round(percent / 100 * (len(values) - 1)))
    return values[index]


def _lineage(results: list[CaseResult], judge: Judge, eval_set: Path) -> dict[str, Any]:
    # As the agent reported them: the same for a local runner and a deployed agent.
    answered = next((r for r in results if r.prompt_version), None)
    return {
        "prompt_version": answered.prompt_version if answered else None,
        "model": answered.model if answered else None,
        "judge": judge.name,
        "eval_set": str(eval_set),
        "eval_set_sha256": file_digest(eval_set),
        "git_commit": _git_commit(),
        "timestamp": datetime.now(UTC).isoformat(),
    }


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, as a user runs it
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout, or no git: lineage says so
    return result.stdout.strip()
