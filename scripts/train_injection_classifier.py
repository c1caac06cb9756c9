"""Train the generated project's prompt-injection classifier and write its model.

    uv run python scripts/train_injection_classifier.py          # writes the model
    uv run python scripts/train_injection_classifier.py --check  # retrains, compares

What it learns from (each row labelled attack or benign, with a category):
the project's `tests/unit/common_attacks.jsonl`, both agents' halves of
`evals/guardrail.jsonl`, and `scripts/injection_training/benign_statements.jsonl`
(ordinary things people say to an assistant, a third in each fold).

How (scikit-learn's logistic regression; the features are the project's own,
from `agent/injection_classifier.py`, so training and serving cannot disagree):
- every text is read as the screen reads it: normalised, and each decoded form;
- a benign row is a benign instance per form (at serving the highest score over
  the forms counts, so each must be low), plus a copy with its letters swapped
  for another script's (without it the model learns "unfamiliar script = attack"
  from the training set's multilingual attacks);
- an attack row is one instance: its plain form, then whichever form the first
  model scores highest (an encoded attack is learnt from what it decodes to);
- the threshold is chosen on data the model did not see: three models, each
  trained without one source set, score the set left out; the threshold is the
  lowest at which the patterns or the classifier refuse at most 2% of those
  benign rows. The model written is then trained on all three sets.
"""

import argparse
import importlib
import json
import random
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

TEMPLATE = Path(__file__).resolve().parent.parent
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
AGENT = PROJECT / "src" / "{{cookiecutter.package_name}}" / "agent"
MODEL = AGENT / "injection_model.json"
STATEMENTS = Path(__file__).parent / "injection_training" / "benign_statements.jsonl"
SOURCES = ("common", "guardrail-rag", "guardrail-react")

CHAR_NGRAMS = (2, 4)
WORD_NGRAMS = (1, 1)
MAX_FEATURES = 20_000
MIN_ROWS = 2  # an n-gram in fewer training rows is no evidence
L2 = 1e-5  # per training instance (weighted mean loss + L2/2 |w|^2)
DECODED_WEIGHT = 0.5  # a benign row's decoded forms (gibberish, mostly)
RELETTERED_WEIGHT = 0.5
BENIGN_TARGET = 0.02
SCRIPTS = [  # (first code point, letters): Cyrillic, Greek, Arabic, Devanagari,
    (0x0430, 32),  # Hebrew, Hiragana, CJK ideographs, Hangul syllables, Thai
    (0x03B1, 25),
    (0x0627, 26),
    (0x0915, 37),
    (0x05D0, 27),
    (0x3042, 80),
    (0x4E00, 3000),
    (0xAC00, 3000),
    (0x0E01, 46),
]


def project_module(name: str) -> types.ModuleType:
    """A module of the template's agent package, imported from its file (the
    package's own __init__ and settings are not needed, nor importable here)."""
    if "agent_template" not in sys.modules:
        package = types.ModuleType("agent_template")
        package.__path__ = [str(AGENT)]
        sys.modules["agent_template"] = package
    return importlib.import_module(f"agent_template.{name}")


classifier = project_module("injection_classifier")
normalise = project_module("normalise")
patterns = project_module("attack_patterns")


def load_rows() -> list[dict[str, Any]]:
    """Every labelled row with its source set (the folds of the validation)."""

    def row(data: dict[str, Any], source: str) -> dict[str, Any]:
        text = " ".join(data["turns"]) if "turns" in data else data["text"]
        return {"source": source, "attack": bool(data["attack"]), "text": text}

    common = PROJECT / "tests" / "unit" / "common_attacks.jsonl"
    rows = [row(json.loads(line), "common") for line in _lines(common)]
    source = "guardrail-rag"  # the rows before `{% else %}` are the rag agent's
    for line in (PROJECT / "evals" / "guardrail.jsonl").read_text().splitlines():
        if line.startswith("{% else"):
            source = "guardrail-react"
        elif line.startswith('{"'):
            rows.append(row(json.loads(line), source))
    for i, line in enumerate(_lines(STATEMENTS)):
        rows.append(row(json.loads(line), SOURCES[i % len(SOURCES)]))
    return rows


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


