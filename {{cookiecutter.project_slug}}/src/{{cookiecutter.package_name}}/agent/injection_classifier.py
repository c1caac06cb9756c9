"""A small learned screen for prompt injection and jailbreaks in what people write.

The pattern screen knows phrases; an attack in other words passes it. This model
knows the shape of attacks: a logistic regression over the character (2 to 4) and
word n-grams of a message once `normalise` has taken the disguises off, scored on
the message and on each of its decoded forms (`decoded_forms`), the highest score
counting. It runs on the standard library alone: about a millisecond for a
short message (docs/guardrails.md).

The weights and the threshold are data (`injection_model.json`), trained and
validated by the template's `scripts/train_injection_classifier.py` on labelled
attacks and look-alike benign messages, the threshold chosen on data the model
never saw (docs/guardrails.md has the measured rates). It was trained on messages,
not documents: tool results and retrieved passages are left to the patterns
(`ClassifierGuardrail.classify_tool_result`).
"""

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .normalise import forms

MODEL_PATH = Path(__file__).with_name("injection_model.json")
# A form is scored on this many characters at most: an attack is written early,
# and a long paste must not cost more than a short one.
MAX_CHARS = 4000
_WORD = re.compile(r"\w+")


def features(
    text: str, char_ngrams: tuple[int, int], word_ngrams: tuple[int, int]
) -> set[str]:
    """The distinct n-grams of a normalised text: `c` and a character n-gram of
    the text (single-spaced, a space either side), `w` and a word n-gram."""
    flat = " " + " ".join(text[:MAX_CHARS].split()) + " "
    found = {
        "c" + flat[i : i + n]
        for n in range(char_ngrams[0], char_ngrams[1] + 1)
        for i in range(len(flat) - n + 1)
    }
    words = _WORD.findall(flat)
    found.update(
        "w" + " ".join(words[i : i + n])
        for n in range(word_ngrams[0], word_ngrams[1] + 1)
        for i in range(len(words) - n + 1)
    )
    return found


@dataclass(frozen=True)
class InjectionClassifier:
    """A trained model: a weight per n-gram, a bias and a decision threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float
    char_ngrams: tuple[int, int]
    word_ngrams: tuple[int, int]

    @classmethod
    def from_dict(cls, model: dict[str, Any]) -> "InjectionClassifier":
        config = model["config"]
        return cls(
            weights=model["weights"],
            bias=model["bias"],
            threshold=model["threshold"],
            char_ngrams=tuple(config["char_ngrams"]),
            word_ngrams=tuple(config["word_ngrams"]),
        )

    def score_form(self, form: str) -> float:
        """The probability-like score (0 to 1) of one normalised text. Presence
        features scaled to unit length: a long text is no likelier an attack."""
        found = features(form, self.char_ngrams, self.word_ngrams)
        if not found:
            return _sigmoid(self.bias)
        total = math.fsum(self.weights.get(f, 0.0) for f in found)
        return _sigmoid(self.bias + total / math.sqrt(len(found)))

    def score(self, text: str) -> float:
        """The highest score over the text's forms."""
        return self.score_forms(forms(text))

    def score_forms(self, found: Sequence[str]) -> float:
        """The highest score over forms already read (normalise.forms)."""
        return max(self.score_form(form) for form in found)

    def flags(self, text: str) -> bool:
        return self.score(text) >= self.threshold


@cache
def shipped_classifier() -> InjectionClassifier:
    """The model that ships with the package, read once."""
    return InjectionClassifier.from_dict(json.loads(MODEL_PATH.read_text("utf-8")))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
