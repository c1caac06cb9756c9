"""Fuzz every operation of the OpenAPI document with generated requests.

Schemathesis sends valid and invalid bodies, parameters and methods, offline, to
an app whose scripted model echoes, on SQLite and on PostgreSQL. A 5xx is a bug (a
client mistake must get a 4xx), and every response must match the document:
status, content type, headers and body. The streaming routes are fuzzed too
(Schemathesis reads the first 20 events of a stream). Then sequences of calls
(stateful): Schemathesis links operations by the ids one returns and another takes
(a thread created, then its state, history, runs, feedback...) and chains them. Only
the playground is outside the document: see the last test.
"""

import copy
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS

# The document does not depend on settings (a test below checks that it is the one
# the app serves). Loaded at import, as `parametrize` needs it to name the tests;
# the apps under test come from a fixture (`from_fixture` breaks on pytest 9).
DOCUMENT = create_app(Settings.model_construct()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)

# A thread that exists in every fuzzed app, and the one assistant: random ids
# would only ever reach the 404s.
THREAD = "fuzzed-thread"

# Left out of the checks, all the others run:
EXCLUDED_CHECKS = [
    # The server applies rules the document cannot state: non-empty messages of
    # at most MAX_MESSAGE_CHARS, the one `multitask_strategy`, chat-shaped
    # `input.messages`; and it parses leniently (`false` for 0), as pydantic does.
    # test_bad_input.py and test_protocol_errors.py cover those refusals.
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
    # The Agent Protocol's fixed paths share their shape with parametrised ones
    # (`/threads/search` and `/threads/{thread_id}`): a 405 there lists the
    # methods of the route Starlette matched first, which the document cannot
    # agree with. test_a_405_names_the_allowed_methods checks `Allow` is sent.
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
]


# What the app stores, in LangGraph's tables (the checkpointer's and the store's).
TABLES = ("checkpoints", "checkpoint_writes", "checkpoint_blobs", "store")


def _empty_storage(data_dir: Path, database_url: str | None) -> None:
    """Delete every thread, checkpoint and record the app stored."""
    if database_url is not None:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f"TRUNCATE {', '.join(TABLES)}")  # constant names
        return
    for path in data_dir.glob("*.sqlite"):
        with sqlite3.connect(path) as connection:
            for table in TABLES:
                if connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = ?", (table,)
                ).fetchone():
                    connection.execute(f"DELETE FROM {table}")  # noqa: S608 (constant)


# Every fuzzed app, kept to the end of the process: LangGraph's store leaves a
# task on Schemathesis' event loop, which lives as long as the process; collected
# earlier, the task makes asyncio log "Task was destroyed but it is pending".
_FUZZED_APPS: list[FastAPI] = []


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, settings: Settings) -> FastAPI:
    """The app to fuzz, on SQLite and on a real PostgreSQL (whose drivers refuse
    what SQLite accepts: NUL characters, oversized integers), with THREAD in its
    store; its model echoes every run."""
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("database_url")
        settings = Settings(
            _env_file=None, data_dir=settings.data_dir, database_url=url
        )
    seeding = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    with TestClient(seeding) as client:
        client.post("/threads", json={"thread_id": THREAD}).raise_for_status()
    # Schemathesis starts its own lifespan.
    app = create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
    # For each sequence of calls to start from nothing (see below).
    app.state.empty_storage = lambda: _empty_storage(settings.data_dir, url)
    _FUZZED_APPS.append(app)
    return app


@schema.hook
def flatmap_path_parameters(_: Any, parameters: dict[str, Any] | None) -> Any:
    if not parameters or "thread_id" not in parameters:
        return st.just(parameters)
    return st.sampled_from([parameters, {**parameters, "thread_id": THREAD}])


@schema.hook
def flatmap_body(_: Any, body: Any) -> Any:
    if not isinstance(body, dict) or "assistant_id" not in body:
        return st.just(body)
    return st.sampled_from([body, {**body, "assistant_id": "agent"}])


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    # The app fixture is meant to be shared by all the examples of an operation.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_and_responses_conform(case: Any, app: FastAPI) -> None:
    case.call_and_validate(app=app, excluded_checks=EXCLUDED_CHECKS)


def test_no_server_error_in_sequences_of_linked_calls(app: FastAPI) -> None:
    # Links inferred from the document: an id one operation returns feeds the
    # operations that take it (a new thread's state, history, runs, checkpoints,
    # feedback, cancel; a checkpoint's runs and forks...).
    # From a copy: inferring links writes them into the document.
    machine = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT)).as_state_machine()
    links = [name for name in dir(machine) if "___200_" in name]
    assert len(links) > 30  # named <source>___<status>_<target>

    class LinkedCalls(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            # Each sequence on empty storage: Hypothesis replays a sequence to
            # shrink it, and must get the same answers again.
            app.state.empty_storage()

        def call(self, case: Any, **kwargs: Any) -> Any:
            return case.call(app=app, **kwargs)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

    run_state_machine_as_test(
        LinkedCalls,
        settings=settings(
            max_examples=50,
            stateful_step_count=8,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_the_fuzzed_document_is_the_served_one(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == DOCUMENT


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/static/playground.js", 200),
        ("/static/missing.js", 404),
        ("/static/../routes.py", 404),
        ("/static/%2e%2e/routes.py", 404),
    ],
)
def test_the_playground_outside_the_document(
    client: TestClient, path: str, status: int
) -> None:
    assert client.get(path).status_code == status
