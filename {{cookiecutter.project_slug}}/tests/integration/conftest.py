"""Fixtures: the Vertex AI protocol fake, and a throwaway PostgreSQL."""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .fake_credentials import use_fake_credentials
from .live_server import live_server
from .postgres import PostgresUnavailableError, postgres_server
from .vertex_fake import VertexFake


@pytest.fixture
def drift_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer DRIFT_* settings, and no `.env` to read: a scratch directory."""
    for name in list(os.environ):
        if name.startswith("DRIFT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def vertex_fake() -> Iterator[VertexFake]:
    """A Vertex AI protocol fake listening on 127.0.0.1."""
    with VertexFake() as fake:
        yield fake


@pytest.fixture
def vertex_settings(
    vertex_fake: VertexFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings for MODEL_PROVIDER=vertex, aimed at the fake (credentials too)."""
    use_fake_credentials(vertex_fake.url, tmp_path, monkeypatch)
    return Settings(
        _env_file=None,
        model_provider="vertex",
        google_cloud_project="test-project",
        google_cloud_location="us-central1",
        vertex_base_url=vertex_fake.url,
        model_max_retries=0,
        data_dir=tmp_path / "data",
    )


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """One PostgreSQL server for the session; skipped (loudly) where none is
    installed, unless TEST_REQUIRE_POSTGRES=1 makes that a failure (CI)."""
    try:
        with postgres_server() as server:
            yield server.url
    except PostgresUnavailableError as missing:
        if os.environ.get("TEST_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL tests skipped: {missing}")


@pytest.fixture
def new_database(postgres_server_url: str) -> Callable[[], str]:
    """Makes fresh, empty databases on the session's server: the URL of each."""

    def make() -> str:
        name = f"test_{uuid.uuid4().hex}"
        with psycopg.connect(postgres_server_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")  # a generated identifier
        return postgres_server_url.rsplit("/", 1)[0] + f"/{name}"

    return make


@pytest.fixture
def database_url(new_database: Callable[[], str]) -> str:
    """A fresh, empty database on the session's server."""
    return new_database()


@pytest.fixture(scope="module")
def approval_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server that asks before running tools (REQUIRE_TOOL_APPROVAL), one
    per test module."""
    data = tmp_path_factory.mktemp("approval")
    with live_server(data, {"REQUIRE_TOOL_APPROVAL": "true"}) as url:
        yield url


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server whose tokens come 80 ms apart, one per test module: a reply of
    a few dozen words lasts about two seconds, long enough to be cancelled, joined
    or found busy even on a loaded machine."""
    data = tmp_path_factory.mktemp("protocol")
    with live_server(data, {"SCRIPTED_TOKEN_DELAY_MS": "80"}) as url:
        yield url