def flagged_by_patterns(text: str) -> bool:
    rules = [*patterns.INJECTION, *patterns.JAILBREAK]
    return any(rule.search(form) for form in normalise.forms(text) for rule in rules)


def relettered(text: str, k: int) -> str:
    """The text with its letters a-z swapped for another script's (fixed seeds)."""
    start, size = SCRIPTS[k % len(SCRIPTS)]
    rng = random.Random(1000 + k)  # noqa: S311 (a fixed shuffle, no secret)
    table = {chr(97 + i): chr(start + rng.randrange(size)) for i in range(26)}
    return "".join(table.get(c, c) for c in text)


def featurise(text: str) -> set[str]:
    return set(classifier.features(text, CHAR_NGRAMS, WORD_NGRAMS))


class Model:
    """A vocabulary, weights and a bias, scored as the serving code scores."""

    def __init__(self, vocab: dict[str, int], w: np.ndarray, b: float) -> None:
        self.vocab, self.w, self.b = vocab, w, b

    def z(self, feats: set[str]) -> float:
        total = sum(self.w[self.vocab[f]] for f in feats if f in self.vocab)
        return self.b + (total / np.sqrt(len(feats)) if feats else 0.0)

    def score(self, row_forms: list[set[str]]) -> float:
        return float(1 / (1 + np.exp(-max(self.z(f) for f in row_forms))))


def matrix(instances: list[set[str]], vocab: dict[str, int]) -> csr_matrix:
    rows, cols, values = [], [], []
    for r, feats in enumerate(instances):
        scale = 1 / np.sqrt(len(feats)) if feats else 0.0
        for f in feats:
            if (c := vocab.get(f)) is not None:
                rows.append(r)
                cols.append(c)
                values.append(scale)
    return csr_matrix((values, (rows, cols)), shape=(len(instances), len(vocab)))


def train(data: list[tuple[list[set[str]], bool, set[str]]]) -> Model:
    """Fit on rows given as (the forms' features, attack?, re-lettered features)."""
    seen: Counter[str] = Counter()
    for row_forms, attack, extra in data:
        seen.update(row_forms[0] if attack else set().union(*row_forms, extra))
    kept = sorted(
        (f for f, n in seen.items() if n >= MIN_ROWS), key=lambda f: (-seen[f], f)
    )
    vocab = {f: i for i, f in enumerate(kept[:MAX_FEATURES])}
    chosen = [0] * len(data)  # which form each attack is learnt from
    model = Model(vocab, np.zeros(len(vocab)), 0.0)
    for _ in range(2):
        instances, labels, weights = [], [], []
        for i, (row_forms, attack, extra) in enumerate(data):
            if attack:
                instances.append(row_forms[chosen[i]])
                labels.append(1)
                weights.append(1.0)
                continue
            for k, feats in enumerate(row_forms):
                instances.append(feats)
                labels.append(0)
                weights.append(1.0 if k == 0 else DECODED_WEIGHT)
            instances.append(extra)
            labels.append(0)
            weights.append(RELETTERED_WEIGHT)
        fit = LogisticRegression(C=1 / (L2 * sum(weights)), max_iter=5000, tol=1e-8)
        fit.fit(matrix(instances, vocab), labels, sample_weight=weights)
        model = Model(vocab, fit.coef_[0], float(fit.intercept_[0]))
        for i, (row_forms, attack, _) in enumerate(data):
            if attack:
                chosen[i] = int(np.argmax([model.z(f) for f in row_forms]))
    return model


