"""From production back to the eval set: runs users rated down (and, on request,
the lowest-scored ones) become candidate cases, tagged `needs-review`, in a file
for a person to check, complete and move into `evals/`. Nothing is merged here.

A candidate is a valid case: its input is what the user said, its expected
trajectory the tools the run called (a starting point: correct it), its rubric a
placeholder that quotes the feedback, and `origin` keeps the run's answer, ids and
feedback for the reviewer."""

import json
from pathlib import Path

from .captured import CapturedRuns, Record
from .cases import EvalCase, ToolStep
from .harness import CaseResult
from .production import case_id, negative

NEEDS_REVIEW = "needs-review"


def candidate(run: Record, captured: CapturedRuns, why: str) -> EvalCase | None:
    """The run as a case for review; None for a run with no user message (a
    resumed one), which a case cannot replay."""
    said = run.get("input")
    if not isinstance(said, str) or not said.strip():
        return None
    run_id = str(run.get("run_id"))
    feedback = captured.feedback.get(run_id, [])
    comments = [str(f["text"]) for f in feedback if f.get("text")]
    quoted = "; ".join(f'"{text}"' for text in comments) or "no comment"
    return EvalCase(
        id=f"prod-{case_id(run_id)[:36]}",
        input=said,
        expected_trajectory=[
            ToolStep(name=str(call["name"]), args=call.get("args") or {})
            for call in run.get("tool_calls", [])
            if call.get("name")
        ],
        rubric=f"TO REVIEW ({why}; feedback: {quoted}): say what a good answer does.",
        tags=[NEEDS_REVIEW, "production"],
        origin={
            "run_id": run_id,
            "thread_id": run.get("thread_id"),
            "trace_id": run.get("trace_id"),
            "captured_at": run.get("captured_at"),
            "prompt_version": run.get("prompt_version"),
            "model": run.get("model"),
            "answer": run.get("answer"),
            "status": run.get("status"),
            "why": why,
            "feedback": [
                {"score": f.get("score"), "text": f.get("text")} for f in feedback
            ],
        },
    )


def harvest(
    captured: CapturedRuns, lowest: list[CaseResult] | None = None
) -> list[EvalCase]:
    """Candidates from every thumbs-down, then from the lowest-scored runs given
    (each run once)."""
    by_id = {str(run.get("run_id")): run for run in captured.runs}
    chosen: dict[str, str] = {
        run_id: "rated down"
        for run_id, feedback in captured.feedback.items()
        if run_id in by_id and negative(feedback)
    }
    for result in lowest or []:
        chosen.setdefault(result.id, "among the lowest scores")
    cases = [candidate(by_id[run_id], captured, why) for run_id, why in chosen.items()]
    return [case for case in cases if case is not None]


def write_candidates(cases: list[EvalCase], path: Path) -> None:
    """One case a line, as `evals/*.jsonl` holds them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = (
        json.dumps(case.model_dump(exclude_defaults=True), ensure_ascii=False)
        for case in cases
    )
    path.write_text("".join(line + "\n" for line in lines), "utf-8")
