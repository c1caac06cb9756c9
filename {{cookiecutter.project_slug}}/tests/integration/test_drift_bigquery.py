"""The BigQuery source: the real `google-cloud-bigquery` client, against the local
fake of the REST API (anonymous credentials, or ADC refreshed against the fake)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import google.auth
import pytest
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError
from google.cloud import bigquery

from {{ cookiecutter.package_name }}.drift.__main__ import main
from {{ cookiecutter.package_name }}.drift.bigquery import read_bigquery
from {{ cookiecutter.package_name }}.drift.sources import InputError
from {{ cookiecutter.package_name }}.eval.cases import load_cases

from ..fakes.drift import REFERENCE, SHIFTED
from .bigquery_fake import ACCESS_TOKEN, BigQueryFake
from .fake_credentials import use_fake_credentials

TABLE = "test-project.agent_telemetry.run_googleapis_com_stdout"


pytestmark = pytest.mark.usefixtures("drift_environment")


@pytest.fixture
def fake() -> Iterator[BigQueryFake]:
    with BigQueryFake() as server:
        yield server


@pytest.fixture
def client(fake: BigQueryFake) -> Any:
    return bigquery.Client(
        project="test-project",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": fake.url},
    )


def test_inputs_come_from_a_parameterised_query(
    fake: BigQueryFake, client: Any
) -> None:
    fake.rows = ["Water the cactus?", "When can I castle in chess?"]

    inputs = read_bigquery(TABLE, days=3, limit=100, client=client)

    assert inputs.texts == ["Water the cactus?", "When can I castle in chess?"]
    assert inputs.source == f"bigquery:{TABLE} (last 3 days)"
    assert fake.calls == ["POST /bigquery/v2/projects/test-project/queries"]
    [query] = fake.queries
    assert f"FROM `{TABLE}`" in query.sql
    assert "jsonPayload.message = 'run finished'" in query.sql
    assert query.parameters() == {"days": "3", "limit": "100"}
    assert query.parameter_types() == {"days": "INT64", "limit": "INT64"}
    assert query.body["parameterMode"] == "NAMED"
    assert query.body["useLegacySql"] is False


def test_the_limit_travels_as_a_parameter(fake: BigQueryFake, client: Any) -> None:
    fake.rows = [f"question {i}" for i in range(10)]

    inputs = read_bigquery(TABLE, days=7, limit=4, client=client)

    assert inputs.texts == ["question 0", "question 1", "question 2", "question 3"]
    assert fake.queries[0].parameters()["limit"] == "4"


def test_a_slow_query_is_polled_and_its_pages_followed(
    fake: BigQueryFake, client: Any
) -> None:
    fake.rows = [f"question {i}" for i in range(7)]
    fake.page_size = 3
    fake.polls_before_done = 2

    inputs = read_bigquery(TABLE, days=7, limit=100, client=client)

    assert inputs.texts == [f"question {i}" for i in range(7)]
    results = [call for call in fake.calls if "/queries/job_1" in call]
    assert len(results) >= 3  # polled, then paged
    assert any("pageToken=3" in call for call in results)
    assert any("pageToken=6" in call for call in results)


def test_empty_inputs_are_skipped_and_counted(fake: BigQueryFake, client: Any) -> None:
    fake.rows = ["Water the cactus?", "", "  ", None]

    inputs = read_bigquery(TABLE, days=7, limit=100, client=client)

    assert inputs.texts == ["Water the cactus?"]
    assert inputs.skipped_total == 3


def test_no_rows_is_refused_with_the_likely_cause(
    fake: BigQueryFake, client: Any
) -> None:
    with pytest.raises(InputError, match=r"last 7 days.*LOG_USER_INPUTS=true"):
        read_bigquery(TABLE, days=7, limit=100, client=client)


def test_a_missing_table_is_one_clear_line(fake: BigQueryFake, client: Any) -> None:
    fake.fail_next_query(
        404,
        "notFound",
        f"Not found: Table {TABLE.replace('.', ':', 1)} was not found\nin location US",
    )

    with pytest.raises(InputError) as refused:
        read_bigquery(TABLE, days=7, limit=100, client=client)

    message = str(refused.value)
    assert message.startswith("BigQuery answered 404: Not found: Table")
    assert "log sink creates the table" in message
    assert "\n" not in message


def test_a_table_without_the_input_column_points_at_the_setting(
    fake: BigQueryFake, client: Any
) -> None:
    fake.fail_next_query(
        400, "invalidQuery", "Field name input does not exist in STRUCT<run_id STRING>"
    )

    with pytest.raises(InputError, match="LOG_USER_INPUTS=true"):
        read_bigquery(TABLE, days=7, limit=100, client=client)


def test_a_bad_table_name_sends_nothing(fake: BigQueryFake, client: Any) -> None:
    with pytest.raises(InputError, match="PROJECT"):
        read_bigquery("agent_telemetry.runs", days=7, limit=100, client=client)
    assert fake.calls == []


@pytest.fixture
def cli_on_fake(
    drift_environment: None,
    fake: BigQueryFake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI's own client aimed at the fake, credentials included (after the
    environment is cleaned, or DRIFT_BIGQUERY_ENDPOINT would be dropped)."""
    use_fake_credentials(fake.url, tmp_path, monkeypatch)
    monkeypatch.setenv("DRIFT_BIGQUERY_ENDPOINT", fake.url)


@pytest.mark.usefixtures("cli_on_fake")
def test_the_cli_reads_bigquery_with_application_default_credentials(
    fake: BigQueryFake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.rows = [
        json.loads(line)["run"]["input"]
        for line in SHIFTED.read_text().splitlines()
        if "input" in json.loads(line).get("run", {})
    ]

    status = main(
        [
            "--bigquery-table",
            TABLE,
            "--days",
            "3",
            "--reference",
            str(REFERENCE),
        ]
    )

    out = capsys.readouterr().out
    assert status == 1
    assert f"production inputs      18  bigquery:{TABLE} (last 3 days)" in out
    assert "DRIFT DETECTED" in out
    assert fake.token_requests == 1
    [query] = fake.queries
    assert query.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert query.project == "test-project"  # billed to the table's project
    assert query.parameters() == {"days": "3", "limit": "5000"}


@pytest.mark.usefixtures("cli_on_fake")
def test_the_cli_defaults_to_a_week(
    fake: BigQueryFake, capsys: pytest.CaptureFixture[str]
) -> None:
    # The eval set's own inputs: no drift, whatever the set holds.
    fake.rows = [turn for case in load_cases(REFERENCE) for turn in case.turns]

    assert main(["--bigquery-table", TABLE, "--reference", str(REFERENCE)]) == 0
    assert fake.queries[0].parameters()["days"] == "7"
    assert "(last 7 days)" in capsys.readouterr().out


def test_the_cli_reports_missing_credentials_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_credentials(*_: object, **__: object) -> None:
        raise DefaultCredentialsError("Your default credentials were not found.")

    # Where google-auth looks depends on the machine (gcloud, metadata server).
    monkeypatch.setattr(google.auth, "default", no_credentials)

    status = main(["--bigquery-table", TABLE, "--reference", str(REFERENCE)])

    err = capsys.readouterr().err
    assert status == 2
    assert "no usable Google credentials" in err
    assert "gcloud auth application-default login" in err
    assert err.count("\n") == 1
