"""Benchmark: the time to first token that the server adds to /stream.

A user watching the reply stream in feels this delay most. The server's /stream and
the floor's (the same compiled agent graph streamed by a bare FastAPI route, as
Server-Sent Events; see floor_app.py) answer the same question, one request
at a time, alternating. Each stream is timed from sending the request to its first
`token` event and read to the end; the figures are medians.
"""

import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarking import (
    AGENT_FLOOR,
    QUESTION,
    Project,
    Row,
    Section,
    median,
    parser_with_project,
    prepared_project,
    progress,
    run_alone,
    serving,
)


def time_to_first_token(client: httpx.Client) -> float:
    """Seconds from sending a /stream request to its first `token` event."""
    sent = time.perf_counter()
    first: float | None = None
    with client.stream("POST", "/stream", json={"message": QUESTION}) as response:
        if response.status_code != 200:
            raise RuntimeError(f"{response.url} answered {response.status_code}")
        for line in response.iter_lines():
            if first is None and line.strip() == "event: token":
                first = time.perf_counter() - sent
    if first is None:
        raise RuntimeError(f"{response.url} sent no token event")
    return first


def measure(
    project: Project, streams: int = 40, python: str = sys.executable
) -> Section:
    """Alternate streams between the server and the floor, after a warm-up."""
    times: dict[str, list[float]] = {"app": [], "floor": []}
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving(project.app, project, Path(scratch) / "app", python=python) as app,
        serving(AGENT_FLOOR, project, Path(scratch) / "floor", python=python) as floor,
        httpx.Client(base_url=app.url, timeout=60) as app_client,
        httpx.Client(base_url=floor.url, timeout=60) as floor_client,
    ):
        clients = {"app": app_client, "floor": floor_client}
        progress(f"streaming: {streams} streams each")
        for index in range(streams + 3):
            for name, client in clients.items():
                seconds = time_to_first_token(client)
                if index >= 3:  # the first three warm up
                    times[name].append(seconds)
    app_ms, floor_ms = median(times["app"]) * 1000, median(times["floor"]) * 1000
    added = f"time to first token, /stream ({app_ms - floor_ms:+.1f} ms)"
    return Section(
        rows=[Row(added, "ms", app_ms, floor_ms)],
        notes=[
            f"streaming: medians of {streams} streams each, one at a time, "
            "request sent to first token event; floor: the same agent graph "
            "streamed by a bare FastAPI route"
        ],
    )


def main() -> int:
    parser = parser_with_project(__doc__)
    parser.add_argument("--streams", type=int, default=40, help="of each (40)")
    args = parser.parse_args()
    project = prepared_project(args)
    return run_alone(measure(project, args.streams))


if __name__ == "__main__":
    sys.exit(main())
