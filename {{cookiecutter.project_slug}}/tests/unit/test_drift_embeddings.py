"""Drift check: the offline embedding and the comparison maths."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.drift.compare import (
    CENTROID,
    NEIGHBOUR,
    compare,
    cosine_distance,
    failed_measures,
    farthest,
    nearest,
    unit_rows,
)
from {{ cookiecutter.package_name }}.drift.embeddings import HashedNgramEmbeddings
from {{ cookiecutter.package_name }}.drift.settings import Thresholds

# --- The offline embedding ---------------------------------------------------


def test_local_embedding_is_deterministic_unit_length_and_sized() -> None:
    first = HashedNgramEmbeddings().embed_query("How often should I water a cactus?")
    second = HashedNgramEmbeddings().embed_documents(
        ["How often should I water a cactus?"]
    )

    assert first == second[0]
    assert len(first) == 1024
    assert np.linalg.norm(first) == pytest.approx(1.0)


def test_local_embedding_is_the_same_in_another_process() -> None:
    # Python's own hash() differs between processes; the embedding must not.
    script = (
        "from {{ cookiecutter.package_name }}.drift import embeddings;"
        "print(embeddings.HashedNgramEmbeddings(64).embed_query('Water the cactus?'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    here = HashedNgramEmbeddings(64).embed_query("Water the cactus?")
    assert json.loads(other.stdout) == pytest.approx(here)


def test_local_embedding_ignores_case_and_unicode_forms() -> None:
    embeddings = HashedNgramEmbeddings()
    fullwidth = "\uff23\uff21\uff23\uff34\uff35\uff33"  # CACTUS in full-width letters
    assert embeddings.embed_query(f"WATER the {fullwidth}") == embeddings.embed_query(
        "water the cactus"
    )


def test_text_without_words_embeds_to_zero() -> None:
    assert not any(HashedNgramEmbeddings().embed_query("?! ..."))


def test_local_embedding_ranks_related_wording_closer() -> None:
    embeddings = HashedNgramEmbeddings()
    asked, related, unrelated = embeddings.embed_documents(
        [
            "How often should I water a cactus?",
            "How often do I need to water my fern?",
            "How do I file my tax return?",
        ]
    )
    assert cosine_distance(np.array(asked), np.array(related)) < cosine_distance(
        np.array(asked), np.array(unrelated)
    )


# --- The comparison maths ------------------------------------------------------


def test_cosine_distance_spans_zero_to_two() -> None:
    x, y = np.array([1.0, 0.0]), np.array([0.0, 3.0])
    assert cosine_distance(x, 5 * x) == pytest.approx(0.0)
    assert cosine_distance(x, y) == pytest.approx(1.0)
    assert cosine_distance(x, -x) == pytest.approx(2.0)
    assert cosine_distance(x, np.zeros(2)) == 1.0


def test_unit_rows_scales_rows_and_keeps_zero_rows() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.tolist() == [[0.6, 0.8], [0.0, 0.0]]


def test_nearest_finds_each_rows_closest_reference_in_chunks() -> None:
    reference = np.array([[1.0, 0.0], [0.0, 1.0]])
    production = np.array([[2.0, 0.1], [0.1, 5.0], [1.0, 1.0], [0.0, 0.0]])

    distances, indices = nearest(production, reference, chunk=3)

    assert indices[:2].tolist() == [0, 1]
    assert distances[:2] == pytest.approx([0.00125, 0.0002], abs=1e-4)
    assert distances[2] == pytest.approx(1 - 2**-0.5)
    assert distances[3] == pytest.approx(1.0)  # nothing in common with anything


def test_same_inputs_do_not_drift() -> None:
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])

    found = compare(vectors, vectors, quantile=0.9)

    assert found.centroid_distance == pytest.approx(0.0)
    assert found.neighbour_distance == pytest.approx(0.0, abs=1e-12)
    assert failed_measures(found, Thresholds(0.1, 0.1)) == []


def test_unrelated_inputs_fail_both_measures() -> None:
    reference = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0]])
    production = np.array([[0.0, 0.0, 1.0], [0.0, 0.1, 0.9]])

    found = compare(production, reference, quantile=0.9)

    assert found.centroid_distance > 0.9
    assert found.neighbour_distance > 0.9
    assert failed_measures(found, Thresholds(0.5, 0.5)) == [CENTROID, NEIGHBOUR]


def test_a_minority_off_topic_fails_the_neighbour_measure_only() -> None:
    # 8 inputs on the reference, 2 of 10 orthogonal: the centroid barely moves,
    # but the 90th percentile of the nearest distances is an off-topic input.
    reference = np.array([[1.0, 0.0], [1.0, 0.2]])
    production = np.array([[1.0, 0.1]] * 8 + [[0.0, 1.0]] * 2)

    found = compare(production, reference, quantile=0.9)

    assert found.neighbour_distance == pytest.approx(
        np.quantile(found.nearest_distances, 0.9)
    )
    assert failed_measures(found, Thresholds(centroid=0.3, neighbour=0.5)) == [
        NEIGHBOUR
    ]


def test_farthest_lists_distinct_texts_farthest_first() -> None:
    reference = np.array([[1.0, 0.0]])
    production = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    texts = ["far", "far", "middle", "near"]

    found = compare(production, reference, quantile=0.5)

    assert [texts[i] for i in farthest(found, texts, 2)] == ["far", "middle"]
    assert [texts[i] for i in farthest(found, texts, 10)] == ["far", "middle", "near"]


def test_comparing_an_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        compare(np.zeros((0, 2)), np.ones((1, 2)), 0.9)
