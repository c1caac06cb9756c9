"""Text embeddings for the drift check: an offline stand-in, or Vertex AI."""

import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TextIO

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ..llm.embeddings import (
    HashedNgramEmbeddings,
    vertex_embeddings,
    vertex_texts_per_request,
)
from .settings import DriftSettings

Matrix = npt.NDArray[np.float64]


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
    model = settings.embedding_model
    embeddings = vertex_embeddings(
        model,
        project=settings.google_cloud_project,
        location=settings.google_cloud_location,
        base_url=settings.vertex_base_url,
        task_type="SEMANTIC_SIMILARITY",
    )
    # Batches the size of a request, so the progress meter moves per request;
    # one text a request is slow one after the other: those go out several at once.
    per_request = vertex_texts_per_request(model)
    return EmbeddingBackend(
        embeddings,
        f"vertex ({model}, {settings.google_cloud_location})",
        batch_size=per_request,
        concurrency=8 if per_request == 1 else 2,
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
