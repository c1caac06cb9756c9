"""The comparison: how far production inputs are from the eval inputs, in cosine
distance (1 - cosine similarity: 0 the same direction, 1 unrelated, 2 opposite).

Two measures, because drift comes in two shapes:
- centroid distance: the average production input has moved away from the
  average eval input (the whole traffic shifted);
- neighbour distance: each production input's distance to its nearest eval input,
  taken at a high quantile (a sizeable share of the traffic is unlike every eval
  case, even if the average has not moved).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .embeddings import Matrix
from .settings import Thresholds

Vector = npt.NDArray[np.float64]
CENTROID = "centroid distance"
NEIGHBOUR = "neighbour distance"


@dataclass(frozen=True)
class Comparison:
    """The measures, and each production input's nearest eval input."""

    centroid_distance: float
    quantile: float
    neighbour_distance: float  # the `quantile` of `nearest_distances`
    nearest_distances: Vector
    nearest_references: npt.NDArray[np.intp]


def unit_rows(vectors: Matrix) -> Matrix:
    """Each row scaled to length 1; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    scaled: Matrix = np.divide(
        vectors, norms, out=np.zeros_like(vectors), where=norms > 0
    )
    return scaled


def cosine_distance(first: Vector, second: Vector) -> float:
    """1 - cosine similarity; 1 when either vector is zero (nothing in common)."""
    norms = float(np.linalg.norm(first) * np.linalg.norm(second))
    if norms == 0:
        return 1.0
    return _clip(1.0 - float(first @ second) / norms)


def nearest(
    production: Matrix, reference: Matrix, chunk: int = 1024
) -> tuple[Vector, npt.NDArray[np.intp]]:
    """Each production row's cosine distance to its nearest reference row, and
    that row's index. Chunked, so memory stays bounded on large samples."""
    reference = unit_rows(reference)
    distances: list[Vector] = []
    indices: list[npt.NDArray[np.intp]] = []
    for start in range(0, len(production), chunk):
        similarities = unit_rows(production[start : start + chunk]) @ reference.T
        best = np.argmax(similarities, axis=1)
        distances.append(1.0 - similarities[np.arange(len(best)), best])
        indices.append(best)
    return (
        np.clip(np.concatenate(distances), 0.0, 2.0),
        np.concatenate(indices).astype(np.intp),
    )


def compare(production: Matrix, reference: Matrix, quantile: float) -> Comparison:
    """Both measures for two samples of embeddings (one row an input)."""
    if not len(production) or not len(reference):
        raise ValueError("both samples need at least one input")
    centroid = cosine_distance(
        unit_rows(production).mean(axis=0), unit_rows(reference).mean(axis=0)
    )
    distances, indices = nearest(production, reference)
    return Comparison(
        centroid_distance=centroid,
        quantile=quantile,
        neighbour_distance=float(np.quantile(distances, quantile)),
        nearest_distances=distances,
        nearest_references=indices,
    )


def failed_measures(comparison: Comparison, thresholds: Thresholds) -> list[str]:
    """The measures past their thresholds (empty: no drift)."""
    failed = []
    if comparison.centroid_distance > thresholds.centroid:
        failed.append(CENTROID)
    if comparison.neighbour_distance > thresholds.neighbour:
        failed.append(NEIGHBOUR)
    return failed


def farthest(comparison: Comparison, texts: list[str], count: int) -> list[int]:
    """Indices of the `count` production inputs farthest from the eval set, one
    per distinct text (a repeated question shows once)."""
    chosen: list[int] = []
    seen: set[str] = set()
    for index in np.argsort(-comparison.nearest_distances, kind="stable"):
        text = texts[int(index)]
        if text not in seen:
            seen.add(text)
            chosen.append(int(index))
            if len(chosen) == count:
                break
    return chosen


def _clip(distance: float) -> float:
    # Rounding can push a distance a hair below 0 or above 2.
    return min(max(distance, 0.0), 2.0)
