"""Conversations in PostgreSQL (DATABASE_URL), against a real server."""

from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings


def test_conversations_live_in_postgres_across_restarts(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )

    with TestClient(create_app(settings)) as client:
        first = client.post("/invoke", json={"message": "My name is Lin"}).json()
        other = client.post("/invoke", json={"message": "Weather in Paris?"}).json()
    with TestClient(create_app(settings)) as client:
        reply = client.post(
            "/invoke",
            json={"message": "What is my name?", "thread_id": first["thread_id"]},
        ).json()
        history = client.get(f"/threads/{other['thread_id']}").json()
        ready = client.get("/readyz")

    assert reply["reply"] == "Your name is Lin."
    assert [m["role"] for m in history["messages"]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert ready.json() == {"status": "ready"}
    assert not settings.sqlite_path.exists()


def test_feedback_finds_runs_in_postgres(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, database_url=SecretStr(database_url), data_dir=tmp_path
    )

    with TestClient(create_app(settings)) as client:
        run = client.post("/invoke", json={"message": "Hi"}).json()
        accepted = client.post("/feedback", json={"run_id": run["run_id"], "score": 1})
        refused = client.post("/feedback", json={"run_id": "nope", "score": 1})

    assert accepted.status_code == 201
    assert refused.status_code == 404
