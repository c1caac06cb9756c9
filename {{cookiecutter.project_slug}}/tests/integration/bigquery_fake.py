"""A local HTTP fake of the BigQuery REST API, as far as a query needs it, so the
real `google-cloud-bigquery` client can run offline against it.

It answers what `Client.query_and_wait` sends: `jobs.query`
(`POST /bigquery/v2/projects/{project}/queries`), then, when the first answer says
the job is still running or that more pages follow, `jobs.getQueryResults`
(`GET .../queries/{jobId}`) and `jobs.get` (`GET .../jobs/{jobId}`); plus an OAuth
token endpoint for Google's credential code. It does not run SQL: a query returns
the column the test names (`column`, by default `input`) with the values it put in
`rows`, cut at the `@limit` parameter. Streaming inserts
(`POST .../datasets/{dataset}/tables/{table}/insertAll`) are kept in `inserted`.
"""

import json
import re
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .fake_http import TOKEN_PATH, JsonHandler, LocalFake

ACCESS_TOKEN = "fake-bigquery-token"  # noqa: S105 - a dummy token for a local fake
_PROJECT = r"^/bigquery/v2/projects/(?P<project>[^/]+)"
_QUERY = re.compile(_PROJECT + r"/queries$")
_RESULTS = re.compile(_PROJECT + r"/queries/(?P<job>[^/]+)$")
_JOB = re.compile(_PROJECT + r"/jobs/(?P<job>[^/]+)$")
_INSERT = re.compile(
    _PROJECT + r"/datasets/(?P<dataset>[^/]+)/tables/(?P<table>[^/]+)/insertAll$"
)
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


@dataclass
class RecordedQuery:
    """One `jobs.query` call."""

    project: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def sql(self) -> str:
        """The query text."""
        text: str = self.body["query"]
        return text

    def parameters(self) -> dict[str, str]:
        """Named query parameters, as the client encodes them (values are strings)."""
        return {
            p["name"]: p["parameterValue"]["value"]
            for p in self.body.get("queryParameters", [])
        }

    def parameter_types(self) -> dict[str, str]:
        """Each named parameter's BigQuery type."""
        return {
            p["name"]: p["parameterType"]["type"]
            for p in self.body.get("queryParameters", [])
        }


@dataclass(frozen=True)
class InsertedRow:
    """One row of a `tabledata.insertAll` call."""

    table: str  # project.dataset.table
    insert_id: str | None
    json: dict[str, Any]


@dataclass
class _Job:
    project: str
    job_id: str
    rows: list[str | None]
    polls_left: int


