"""Text embeddings shared by the drift check and retrieval: an offline stand-in,
or a Vertex AI model."""

import asyncio
import hashlib
import itertools
import re
import unicodedata
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from langchain_core.embeddings import Embeddings

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
    weather question from a tax question, which is what a drift smoke test needs,
    and finds the passage that shares a question's words, which is what offline
    retrieval needs. Vectors are L2-normalised, so cosine similarity is a dot
    product.
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


def vertex_texts_per_request(model: str) -> int:
    """How many texts one embedding request to Vertex AI may carry."""
    # Gemini embedding models take one text per request on Vertex AI; the
    # text-embedding-* ones up to 250 (100 keeps a request well under its size cap).
    return 1 if model.startswith("gemini") else 100


def vertex_embeddings(
    model: str,
    *,
    project: str | None,
    location: str,
    base_url: str | None = None,
    task_type: str | None = None,
) -> Embeddings:
    """A Vertex AI text-embedding model (`gemini-embedding-001`, ...), whose
    `embed_documents` splits any list into requests the model accepts.

    Without `task_type`, documents are embedded as RETRIEVAL_DOCUMENT and queries
    as RETRIEVAL_QUERY, which is what search wants; comparing texts with each
    other (drift) wants SEMANTIC_SIMILARITY for both.
    """
    # Imported here: the Google client is slow to import and only this path needs it.
    from langchain_google_genai import GoogleGenerativeAIEmbeddings

    client = GoogleGenerativeAIEmbeddings(
        model=model,
        vertexai=True,
        project=project,
        location=location,
        base_url=base_url,
        task_type=task_type,
    )
    per_request = vertex_texts_per_request(model)
    # One text a request is slow one after the other: those go out several at once.
    return RequestBatchedEmbeddings(
        client, per_request, concurrency=8 if per_request == 1 else 2
    )


class RequestBatchedEmbeddings(Embeddings):
    """Another embedding, called with at most `per_request` texts a call and up
    to `concurrency` calls at once; the vectors keep the order of the texts."""

    def __init__(self, inner: Embeddings, per_request: int, concurrency: int) -> None:
        self.inner = inner
        self.per_request = per_request
        self.concurrency = concurrency

    def _batches(self, texts: list[str]) -> list[list[str]]:
        size = self.per_request
        return [texts[start : start + size] for start in range(0, len(texts), size)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        batches = self._batches(texts)
        if len(batches) <= 1:
            return self.inner.embed_documents(texts) if texts else []
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = pool.map(self.inner.embed_documents, batches)
            return [vector for vectors in results for vector in vectors]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(batch: list[str]) -> list[list[float]]:
            async with gate:
                return await self.inner.aembed_documents(batch)

        results = await asyncio.gather(*(one(b) for b in self._batches(texts)))
        return [vector for vectors in results for vector in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    async def aembed_query(self, text: str) -> list[float]:
        return await self.inner.aembed_query(text)
