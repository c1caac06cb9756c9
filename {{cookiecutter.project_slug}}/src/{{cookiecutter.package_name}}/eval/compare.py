"""Two runs side by side: per-metric deltas, per-case wins and losses, and the
judge's pairwise win rate of the candidate over the baseline."""

from dataclasses import dataclass

from .case_view import SCORES, fmt
from .cases import EvalCase
from .harness import EvalRun
from .judge import Judge, Winner


@dataclass(frozen=True)
class Comparison:
    """Deltas (candidate - baseline) and the pairwise outcome per case."""

    deltas: dict[str, tuple[float | None, float | None]]
    winners: dict[str, Winner]
    # Cases only one of the runs has (the eval set changed between them).
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

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
    pairs = {
        name: (baseline.summary.get(name), candidate.summary.get(name))
        for name in names
    }
    # A metric neither run has (retrieval scores of an agent that does not
    # retrieve) is left out, not shown empty.
    deltas = {name: pair for name, pair in pairs.items() if pair != (None, None)}
    return Comparison(
        deltas,
        winners,
        added=tuple(case for case in after if case not in before),
        removed=tuple(case for case in before if case not in after),
    )


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
        lines.append(f"| {name} | {fmt(old)} | {fmt(new)} | {delta} |")
    outcomes = list(comparison.winners.values())
    # Regressions (the baseline's answer was better) first, then ties, then wins.
    order: dict[Winner, int] = {"baseline": 0, "tie": 1, "candidate": 2}
    ranked = sorted(comparison.winners.items(), key=lambda item: order[item[1]])
    lines += [
        "",
        f"Pairwise ({len(outcomes)} cases, judge: {candidate.lineage['judge']}): "
        f"candidate wins {outcomes.count('candidate')}, "
        f"loses {outcomes.count('baseline')}, ties {outcomes.count('tie')}; "
        f"win rate {comparison.win_rate:.0%}.",
        "",
        "| case | winner |",
        "| --- | --- |",
        *(f"| {case} | {winner} |" for case, winner in ranked),
    ]
    if comparison.added or comparison.removed:
        lines += [
            "",
            "Not compared (in one run only): "
            f"added {', '.join(comparison.added) or 'none'}; "
            f"removed {', '.join(comparison.removed) or 'none'}.",
        ]
    return "\n".join(lines) + "\n"


def _label(run: EvalRun) -> str:
    return f"{run.lineage['prompt_version']} / {run.lineage['model']}"