class BigQueryFake(LocalFake):
    """Start with `with BigQueryFake() as fake:`; point the client at `fake.url`."""

    def __init__(self) -> None:
        # The one column every query returns, and its values, newest first.
        self.column = "input"
        self.rows: list[str | None] = []
        # Rows streamed in, in order; the reason given for refusing each row of the
        # next inserts (scripted by `refuse_next_insert`).
        self.inserted: list[InsertedRow] = []
        self._refusals: deque[str] = deque()
        # Rows a response page holds; None: all of them in the first answer.
        self.page_size: int | None = None
        # getQueryResults calls that answer "not done yet" before the rows come.
        self.polls_before_done = 0
        self.queries: list[RecordedQuery] = []
        self.calls: list[str] = []  # "METHOD /path[?query]" of every request, in order
        self.token_requests = 0
        self._errors: deque[tuple[int, str, str]] = deque()
        self._jobs: dict[str, _Job] = {}
        super().__init__()

    def fail_next_query(self, status: int, reason: str, message: str) -> None:
        """Script the next `jobs.query`: an error in BigQuery's format."""
        self._errors.append((status, reason, message))

    def refuse_next_insert(self, reason: str) -> None:
        """Script the next `insertAll`: every row refused, for `reason`."""
        self._refusals.append(reason)

    def _insert(self, table: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        rows = body.get("rows", [])
        if self._refusals:
            reason = self._refusals.popleft()
            errors = [{"reason": reason, "message": f"row refused: {reason}"}]
            return 200, {
                "kind": "bigquery#tableDataInsertAllResponse",
                "insertErrors": [
                    {"index": index, "errors": errors} for index in range(len(rows))
                ],
            }
        self.inserted += [
            InsertedRow(table, row.get("insertId"), row["json"]) for row in rows
        ]
        return 200, {"kind": "bigquery#tableDataInsertAllResponse"}

    def _schema(self) -> dict[str, Any]:
        return {"fields": [{"name": self.column, "type": "STRING", "mode": "NULLABLE"}]}

    def _query(self, query: RecordedQuery) -> tuple[int, dict[str, Any]]:
        self.queries.append(query)
        if self._errors:
            return _error(*self._errors.popleft())
        limit = int(query.parameters().get("limit", len(self.rows)))
        job_id = f"job_{len(self._jobs) + 1}"
        job = _Job(query.project, job_id, self.rows[:limit], self.polls_before_done)
        self._jobs[job_id] = job
        if job.polls_left:
            return 200, {
                "kind": "bigquery#queryResponse",
                "jobReference": _reference(job),
                "jobComplete": False,
            }
        page = query.body.get("maxResults")
        return 200, self._page(job, "bigquery#queryResponse", 0, page)

    def _results(
        self, job_id: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        job = self._jobs.get(job_id)
        if job is None:
            return _error(404, "notFound", f"Not found: Job {job_id}")
        if job.polls_left:
            job.polls_left -= 1
            return 200, {
                "kind": "bigquery#getQueryResultsResponse",
                "jobReference": _reference(job),
                "jobComplete": False,
            }
        start = int(params.get("pageToken") or params.get("startIndex") or 0)
        page = int(params["maxResults"]) if "maxResults" in params else None
        return 200, self._page(job, "bigquery#getQueryResultsResponse", start, page)

    def _job(self, job_id: str) -> tuple[int, dict[str, Any]]:
        job = self._jobs.get(job_id)
        if job is None:
            return _error(404, "notFound", f"Not found: Job {job_id}")
        state = "RUNNING" if job.polls_left else "DONE"
        return 200, {
            "kind": "bigquery#job",
            "id": f"{job.project}:US.{job.job_id}",
            "jobReference": _reference(job),
            "configuration": {"query": {"query": "", "useLegacySql": False}},
            "status": {"state": state},
            "statistics": {"query": {"schema": self._schema()}},
        }

    def _page(
        self, job: _Job, kind: str, start: int, requested: int | None
    ) -> dict[str, Any]:
        sizes = [size for size in (requested, self.page_size) if size is not None]
        end = start + min(sizes) if sizes else len(job.rows)
        body: dict[str, Any] = {
            "kind": kind,
            "schema": self._schema(),
            "jobReference": _reference(job),
            "totalRows": str(len(job.rows)),
            "rows": [{"f": [{"v": value}]} for value in job.rows[start:end]],
            "totalBytesProcessed": "0",
            "jobComplete": True,
            "cacheHit": False,
        }
        if end < len(job.rows):
            body["pageToken"] = str(end)
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            access_token = ACCESS_TOKEN
            json_content_type = "application/json; charset=UTF-8"

            def do_POST(self) -> None:
                raw = self.read_body()
                path = urlsplit(self.path).path
                fake.calls.append(f"POST {path}")
                if path == TOKEN_PATH:
                    fake.token_requests += 1
                    self.send_token()
                elif match := _INSERT.match(path):
                    table = ".".join(match.group("project", "dataset", "table"))
                    self.send_json(*fake._insert(table, json.loads(raw)))
                elif match := _QUERY.match(path):
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    query = RecordedQuery(match["project"], headers, json.loads(raw))
                    self.send_json(*fake._query(query))
                else:
                    self.send_json(*_error(404, "notFound", f"no such method: {path}"))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.calls.append(f"GET {parts.path}?{parts.query}")
                if match := _RESULTS.match(parts.path):
                    self.send_json(*fake._results(match["job"], params))
                elif match := _JOB.match(parts.path):
                    self.send_json(*fake._job(match["job"]))
                else:
                    message = f"no such method: {parts.path}"
                    self.send_json(*_error(404, "notFound", message))

        return Handler


def _reference(job: _Job) -> dict[str, str]:
    return {"projectId": job.project, "jobId": job.job_id, "location": "US"}


def _error(status: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": _STATUS.get(status, "UNKNOWN"),
        }
    }
