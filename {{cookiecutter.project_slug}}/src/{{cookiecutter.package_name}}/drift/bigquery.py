"""Production inputs from BigQuery, where the log sink routes the per-run lines.

The sink makes one table per log (`run_googleapis_com_stdout` for Cloud Run's
stdout), partitioned by day, with the JSON line under `jsonPayload`. The query is
parameterised; only the table name is spliced in, after strict validation.
"""

import re
from typing import Any

from .sources import InputError, Inputs

# project (optionally domain-scoped, "example.com:project") . dataset . table
_TABLE = re.compile(
    r"^(?P<project>(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9])"
    r"\.(?P<dataset>[A-Za-z0-9_]{1,1024})\.(?P<table>[A-Za-z0-9_-]{1,1024})$"
)

QUERY = """
SELECT jsonPayload.run.input AS input
FROM `{table}`
WHERE timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @days DAY)
  AND jsonPayload.message = 'run finished'
  AND jsonPayload.run.input IS NOT NULL
ORDER BY timestamp DESC
LIMIT @limit
"""


def parse_table(name: str) -> tuple[str, str]:
    """The billing project and the checked `project.dataset.table` name."""
    match = _TABLE.match(name.strip())
    if not match:
        raise InputError(
            f"--bigquery-table {name!r}: expected PROJECT.DATASET.TABLE, e.g. "
            "my-project.my_agent_telemetry.run_googleapis_com_stdout"
        )
    return match["project"], match.group(0)


def read_bigquery(
    table: str,
    *,
    days: int,
    limit: int,
    client: Any = None,
    endpoint: str | None = None,
) -> Inputs:
    """The newest `limit` user inputs of the last `days` days.

    `client` is a `google.cloud.bigquery.Client`; by default one with
    application-default credentials, billed to the table's project (and aimed at
    `endpoint`, if given).
    """
    project, table = parse_table(table)
    try:
        # Imported here: an operator tool's dependency (the `drift` group), which
        # the served app never loads.
        from google.api_core.exceptions import GoogleAPICallError
        from google.auth.exceptions import GoogleAuthError
        from google.cloud import bigquery
    except ImportError:
        raise InputError(
            "--bigquery-table needs google-cloud-bigquery, in the `drift` dependency "
            "group: uv run --group drift python -m ..."
        ) from None
    job_config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("days", "INT64", days),
            bigquery.ScalarQueryParameter("limit", "INT64", limit),
        ]
    )
    try:
        if client is None:
            options = {"api_endpoint": endpoint} if endpoint else None
            client = bigquery.Client(project=project, client_options=options)
        rows = client.query_and_wait(QUERY.format(table=table), job_config=job_config)
        values = [row["input"] for row in rows]
    except GoogleAPICallError as error:
        raise InputError(_api_error(error)) from None
    except GoogleAuthError as error:
        raise InputError(
            f"BigQuery: no usable Google credentials ({_one_line(str(error))}); run "
            "`gcloud auth application-default login`"
        ) from None
    inputs = Inputs([], f"bigquery:{table} (last {days} days)")
    for value in values:
        if isinstance(value, str) and value.strip():
            inputs.texts.append(value)
        else:
            inputs.skipped["empty input"] += 1
    if not inputs.texts:
        raise InputError(
            f"{table}: no `run finished` lines with an input in the last {days} "
            "days (production logs the user's message only with LOG_USER_INPUTS=true)"
        )
    return inputs


def _api_error(error: Any) -> str:
    # The reason BigQuery gave, without the request URL the client puts first.
    reasons = [e.get("message") for e in error.errors or [] if isinstance(e, dict)]
    reason = next((r for r in reasons if r), None) or error.message
    message = f"BigQuery answered {error.code}: {_one_line(reason)}"
    if error.code == 404:
        return (
            f"{message} (check the name; the log sink creates the table when it "
            "routes its first line)"
        )
    if error.code == 400 and "input" in reason:
        return (
            f"{message} (no `run.input` column yet: production logs the user's "
            "message only with LOG_USER_INPUTS=true)"
        )
    return message


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
