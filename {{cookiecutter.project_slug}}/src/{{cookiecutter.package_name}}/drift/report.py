"""The drift report: a JSON-ready record, and the text printed for an operator."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .compare import CENTROID, NEIGHBOUR, Comparison, failed_measures, farthest
from .settings import Thresholds
from .sources import Inputs

# Fewer production inputs than this, and one odd question moves the quantile.
FEW_INPUTS = 30
EXAMPLES = 5
FARTHEST_TITLE = "Farthest from the eval set (distance, input → nearest eval input):"


@dataclass(frozen=True)
class DriftReport:
    """Everything the check found, for printing and for `--report`."""

    inputs: Inputs
    reference: list[str]
    reference_source: str
    embeddings: str
    comparison: Comparison
    thresholds: Thresholds

    @property
    def failed(self) -> list[str]:
        """The measures past their thresholds (empty: no drift)."""
        return failed_measures(self.comparison, self.thresholds)

    def examples(self, count: int = EXAMPLES) -> list[dict[str, Any]]:
        """The production inputs farthest from every eval input."""
        found = self.comparison
        return [
            {
                "input": self.inputs.texts[index],
                "distance": round(float(found.nearest_distances[index]), 4),
                "nearest_eval_input": self.reference[
                    int(found.nearest_references[index])
                ],
            }
            for index in farthest(found, self.inputs.texts, count)
        ]

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON object (it contains user inputs: keep it private)."""
        found = self.comparison
        return {
            "verdict": "drift" if self.failed else "ok",
            "failed": self.failed,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "production": {
                "source": self.inputs.source,
                "inputs": len(self.inputs.texts),
                "skipped": self.inputs.skipped_total,
                "skipped_by_reason": dict(self.inputs.skipped),
            },
            "reference": {
                "source": self.reference_source,
                "inputs": len(self.reference),
            },
            "embeddings": self.embeddings,
            "measures": {
                "centroid_distance": {
                    "value": round(found.centroid_distance, 4),
                    "threshold": self.thresholds.centroid,
                },
                "neighbour_distance": {
                    "quantile": found.quantile,
                    "value": round(found.neighbour_distance, 4),
                    "threshold": self.thresholds.neighbour,
                },
            },
            "farthest": self.examples(),
        }

    def render(self) -> str:
        """The report for a terminal."""
        found, limits = self.comparison, self.thresholds
        skipped = ", ".join(f"{n} {why}" for why, n in self.inputs.skipped.items())
        neighbour = f"{NEIGHBOUR} ({found.quantile * 100:g}th percentile)"
        lines = [
            "Drift check: production inputs against the eval set's",
            f"  production inputs  {len(self.inputs.texts):>6}  {self.inputs.source}",
            f"  skipped lines      {self.inputs.skipped_total:>6}"
            + (f"  ({skipped})" if skipped else ""),
            f"  eval inputs        {len(self.reference):>6}  {self.reference_source}",
            f"  embeddings         {self.embeddings}",
            "",
            f"  {'measure':40} {'value':>7} {'threshold':>10}",
            _row(CENTROID, found.centroid_distance, limits.centroid),
            _row(neighbour, found.neighbour_distance, limits.neighbour),
        ]
        if len(self.inputs.texts) < FEW_INPUTS:
            lines += ["", f"  note: under {FEW_INPUTS} inputs, the measures are noisy"]
        lines += ["", FARTHEST_TITLE]
        lines += [
            f"  {example['distance']:.3f}  {_short(example['input'])}"
            f"  →  {_short(example['nearest_eval_input'], 40)}"
            for example in self.examples()
        ]
        lines.append("")
        if self.failed:
            failed = " and ".join(self.failed)
            lines.append(f"DRIFT DETECTED: {failed} past the threshold")
        else:
            lines.append("No drift: both measures within their thresholds")
        return "\n".join(lines)


def _row(name: str, value: float, threshold: float) -> str:
    verdict = "DRIFT" if value > threshold else "ok"
    return f"  {name:40} {value:>7.3f} {threshold:>10.3f}  {verdict}"


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    quoted = flat if len(flat) <= width else flat[: width - 1] + "…"
    return f'"{quoted}"'
