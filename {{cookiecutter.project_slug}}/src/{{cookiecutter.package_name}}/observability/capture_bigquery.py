"""CAPTURE_RUNS=bigquery: records streamed into a BigQuery table
(`tabledata.insertAll`, through Google's client).

The table (deployment/terraform, modules/environment/capture.tf) has the columns a
query filters on, `captured_at`, `kind`, `run_id` and `thread_id`, and the whole
record as JSON in `record`; it is partitioned by day, and each partition expires
after the retention period. Each row carries an insert id, so a batch sent twice
(a retry) is stored once.
"""

import json
from collections.abc import Sequence
from typing import Any

from .capture import Record

# How long a batch is retried (a 5xx, a connection refused) before it is given up.
RETRY_SECONDS = 30.0


class CaptureWriteError(RuntimeError):
    """BigQuery refused some rows; the message says why, without their content."""


class BigQuerySink:
    """Writes to `table` (project.dataset.table) as the app's identity."""

    def __init__(
        self,
        table: str,
        *,
        endpoint: str | None = None,
        client: Any = None,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.table = table
        self.description = f"bigquery:{table}"
        self._endpoint = endpoint
        self._client = client
        self._retry_seconds = retry_seconds

    def write(self, records: Sequence[Record]) -> None:
        # Imported on the first write: the server starts without Google's client
        # libraries loaded, and most projects never capture.
        from google.cloud import bigquery

        if self._client is None:
            self._client = bigquery_client(self.table, self._endpoint)
        rows = [_row(record) for record in records]
        errors = self._client.insert_rows_json(
            self.table,
            rows,
            row_ids=[_insert_id(record) for record in records],
            # The client's default retries for ten minutes; a batch that cannot
            # be stored sooner is counted lost (the runs themselves are safe).
            retry=bigquery.DEFAULT_RETRY.with_deadline(self._retry_seconds),
            timeout=self._retry_seconds,
        )
        if errors:
            reasons = sorted(
                {
                    str(error.get("reason") or error.get("message"))
                    for row in errors
                    for error in row.get("errors", [])
                }
            )
            raise CaptureWriteError(
                f"BigQuery refused {len(errors)} of {len(rows)} rows: "
                + ", ".join(reasons)
            )


def table_project(table: str) -> str:
    """The project of `project.dataset.table` (or `domain.com:project...`)."""
    return table.rsplit(".", 2)[0]


def bigquery_client(table: str, endpoint: str | None) -> Any:
    """Google's client with application-default credentials, billed to the table's
    project and aimed at `endpoint`, if given."""
    from google.cloud import bigquery

    options = {"api_endpoint": endpoint} if endpoint else None
    return bigquery.Client(project=table_project(table), client_options=options)


def _row(record: Record) -> dict[str, Any]:
    return {
        "captured_at": record["captured_at"],
        "kind": record["kind"],
        "run_id": record.get("run_id"),
        "thread_id": record.get("thread_id"),
        # A JSON column takes its value as JSON text in a streaming insert.
        "record": json.dumps(record, ensure_ascii=False),
    }


def _insert_id(record: Record) -> str:
    if record["kind"] == "feedback":
        return f"feedback:{record['feedback_id']}"
    return f"run:{record['run_id']}"
