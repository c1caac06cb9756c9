"""Production runs as CAPTURE_RUNS kept them (observability/capture.py): read from
the local JSONL file or from the BigQuery table, with the feedback on each run;
and the production scores, written back to BigQuery."""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..observability.capture_bigquery import bigquery_client, table_project

Record = dict[str, Any]

QUERY = """
SELECT TO_JSON_STRING(record) AS record
FROM `{table}`
WHERE captured_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @days DAY)
ORDER BY captured_at DESC
LIMIT @limit
"""
# Run statuses worth scoring: a run paused for a human or cancelled gave no answer.
SCORED_STATUSES = frozenset({"completed", "failed"})


class CapturedRunsError(ValueError):
    """The captured runs cannot be read, or there are none; the message says why."""


@dataclass
class CapturedRuns:
    """The runs read (oldest first) and the feedback on them, by run id."""

    source: str
    runs: list[Record] = field(default_factory=list)
    feedback: dict[str, list[Record]] = field(default_factory=dict)
    skipped: int = 0  # lines that were not records, runs with no answer to score
    # The Google Cloud project the runs come from (their traces are there).
    project: str | None = None


def from_records(records: Iterable[Any], source: str) -> CapturedRuns:
    """Sort records into runs and feedback; anything else is counted, not read."""
    captured = CapturedRuns(source)
    feedback: defaultdict[str, list[Record]] = defaultdict(list)
    for record in records:
        kind = record.get("kind") if isinstance(record, dict) else None
        if kind == "run" and record.get("status") in SCORED_STATUSES:
            captured.runs.append(record)
        elif kind == "feedback" and isinstance(record.get("run_id"), str):
            feedback[record["run_id"]].append(record)
        else:
            captured.skipped += 1
    captured.runs.sort(key=lambda run: str(run.get("captured_at", "")))
    captured.feedback = dict(feedback)
    if not captured.runs:
        raise CapturedRunsError(
            f"{source}: no captured runs to score (CAPTURE_RUNS is off by default: "
            "production keeps runs only with CAPTURE_RUNS=local or bigquery)"
        )
    return captured


def read_file(path: Path) -> CapturedRuns:
    """Every record of a capture file (DATA_DIR/captured_runs.jsonl)."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        raise CapturedRunsError(
            f"{path}: no such file (a server with CAPTURE_RUNS=local writes it)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CapturedRunsError(f"{path}: cannot be read ({error})") from None
    records: list[Any] = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            records.append(None)  # counted as skipped
    return from_records(records, str(path))


def read_bigquery(
    table: str, *, days: int, limit: int, endpoint: str | None, client: Any = None
) -> CapturedRuns:
    """The newest `limit` records of the last `days` days, by a parameterised
    query (only the table's name is spliced in, after the settings' check)."""
    from google.api_core.exceptions import GoogleAPICallError
    from google.auth.exceptions import GoogleAuthError
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("days", "INT64", days),
            bigquery.ScalarQueryParameter("limit", "INT64", limit),
        ]
    )
    try:
        client = client or bigquery_client(table, endpoint)
        rows = client.query_and_wait(QUERY.format(table=table), job_config=config)
        texts = [row["record"] for row in rows]
    except GoogleAPICallError as error:
        raise CapturedRunsError(
            f"BigQuery answered {error.code}: {error.message}"
        ) from None
    except GoogleAuthError as error:
        raise CapturedRunsError(
            f"BigQuery: no usable Google credentials ({error}); run "
            "`gcloud auth application-default login`"
        ) from None
    records = [json.loads(text) if isinstance(text, str) else None for text in texts]
    captured = from_records(records, f"bigquery:{table} (last {days} days)")
    captured.project = table_project(table)
    return captured


def write_scores(
    table: str, rows: list[Record], *, endpoint: str | None, client: Any = None
) -> None:
    """Append the scores of one evaluation to the scores table."""
    from google.api_core.exceptions import GoogleAPICallError

    try:
        client = client or bigquery_client(table, endpoint)
        errors = client.insert_rows_json(table, rows)
    except GoogleAPICallError as error:
        raise CapturedRunsError(
            f"BigQuery answered {error.code} to the scores: {error.message}"
        ) from None
    if errors:
        raise CapturedRunsError(f"BigQuery refused the scores: {errors[0]}")
