"""Text embeddings for the drift check: an offline stand-in, or Vertex AI."""

import hashlib
import itertools
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TextIO

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from .settings import DriftSettings

Matrix = npt.NDArray[np.float64]
_WORD = re.compile(r"\w+")
_FUNCTION_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "at", "be", "can", "do", "does", "for", "how"),
        *("i", "in", "is", "it", "me", "my", "of", "on", "or", "please", "that"),
        *("the", "there", "this", "to", "what", "with", "you", "your"),
    }
)


class HashedNgramEmbeddings(Embeddings):
    """A deterministic offline embedding: hashed word and character n-grams.

    A stand-in for tests and offline runs, NOT a semantic model: it sees wording,
    not meaning ("car" and "automobile" are unrelated to it). It does tell a
    weather question from a tax question, which is what a drift smoke test needs.
    Vectors are L2-normalised, so cosine similarity is a dot product.
    """

    def __init__(self, dimensions: int = 1024) -> None:
        self.dimensions = dimensions

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for feature, weight in _features(text).items():
            vector[_bucket(feature, self.dimensions)] += weight
        norm = sum(value * value for value in vector) ** 0.5
        return [value / norm for value in vector] if norm else vector


def _features(text: str) -> dict[str, float]:
    """Words and word pairs (what is asked), and character trigrams (typos,
    inflections). Trigrams weigh less, so shared spelling alone does not make two
    texts alike, and so do common English function words, which every question
    shares ("what is the ... in ...")."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    weight = {word: 0.3 if word in _FUNCTION_WORDS else 1.0 for word in words}
    features: defaultdict[str, float] = defaultdict(float)
    for word in words:
        features[f"w:{word}"] += weight[word]
        padded = f"<{word}>"
        for start in range(len(padded) - 2):
            features[f"c:{padded[start : start + 3]}"] += 0.25 * weight[word]
    for first, second in itertools.pairwise(words):
        features[f"b:{first} {second}"] += 0.5 * weight[first] * weight[second]
    return features


@lru_cache(maxsize=65536)
def _bucket(feature: str, dimensions: int) -> int:
    # A stable hash: Python's hash() changes from one process to the next.
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % dimensions


@dataclass(frozen=True)
class EmbeddingBackend:
    """An embedding model, and how to call it: texts per request, requests at once."""

    embeddings: Embeddings
    description: str
    batch_size: int = 256
    concurrency: int = 1
    # Failures of the service (auth, quota, network) to report as EmbeddingError.
    errors: tuple[type[Exception], ...] = ()


class EmbeddingError(RuntimeError):
    """The embedding service failed; the message says what it answered."""


def backend_from_settings(settings: DriftSettings) -> EmbeddingBackend:
    """The embedding that DRIFT_EMBEDDINGS names."""
    if settings.embeddings == "local":
        return EmbeddingBackend(
            HashedNgramEmbeddings(),
            "local (hashed word and character n-grams; an offline stand-in, "
            "not a semantic model)",
        )
    return _vertex_backend(settings)


def _vertex_backend(settings: DriftSettings) -> EmbeddingBackend:
    # Imported here: the Google client is slow to import and only this path needs it.
    from langchain_google_genai import GoogleGenerativeAIEmbeddings

    model = settings.embedding_model
    embeddings = GoogleGenerativeAIEmbeddings(
        model=model,
        vertexai=True,
        project=settings.google_cloud_project,
        location=settings.google_cloud_location,
        base_url=settings.vertex_base_url,
        task_type="SEMANTIC_SIMILARITY",
    )
    # Gemini embedding models take one text per request on Vertex AI (the
    # text-embedding-* ones up to 250), so those requests go out several at once.
    one_per_request = model.startswith("gemini")
    return EmbeddingBackend(
        embeddings,
        f"vertex ({model}, {settings.google_cloud_location})",
        batch_size=1 if one_per_request else 100,
        concurrency=8 if one_per_request else 2,
        # The client wraps every failure (credentials, HTTP status, network) in an
        # exception class of its own that it does not export.
        errors=(Exception,),
    )


def embed(
    backend: EmbeddingBackend,
    texts: Sequence[str],
    label: str,
    *,
    progress: bool = True,
) -> Matrix:
    """Embed `texts` in batches, one row a text, with progress on stderr."""
    batches = [
        list(texts[start : start + backend.batch_size])
        for start in range(0, len(texts), backend.batch_size)
    ]
    meter = _Progress(label, len(texts), sys.stderr if progress else None)
    rows: list[list[float]] = []
    pool = ThreadPoolExecutor(max_workers=backend.concurrency)
    try:
        for vectors in pool.map(backend.embeddings.embed_documents, batches):
            rows.extend(vectors)
            meter.advance(len(vectors))
    except backend.errors as error:
        first_line = str(error).strip().splitlines()[0] if str(error) else ""
        raise EmbeddingError(
            f"embedding {label} with {backend.description} failed: "
            f"{first_line or type(error).__name__}"
        ) from error
    finally:
        # On a failure (or Ctrl-C), the batches not yet sent are dropped.
        pool.shutdown(wait=False, cancel_futures=True)
        meter.close()
    if len(rows) != len(texts):
        raise EmbeddingError(
            f"embedding {label}: asked for {len(texts)} vectors, got {len(rows)}"
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), -1)


class _Progress:
    """`label: done/total` on stderr: redrawn in place on a terminal, every tenth
    of the way in a log (CI), so long Vertex AI runs show they are alive."""

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done, self.reported = 0, -1
        self.live = stream is not None and stream.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is None:
            return
        tenth = self.done * 10 // max(self.total, 1)
        if self.live:
            self.stream.write(f"\rembedding {self.label}: {self.done}/{self.total}")
        elif tenth > self.reported:
            self.reported = tenth
            self.stream.write(f"embedding {self.label}: {self.done}/{self.total}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.stream is not None and self.done:
            self.stream.write("\n")
