"""Drift embeddings on Vertex AI: the real `GoogleGenerativeAIEmbeddings` client,
against the local protocol fake, with credentials refreshed against the fake."""

from pathlib import Path

import httpx
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.drift.__main__ import main
from {{ cookiecutter.package_name }}.drift.embeddings import (
    EmbeddingError,
    backend_from_settings,
    embed,
)
from {{ cookiecutter.package_name }}.drift.settings import DriftSettings
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.drift import REFERENCE, SHIFTED
from .vertex_fake import ACCESS_TOKEN, EMBEDDING_METHODS, VertexFake

TEXTS = ["How often should I water a cactus?", "Hello!", "File my taxes, please."]


pytestmark = [pytest.mark.vertex, pytest.mark.usefixtures("drift_environment")]


@pytest.fixture
def drift_settings(vertex_settings: Settings, vertex_fake: VertexFake) -> DriftSettings:
    """Vertex embeddings aimed at the fake (`vertex_settings` provides credentials
    whose token endpoint is the fake)."""
    return DriftSettings(
        _env_file=None,
        embeddings="vertex",
        google_cloud_project=vertex_settings.google_cloud_project,
        google_cloud_location=vertex_settings.google_cloud_location,
        vertex_base_url=vertex_fake.url,
    )


def test_gemini_embeddings_go_one_text_a_request(
    drift_settings: DriftSettings, vertex_fake: VertexFake
) -> None:
    backend = backend_from_settings(drift_settings)

    vectors = embed(backend, TEXTS, "inputs", progress=False)

    assert drift_settings.embedding_model == "gemini-embedding-001"
    assert vectors.shape == (3, vertex_fake.embedding_dimensions)
    np.testing.assert_allclose(vectors, [vertex_fake.embed(t) for t in TEXTS])
    requests = vertex_fake.embedding_requests
    assert sorted(text for r in requests for text in r.texts) == sorted(TEXTS)
    for request in requests:
        # `:predict` or `:embedContent`, as the SDK release prefers: both are real.
        assert request.method in EMBEDDING_METHODS
        assert len(request.texts) == 1
        assert request.model == "gemini-embedding-001"
        assert request.task_types() == ["SEMANTIC_SIMILARITY"]
        assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert vertex_fake.requests == []  # no generate calls
    assert backend.description == "vertex (gemini-embedding-001, us-central1)"


def test_text_embedding_models_take_a_batch_a_request(
    drift_settings: DriftSettings, vertex_fake: VertexFake
) -> None:
    settings = drift_settings.model_copy(
        update={"embedding_model": "text-embedding-005"}
    )

    vectors = embed(
        backend_from_settings(settings), TEXTS * 50, "inputs", progress=False
    )

    # Up to 100 texts a request, sent concurrently; the rows keep the input order.
    assert sorted(len(r.texts) for r in vertex_fake.embedding_requests) == [50, 100]
    np.testing.assert_allclose(vectors, [vertex_fake.embed(t) for t in TEXTS * 50])


def test_newer_gemini_models_embed_with_their_task_type(
    drift_settings: DriftSettings, vertex_fake: VertexFake
) -> None:
    settings = drift_settings.model_copy(
        update={"embedding_model": "gemini-embedding-2-preview"}
    )

    vectors = embed(backend_from_settings(settings), TEXTS, "inputs", progress=False)

    np.testing.assert_allclose(vectors, [vertex_fake.embed(t) for t in TEXTS])
    requests = vertex_fake.embedding_requests
    assert {r.model for r in requests} == {"gemini-embedding-2-preview"}
    assert {r.method for r in requests} <= EMBEDDING_METHODS
    assert {t for r in requests for t in r.task_types()} == {"SEMANTIC_SIMILARITY"}


def test_a_vertex_error_is_one_clear_line(
    drift_settings: DriftSettings, vertex_fake: VertexFake
) -> None:
    vertex_fake.fail_next_embedding(429, "Quota exceeded for online prediction.")

    with pytest.raises(EmbeddingError) as failed:
        embed(
            backend_from_settings(drift_settings), TEXTS[:1], "inputs", progress=False
        )

    message = str(failed.value)
    assert message.startswith("embedding inputs with vertex (gemini-embedding-001")
    assert "429" in message
    assert "Quota exceeded" in message
    assert "\n" not in message


@pytest.mark.usefixtures("vertex_settings")
@pytest.mark.parametrize(("inputs", "status"), [(REFERENCE, 0), (SHIFTED, 1)])
def test_the_cli_with_vertex_embeddings(
    vertex_fake: VertexFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    inputs: Path,
    status: int,
) -> None:
    # The same variables as the app's; DRIFT_EMBEDDINGS picks Vertex AI.
    monkeypatch.setenv("DRIFT_EMBEDDINGS", "vertex")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.setenv("VERTEX_BASE_URL", vertex_fake.url)

    assert main(["--inputs", str(inputs), "--reference", str(REFERENCE)]) == status

    out = capsys.readouterr().out
    assert "embeddings         vertex (gemini-embedding-001" in out
    methods = {r.method for r in vertex_fake.embedding_requests}
    assert methods, "the CLI sent no embedding request"
    assert methods <= EMBEDDING_METHODS


@pytest.mark.usefixtures("vertex_settings")
def test_the_cli_reports_a_vertex_failure_with_status_2(
    vertex_fake: VertexFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DRIFT_EMBEDDINGS", "vertex")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.setenv("VERTEX_BASE_URL", vertex_fake.url)
    vertex_fake.fail_next_embedding(403, "Vertex AI API has not been used in project")

    assert main(["--inputs", str(SHIFTED), "--reference", str(REFERENCE)]) == 2

    err = capsys.readouterr().err
    assert "error: embedding production inputs with vertex" in err
    assert "403" in err


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("predict", {"instances": [{"content": t} for t in TEXTS]}),
        (
            "batchEmbedContents",
            {"requests": [{"content": {"parts": [{"text": t}]}} for t in TEXTS]},
        ),
    ],
)
def test_the_fake_answers_every_embedding_shape_vertex_serves(
    vertex_fake: VertexFake, method: str, body: dict[str, object]
) -> None:
    """The same texts, whichever method a future SDK release picks, give the
    same vectors (`:embedContent` is driven by the real client above)."""
    model = "text-embedding-005"
    url = (
        f"{vertex_fake.url}/v1beta1/projects/p/locations/l"
        f"/publishers/google/models/{model}:{method}"
    )

    reply = httpx.post(url, json=body)

    assert reply.status_code == 200, reply.text
    payload = reply.json()
    if method == "predict":
        vectors = [p["embeddings"]["values"] for p in payload["predictions"]]
    else:
        vectors = [e["values"] for e in payload["embeddings"]]
    np.testing.assert_allclose(vectors, [vertex_fake.embed(t) for t in TEXTS])
    assert [r.texts for r in vertex_fake.embedding_requests] == [TEXTS]
