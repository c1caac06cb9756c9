"""Fixtures for driving the real Gemini-on-Vertex client against the local fake."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .vertex_fake import VertexFake


@pytest.fixture
def vertex_fake() -> Iterator[VertexFake]:
    """A Vertex AI protocol fake listening on 127.0.0.1."""
    with VertexFake() as fake:
        yield fake


@pytest.fixture
def vertex_settings(
    vertex_fake: VertexFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings for MODEL_PROVIDER=vertex, aimed at the fake.

    The credentials are real application-default credentials (the kind Workforce
    Identity Federation issues) whose token endpoint is the fake: google-auth
    refreshes them over HTTP as in production, and no Google account is involved.
    """
    credentials = tmp_path / "adc.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "external_account_authorized_user",
                "audience": "//iam.googleapis.com/locations/global/workforcePools/"
                "fake/providers/fake",
                "client_id": "fake-client",
                "client_secret": "fake-secret",
                "refresh_token": "fake-refresh-token",
                "token_url": f"{vertex_fake.url}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credentials))
    return Settings(
        _env_file=None,
        model_provider="vertex",
        google_cloud_project="test-project",
        google_cloud_location="us-central1",
        vertex_base_url=vertex_fake.url,
        model_max_retries=0,
        data_dir=tmp_path / "data",
    )
