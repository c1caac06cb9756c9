"""Benchmark: what the server costs per request, under concurrent load.

The server and the floor (the same compiled agent graph: build_graph, the local
model and a SQLite checkpointer, behind one bare FastAPI route; see
floor_app.py) run as uvicorn processes side by side. An httpx.AsyncClient
keeps `--concurrency` /invoke requests in flight until `--requests` have been
answered, in rounds that alternate between the two; each request starts a new
thread. Throughput is the median of the rounds; latency percentiles are over every
request. The peak RSS of each process (VmHWM) is read after the last round.

With `--database-url`, both keep their conversations in that PostgreSQL instead
(the server its checkpoints, thread registry and locks; the floor its checkpoints,
through a pool of the same size).
"""

import asyncio
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarking import (
    AGENT_FLOOR,
    MEMORY_UNAVAILABLE,
    QUESTION,
    Project,
    Row,
    Section,
    Server,
    Target,
    median,
    parser_with_project,
    percentile,
    prepared_project,
    progress,
    run_alone,
    serving,
)

MIN_THROUGHPUT_RATIO = 0.7


@dataclass
class Load:
    """Latencies (seconds) of every request, each round's requests/s, and the
    server's CPU seconds per request in each round."""

    latencies: list[float] = field(default_factory=list)
    throughputs: list[float] = field(default_factory=list)
    cpu_per_request: list[float] = field(default_factory=list)


async def run_round(url: str, requests: int, concurrency: int, load: Load) -> None:
    """Send `requests` /invoke calls, `concurrency` at a time."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        remaining = iter(range(requests))

        async def worker() -> None:
            for _ in remaining:  # shared: each request is taken by one worker
                sent = time.perf_counter()
                reply = await client.post("/invoke", json={"message": QUESTION})
                load.latencies.append(time.perf_counter() - sent)
                if reply.status_code != 200:
                    raise RuntimeError(f"{url}/invoke answered {reply.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        load.throughputs.append(requests / (time.perf_counter() - started))


def load_both(
    servers: dict[str, Server], requests: int, concurrency: int, rounds: int
) -> dict[str, Load]:
    """Warm each server up, then alternate timed rounds between them."""
    loads = {name: Load() for name in servers}
    for server in servers.values():
        asyncio.run(run_round(server.url, 2 * concurrency, concurrency, Load()))
    for index in range(rounds):
        progress(f"serving: round {index + 1}/{rounds}")
        for name, server in servers.items():
            cpu_before = server.cpu_seconds()
            asyncio.run(run_round(server.url, requests, concurrency, loads[name]))
            cpu_after = server.cpu_seconds()
            if cpu_before is not None and cpu_after is not None:
                cpu = (cpu_after - cpu_before) / requests
                loads[name].cpu_per_request.append(cpu)
    return loads


def measure(
    project: Project,
    requests: int = 400,
    concurrency: int = 16,
    rounds: int = 3,
    python: str = sys.executable,
    database_url: str | None = None,
) -> Section:
    """Serve the server and the floor side by side and load both."""
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                serving(
                    app,
                    project,
                    Path(scratch) / name,
                    python=python,
                    database_url=database_url,
                )
            )
            for name, app in (("app", project.app), ("floor", AGENT_FLOOR))
        }
        loads = load_both(servers, requests, concurrency, rounds)
        memory = {name: server.memory() for name, server in servers.items()}
    app_load, floor_load = loads["app"], loads["floor"]
    app_memory, floor_memory = memory["app"], memory["floor"]
    on = "PostgreSQL" if database_url else "SQLite"
    load = f"/invoke at concurrency {concurrency}, {on}"
    section = Section(
        rows=[
            Row(
                f"throughput, {load}",
                "req/s",
                median(app_load.throughputs),
                median(floor_load.throughputs),
                Target(MIN_THROUGHPUT_RATIO, at_most=False),
            ),
            *(
                Row(
                    f"p{q} latency, {load}",
                    "ms",
                    percentile(app_load.latencies, q) * 1000,
                    percentile(floor_load.latencies, q) * 1000,
                )
                for q in (50, 99)
            ),
        ],
        notes=[
            f"serving: {requests} requests per server in each of {rounds} round(s), "
            "alternating, after a warm-up; a new thread per request; floor: the "
            "same agent graph behind a bare FastAPI route"
        ],
    )
    if not (app_memory and floor_memory and app_load.cpu_per_request):
        section.notes.append(MEMORY_UNAVAILABLE)
        return section
    section.rows += [
        Row(
            f"server CPU time per /invoke, {on}",
            "ms",
            median(app_load.cpu_per_request) * 1000,
            median(floor_load.cpu_per_request) * 1000,
        ),
        Row(
            "peak RSS, during the load above", "MB", app_memory.peak, floor_memory.peak
        ),
    ]
    return section


def main() -> int:
    parser = parser_with_project(__doc__)
    parser.add_argument("--requests", type=int, default=400, help="per round (400)")
    parser.add_argument("--concurrency", type=int, default=16, help="in flight (16)")
    parser.add_argument("--rounds", type=int, default=3, help="per server (3)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL both keep conversations in (default: SQLite files)",
    )
    args = parser.parse_args()
    project = prepared_project(args)
    section = measure(
        project,
        args.requests,
        args.concurrency,
        args.rounds,
        database_url=args.database_url,
    )
    return run_alone(section)


if __name__ == "__main__":
    sys.exit(main())
