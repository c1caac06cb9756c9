"""What every response tells a browser, and what a deployed service does not serve
(API docs, the playground)."""

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS
from .live_server import live_server

PAGES = ["/", "/static/playground.js", "/static/playground.css"]
DOCS = ["/docs", "/redoc", "/openapi.json"]


def test_every_response_says_nosniff(client: TestClient) -> None:
    thread_id = client.post("/invoke", json={"message": "hi"}).json()["thread_id"]
    responses = [
        client.get("/healthz"),
        client.get(f"/threads/{thread_id}"),
        client.get("/threads/missing"),  # an error
        client.post("/invoke", content=b"{"),  # malformed JSON
        client.post("/invoke", content=b"x" * (300 * 1024)),  # the size limit's 413
        client.post("/stream", json={"message": "hi"}),  # Server-Sent Events
        client.delete("/healthz"),  # a 405
        *(client.get(path) for path in PAGES + DOCS),
    ]

    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", (
            response.request.url,
            response.status_code,
        )


def test_the_playground_may_not_be_framed_and_runs_only_its_own_files(
    client: TestClient,
) -> None:
    page = client.get("/")

    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    # The policy forbids inline code: the page has none, only its own files.
    assert "<script>" not in page.text
    assert "<style" not in page.text
    assert 'src="/static/playground.js"' in page.text
    assert "style=" not in page.text


@pytest.mark.parametrize("serve", [True, False])
def test_docs_and_playground_can_be_turned_off(settings: Settings, serve: bool) -> None:
    configured = settings.model_copy(
        update={"serve_api_docs": serve, "serve_playground": serve}
    )
    app = create_app(configured, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(app) as client:
        served = {path: client.get(path).status_code for path in PAGES + DOCS}
        api = client.post("/invoke", json={"message": "hi"})

    assert served == dict.fromkeys(PAGES + DOCS, 200 if serve else 404)
    assert api.status_code == 200


def test_the_defaults_serve_docs_and_playground() -> None:
    defaults = Settings(_env_file=None)
    assert (defaults.serve_api_docs, defaults.serve_playground) == (True, True)


def test_the_served_app_names_no_server(tmp_path: Path) -> None:
    with live_server(tmp_path / "data") as url:
        response = httpx.get(f"{url}/healthz")

    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_make_dev_and_the_image_serve_without_the_server_header() -> None:
    project = Path(__file__).parents[2]
    makefile = (project / "Makefile").read_text()
    dev_recipe = makefile.split("\ndev:", 1)[1].split("\n\n", 1)[0]
    commands = (project / "Dockerfile").read_text().splitlines()
    [command] = [line for line in commands if line.startswith("CMD ")]

    assert "--no-server-header" in dev_recipe
    assert "--no-server-header" in command
