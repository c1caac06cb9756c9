"""Two runs side by side: per-metric deltas, per-case wins and losses, and the
judge's pairwise win rate of the candidate over the baseline."""

from dataclasses import dataclass

from .cases import EvalCase
from .harness import EvalRun
from .judge import Judge, Winner
from .report import SCORES


@dataclass(frozen=True)
class Comparison:
    """Deltas (candidate - baseline) and the pairwise outcome per case."""

    deltas: dict[str, tuple[float | None, float | None]]
    winners: dict[str, Winner]

    @property
    def win_rate(self) -> float:
        """Candidate wins over all cases, a tie counting half."""
        outcomes = list(self.winners.values())
        wins = outcomes.count("candidate") + outcomes.count("tie") / 2
        return wins / len(outcomes) if outcomes else 0.0


async def compare_runs(
    baseline: EvalRun, candidate: EvalRun, cases: list[EvalCase], judge: Judge
) -> Comparison:
    """Compare two runs of the same eval set, case by case."""
    before = {case.id: case for case in baseline.cases}
    after = {case.id: case for case in candidate.cases}
    winners: dict[str, Winner] = {}
    for case in cases:
        if case.id in before and case.id in after:
            winners[case.id] = await judge.pairwise(
                case, before[case.id].reply, after[case.id].reply
            )
    names = [name for name in (*SCORES, "latency_p50_ms", "tokens_mean")]
    deltas = {
        name: (baseline.summary.get(name), candidate.summary.get(name))
        for name in names
    }
    return Comparison(deltas, winners)


def render(comparison: Comparison, baseline: EvalRun, candidate: EvalRun) -> str:
    """The comparison as Markdown (also printed)."""
    lines = [
        "# Evaluation comparison",
        "",
        f"- baseline: {_label(baseline)}",
        f"- candidate: {_label(candidate)}",
        "",
        "| metric | baseline | candidate | delta |",
        "| --- | --- | --- | --- |",
    ]
    for name, (old, new) in comparison.deltas.items():
        delta = "n/a" if old is None or new is None else f"{new - old:+.3f}"
        lines.append(f"| {name} | {old} | {new} | {delta} |")
    outcomes = list(comparison.winners.values())
    lines += [
        "",
        f"Pairwise ({len(outcomes)} cases, judge: {candidate.lineage['judge']}): "
        f"candidate wins {outcomes.count('candidate')}, "
        f"loses {outcomes.count('baseline')}, ties {outcomes.count('tie')}; "
        f"win rate {comparison.win_rate:.0%}.",
        "",
        "| case | winner |",
        "| --- | --- |",
        *(f"| {case} | {winner} |" for case, winner in comparison.winners.items()),
    ]
    return "\n".join(lines) + "\n"


def _label(run: EvalRun) -> str:
    return f"{run.lineage['prompt_version']} / {run.lineage['model']}"
