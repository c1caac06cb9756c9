"""Scores for answers built from retrieved passages: did the search find the
labelled passages, does the reply stay within what it cites, and do its citations
point at the right passages. Passages are the dicts that tool results and final
events carry (`key`, `source`, `text`, ...)."""

import re
from collections.abc import Sequence
from typing import Any

from ..server.native.events import CITATION, cited_keys
from .cases import RelevantPassage

_WORD = re.compile(r"[a-z0-9]+(?:[.:,][0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A sentence is supported when this share of its content words is in what it cites.
SUPPORTED_SHARE = 0.6
_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have",
    "i", "in", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their",
    "this", "to", "was", "we", "were", "will", "with", "you", "your",
})  # fmt: skip


def is_relevant(passage: dict[str, Any], label: RelevantPassage) -> bool:
    """The passage comes from the labelled source and holds the labelled text."""
    text = str(passage.get("text", "")).lower()
    return passage.get("source") == label.source and label.contains.lower() in text


def retrieval_scores(
    retrieved: Sequence[dict[str, Any]], relevant: Sequence[RelevantPassage]
) -> dict[str, float]:
    """`retrieval_hit`: 1 if any labelled passage was retrieved (its mean is the
    hit rate); `retrieval_recall_at_k`: the share of labels retrieved, where k is
    what the searches returned (RETRIEVAL_K each)."""
    found = [
        label for label in relevant if any(is_relevant(p, label) for p in retrieved)
    ]
    return {
        "retrieval_hit": float(bool(found)),
        "retrieval_recall_at_k": len(found) / len(relevant),
    }


def citation_correctness(
    reply: str,
    citations: Sequence[dict[str, Any]],
    relevant: Sequence[RelevantPassage],
) -> float:
    """The share of the reply's citations that name a retrieved passage matching
    a label; 0 when the reply cites nothing."""
    keys = cited_keys(reply)
    if not keys:
        return 0.0
    passages = {citation["key"]: citation for citation in citations}
    correct = sum(
        key in passages and any(is_relevant(passages[key], label) for label in relevant)
        for key in keys
    )
    return correct / len(keys)


def groundedness(reply: str, citations: Sequence[dict[str, Any]]) -> float:
    """The share of the reply's sentences whose content words are mostly
    (SUPPORTED_SHARE) in the passages it cites; 0 when it cites nothing."""
    support = _terms(" ".join(str(c.get("text", "")) for c in citations))
    sentences = [
        terms
        for sentence in _SENTENCE_END.split(CITATION.sub("", reply))
        if (terms := _terms(sentence))
    ]
    if not sentences or not support:
        return 0.0
    supported = sum(len(t & support) / len(t) >= SUPPORTED_SHARE for t in sentences)
    return supported / len(sentences)


def grounding_scores(
    reply: str,
    retrieved: Sequence[dict[str, Any]],
    citations: Sequence[dict[str, Any]],
    relevant: Sequence[RelevantPassage],
) -> dict[str, float]:
    """Every grounding score of a case; none for a case without labels."""
    if not relevant:
        return {}
    return {
        **retrieval_scores(retrieved, relevant),
        "groundedness": groundedness(reply, citations),
        "citation_correctness": citation_correctness(reply, citations, relevant),
    }


GROUNDING_SCORES = (
    "retrieval_hit",
    "retrieval_recall_at_k",
    "groundedness",
    "citation_correctness",
)


def _terms(text: str) -> set[str]:
    return set(_WORD.findall(text.lower())) - _STOP_WORDS
