"""Benchmark: the time to first token that the server adds to /stream.

A user watching the reply stream in feels this delay most. The server's /stream and
the floor's (the same compiled agent graph streamed by a bare FastAPI route, as
Server-Sent Events; see scripts/floor_app.py) answer the same question, one request
at a time, alternating. Each stream is timed from sending the request to its first
`token` event and read to the end; the figures are medians.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
from benchmarking import (
    AGENT_FLOOR,
    APP,
    QUESTION,
    Row,
    Section,
    compile_bytecode,
    median,
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


def measure(streams: int = 40, python: str = sys.executable) -> Section:
    """Alternate streams between the server and the floor, after a warm-up."""
    times: dict[str, list[float]] = {APP: [], AGENT_FLOOR: []}
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving(APP, Path(scratch) / "app", python=python) as app,
        serving(AGENT_FLOOR, Path(scratch) / "floor", python=python) as floor,
        httpx.Client(base_url=app.url, timeout=60) as app_client,
        httpx.Client(base_url=floor.url, timeout=60) as floor_client,
    ):
        clients = {APP: app_client, AGENT_FLOOR: floor_client}
        progress(f"streaming: {streams} streams each")
        for index in range(streams + 3):
            for name, client in clients.items():
                seconds = time_to_first_token(client)
                if index >= 3:  # the first three warm up
                    times[name].append(seconds)
    app_ms, floor_ms = median(times[APP]) * 1000, median(times[AGENT_FLOOR]) * 1000
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=40, help="of each (40)")
    args = parser.parse_args()
    compile_bytecode()
    return run_alone(measure(args.streams))


if __name__ == "__main__":
    sys.exit(main())
