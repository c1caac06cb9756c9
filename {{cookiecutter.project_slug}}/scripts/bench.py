"""`make bench`: what the server costs per turn, against a bare route, in seconds.

Turns (one `/invoke` on a new thread: the guardrail, a tool call, the answer) go
through the app and through a floor, in this process over httpx's ASGI transport
(no sockets, no uvicorn), `--concurrency` at a time. The floor runs the same
compiled graph, from the same wiring (`open_runner`), behind one bare FastAPI
route: the difference is the server's own work per turn (runner, thread registry,
metering, telemetry, logs, middleware). Rounds alternate between the two after a
warm-up; the figures are medians of the rounds. Offline: the local model without
token delay, SQLite in a temporary directory, no `.env`.

A smoke benchmark: a ratio to watch as you change the server, not a verdict. The
template repository's `make bench` runs the full suite (cold start, concurrency
over HTTP, streaming, memory, image size) with targets; docs/performance.md says
more.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.runtime.runs import AgentRunner
from {{ cookiecutter.package_name }}.runtime.wiring import open_runner
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

# One tool call, then the answer: the agent's whole loop runs.
QUESTION = "What is the weather in Paris?"


class Question(BaseModel):
    message: str


def create_floor_app(settings: Settings) -> FastAPI:
    """One bare `/invoke` route over the graph the server runs, nothing else."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runner(settings) as runner:
            app.state.runner = runner
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/invoke")
    async def invoke(body: Question, request: Request) -> dict[str, str]:
        runner: AgentRunner = request.app.state.runner
        config: RunnableConfig = {"configurable": {"thread_id": str(uuid.uuid4())}}
        result = await runner.graph.ainvoke(
            {"messages": [HumanMessage(body.message)]}, config, context=runner.context
        )
        return {"reply": result["messages"][-1].text}

    return app


def offline_settings(data_dir: Path) -> Settings:
    """The defaults, offline, with conversations under `data_dir`; no `.env`."""
    return Settings(
        _env_file=None,
        model="local",
        local_model_token_delay_ms=0,
        database_url=None,
        data_dir=data_dir,
    )


@dataclass(frozen=True)
class Round:
    """One round: turns answered, wall-clock seconds, CPU seconds of the process."""

    turns: int
    seconds: float
    cpu_seconds: float

    @property
    def throughput(self) -> float:
        """Turns a second."""
        return self.turns / self.seconds

    @property
    def cpu_per_turn(self) -> float:
        """CPU seconds a turn: the app's or floor's, and the client's (both pay it)."""
        return self.cpu_seconds / self.turns


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app`, in process, with the app's lifespan run around it."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        yield client


async def run_round(client: httpx.AsyncClient, turns: int, concurrency: int) -> Round:
    """`turns` /invoke calls, `concurrency` at a time; refuse any that fails."""
    remaining = iter(range(turns))

    async def worker() -> None:
        for _ in remaining:  # shared: each turn is taken by one worker
            reply = await client.post("/invoke", json={"message": QUESTION})
            if reply.status_code != 200 or not reply.json().get("reply"):
                raise RuntimeError(f"/invoke: {reply.status_code} {reply.text}")

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Round(turns, time.perf_counter() - wall, time.process_time() - cpu)


async def measure(
    data_dir: Path, turns: int, rounds: int, concurrency: int
) -> dict[str, list[Round]]:
    """Rounds of the app and the floor, alternating, after a warm-up of each."""
    results: dict[str, list[Round]] = {"app": [], "floor": []}
    async with (
        started(create_app(offline_settings(data_dir / "app"))) as app,
        started(create_floor_app(offline_settings(data_dir / "floor"))) as floor,
    ):
        clients = {"app": app, "floor": floor}
        for client in clients.values():
            await run_round(client, 2 * concurrency, concurrency)
        for index in range(rounds):
            print(f"round {index + 1}/{rounds}", file=sys.stderr, flush=True)
            for name, client in clients.items():
                results[name].append(await run_round(client, turns, concurrency))
    return results


# The table's rows: a name, a unit, and that figure of one round.
MEASURES: tuple[tuple[str, str, Callable[[Round], float]], ...] = (
    ("throughput", "turns/s", lambda one: one.throughput),
    ("CPU per turn", "ms", lambda one: one.cpu_per_turn * 1000),
)


def format_table(app: Sequence[Round], floor: Sequence[Round]) -> str:
    """Medians of the rounds, the app's against the floor's, with their ratio."""
    rows = [("measure", "app", "floor", "ratio")]
    for measure, unit, figure in MEASURES:
        app_median = statistics.median(figure(one) for one in app)
        floor_median = statistics.median(figure(one) for one in floor)
        ratio = f"{app_median / floor_median:.2f}x"
        rows.append(
            (measure, f"{app_median:.1f} {unit}", f"{floor_median:.1f} {unit}", ratio)
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=100, help="a round (100)")
    parser.add_argument("--rounds", type=int, default=3, help="of each (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="in flight (8)")
    args = parser.parse_args()
    # The app logs a JSON line a turn to stdout: still written, not shown.
    with (
        tempfile.TemporaryDirectory() as scratch,
        open(os.devnull, "w") as sink,
        redirect_stdout(sink),
    ):
        results = asyncio.run(
            measure(Path(scratch), args.turns, args.rounds, args.concurrency)
        )
    print(
        f"{args.turns} turns a round, {args.rounds} rounds each, {args.concurrency} "
        "at a time, in process (local model, SQLite)\n"
    )
    print(format_table(results["app"], results["floor"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
