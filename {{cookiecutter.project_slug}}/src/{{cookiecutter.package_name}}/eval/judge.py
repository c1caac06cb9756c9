"""The rubric judge: scores an answer (pointwise) and picks the better of two
(pairwise). Offline it is `LocalJudge`, deterministic; with Google Cloud
credentials it is Vertex AI's Gen AI evaluation service (`vertex_judge.py`)."""

from dataclasses import dataclass
from typing import Literal, Protocol

from .cases import EvalCase
from .metrics import response_rouge_l

Winner = Literal["baseline", "candidate", "tie"]


@dataclass(frozen=True)
class Verdict:
    """A rubric score in [0, 1] (None when the case has nothing to judge) and why."""

    score: float | None
    explanation: str


class Judge(Protocol):
    """What the harness needs of a judge."""

    name: str

    async def pointwise(self, case: EvalCase, reply: str) -> Verdict:
        """How well `reply` meets the case's rubric."""
        ...

    async def pairwise(self, case: EvalCase, baseline: str, candidate: str) -> Winner:
        """Which reply meets the rubric better."""
        ...


class LocalJudge:
    """Deterministic: the share of the case's `checks` that the reply passes.

    It reads `checks.must_include` / `must_not_include`, not the free-text rubric,
    which only a model can read. Pairwise, the higher score wins, then the closer
    to the reference (ROUGE-L), else a tie.
    """

    name = "local (deterministic checks)"

    async def pointwise(self, case: EvalCase, reply: str) -> Verdict:
        text = reply.lower()
        failed = [
            f"missing {term!r}"
            for term in case.checks.must_include
            if term.lower() not in text
        ]
        failed += [
            f"contains {term!r}"
            for term in case.checks.must_not_include
            if term.lower() in text
        ]
        total = len(case.checks.must_include) + len(case.checks.must_not_include)
        if total == 0:
            return Verdict(None, "no checks")
        return Verdict(
            (total - len(failed)) / total, "; ".join(failed) or "all checks pass"
        )

    async def pairwise(self, case: EvalCase, baseline: str, candidate: str) -> Winner:
        scores = [
            (
                (await self.pointwise(case, reply)).score or 0.0,
                response_rouge_l(reply, case.reference) or 0.0,
            )
            for reply in (baseline, candidate)
        ]
        if scores[0] == scores[1]:
            return "tie"
        return "candidate" if scores[1] > scores[0] else "baseline"
