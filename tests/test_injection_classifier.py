"""The generated project's injection classifier is what its training script gives,
and it never learnt from the set that measures it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import TEMPLATE_ROOT, describe_failure

SCRIPT = TEMPLATE_ROOT / "scripts" / "train_injection_classifier.py"
PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
UNSEEN = PROJECT / "tests" / "unit" / "unseen_attacks.jsonl"


@pytest.fixture(scope="module")
def training() -> object:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import train_injection_classifier
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return train_injection_classifier


def test_the_shipped_model_is_what_its_training_gives() -> None:
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert process.returncode == 0, describe_failure(process)
    assert "the model is what its training gives" in process.stdout


def test_the_unseen_set_is_not_trained_on(training: object) -> None:
    rows = training.load_rows()  # type: ignore[attr-defined]
    unseen = [json.loads(line) for line in UNSEEN.read_text("utf-8").splitlines()]
    texts = {" ".join(r["turns"]) if "turns" in r else r["text"] for r in unseen}

    assert len(rows) > 1000
    assert {row["source"] for row in rows} == {
        "common",
        "guardrail-rag",
        "guardrail-react",
    }
    assert not texts & {row["text"] for row in rows}


def test_a_stale_model_is_named(training: object) -> None:
    shipped = json.loads(Path(training.MODEL).read_text("utf-8"))  # type: ignore[attr-defined]
    moved = {**shipped, "weights": {**shipped["weights"], "wignore": 9.0}}
    moved["threshold"] += 0.01

    found = training.differences(shipped, moved)  # type: ignore[attr-defined]

    assert training.differences(shipped, shipped) == []  # type: ignore[attr-defined]
    assert found[0].startswith("threshold")
    assert "1 weights differ" in found[1]
