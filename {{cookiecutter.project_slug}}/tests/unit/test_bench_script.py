"""`make bench` (scripts/bench.py): its arithmetic and table, and one short round
of each side to show both answer; nothing here is timed against anything."""

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    # scripts/ is not a package.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(PROJECT / "scripts"))
        yield importlib.import_module("bench")


def test_a_round_gives_throughput_and_cpu_per_turn(bench: ModuleType) -> None:
    one = bench.Round(turns=100, seconds=2.0, cpu_seconds=1.5)
    assert one.throughput == pytest.approx(50.0)
    assert one.cpu_per_turn == pytest.approx(0.015)


def test_the_table_sets_medians_of_the_app_against_the_floor(
    bench: ModuleType,
) -> None:
    app = [bench.Round(100, seconds, 1.2) for seconds in (2.0, 2.5, 4.0)]
    floor = [bench.Round(100, seconds, 0.8) for seconds in (1.0, 1.25, 1.0)]
    # Medians: 40 against 100 turns/s, 12 against 8 ms of CPU a turn; the names
    # left-aligned, the figures right-aligned.
    assert bench.format_table(app, floor).splitlines() == [
        "measure                app          floor  ratio",
        "throughput    40.0 turns/s  100.0 turns/s  0.40x",
        "CPU per turn       12.0 ms         8.0 ms  1.50x",
    ]


async def test_app_and_floor_each_answer_a_short_round(
    bench: ModuleType, tmp_path: Path
) -> None:
    results = await bench.measure(tmp_path, turns=2, rounds=1, concurrency=2)
    assert [one.turns for one in results["app"]] == [2]
    assert [one.turns for one in results["floor"]] == [2]