def threshold(
    scores: list[float], benign: list[bool], by_patterns: list[bool]
) -> float:
    """The lowest threshold keeping the refused benign rows at BENIGN_TARGET."""
    budget = int(BENIGN_TARGET * sum(benign)) - sum(
        p for p, b in zip(by_patterns, benign, strict=True) if b
    )
    left = sorted(
        (s for s, b, p in zip(scores, benign, by_patterns, strict=True) if b and not p),
        reverse=True,
    )
    if budget < 0:
        return 1.0
    return 0.0 if budget >= len(left) else float(np.nextafter(left[budget], 1.0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="retrain and compare with the model"
    )
    args = parser.parse_args()
    rows = load_rows()
    row_forms = [[featurise(f) for f in normalise.forms(r["text"])] for r in rows]
    extra = [
        set()
        if r["attack"]
        else featurise(normalise.normalise(relettered(r["text"], i)))
        for i, r in enumerate(rows)
    ]
    data = [(f, r["attack"], e) for f, r, e in zip(row_forms, rows, extra, strict=True)]
    by_patterns = [flagged_by_patterns(r["text"]) for r in rows]

    unseen = [0.0] * len(rows)
    for held_out in SOURCES:
        inside = [i for i, r in enumerate(rows) if r["source"] != held_out]
        model = train([data[i] for i in inside])
        for i, r in enumerate(rows):
            if r["source"] == held_out:
                unseen[i] = model.score(row_forms[i])
    benign = [not r["attack"] for r in rows]
    cut = threshold(unseen, benign, by_patterns)
    report(rows, unseen, by_patterns, cut)

    final = train(data)
    weights = {f: round(float(final.w[i]), 4) for f, i in final.vocab.items()}
    written = {
        "about": "prompt-injection classifier: logistic regression over n-grams of "
        "the normalised text; trained by the template's "
        "scripts/train_injection_classifier.py",
        "config": {"char_ngrams": list(CHAR_NGRAMS), "word_ngrams": list(WORD_NGRAMS)},
        "threshold": round(cut, 6),
        "bias": round(final.b, 6),
        "weights": {f: w for f, w in sorted(weights.items()) if w != 0.0},
    }
    if args.check:
        stale = differences(json.loads(MODEL.read_text("utf-8")), written)
        print("\n".join(stale) or "the model is what its training gives")
        return 1 if stale else 0
    text = json.dumps(written, ensure_ascii=False, separators=(",", ":")) + "\n"
    MODEL.write_text(text, "utf-8")
    print(f"wrote {MODEL.relative_to(TEMPLATE)}: {len(written['weights'])} weights")
    return 0


def differences(shipped: dict[str, Any], trained: dict[str, Any]) -> list[str]:
    """How the shipped model differs from a retrained one, beyond the last digit
    (floating-point sums may differ by a rounding step from one CPU to another)."""
    found = []
    if shipped["config"] != trained["config"]:
        found.append(f"config {shipped['config']} != {trained['config']}")
    for key in ("threshold", "bias"):
        if abs(shipped[key] - trained[key]) > 1e-3:
            found.append(f"{key} {shipped[key]} != {trained[key]}")
    old, new = shipped["weights"], trained["weights"]
    moved = [
        f for f in old.keys() | new.keys() if abs(old.get(f, 0) - new.get(f, 0)) > 1e-3
    ]
    if moved:
        found.append(f"{len(moved)} weights differ, e.g. {sorted(moved)[:3]}")
    return found


def report(
    rows: list[dict[str, Any]], scores: list[float], by_patterns: list[bool], cut: float
) -> None:
    """Rates on data each model did not see, per source set."""
    print(f"threshold {cut:.4f} (chosen on held-out folds)")
    for source in SOURCES:
        picked = [i for i, r in enumerate(rows) if r["source"] == source]
        for attack in (True, False):
            these = [i for i in picked if rows[i]["attack"] is attack]
            hits = sum(scores[i] >= cut or by_patterns[i] for i in these)
            kind = "attacks caught" if attack else "benign refused"
            print(f"  {source:16} {kind}: {hits}/{len(these)}")


if __name__ == "__main__":
    sys.exit(main())
