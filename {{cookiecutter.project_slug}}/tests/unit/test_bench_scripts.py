"""The benchmark scripts' arithmetic, table and floors, without timing anything
(`make bench` does the timing)."""

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _import(name: str) -> Iterator[ModuleType]:
    # scripts/ is not a package: its modules import each other by plain name.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SCRIPTS))
        yield importlib.import_module(name)


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    yield from _import("benchmarking")


@pytest.fixture(scope="module")
def floors() -> Iterator[ModuleType]:
    yield from _import("floor_app")


@pytest.fixture(scope="module")
def size() -> Iterator[ModuleType]:
    yield from _import("bench_size")


def test_percentiles_interpolate_between_ranks(bench: ModuleType) -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 99) == pytest.approx(99.01)
    assert bench.percentile(values, 0) == 1
    assert bench.percentile(values, 100) == 100
    assert bench.percentile([3.0], 99) == 3
    assert bench.median([5.0, 1.0, 3.0]) == 3


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_nonsense(
    bench: ModuleType, values: list[float], q: float
) -> None:
    with pytest.raises(ValueError, match=r"percentile|no values"):
        bench.percentile(values, q)


def test_ratio_needs_a_positive_floor(bench: ModuleType) -> None:
    assert bench.ratio(3.0, 2.0) == 1.5
    with pytest.raises(ValueError, match="positive"):
        bench.ratio(1.0, 0.0)


def test_targets_on_ratios_and_absolute_figures(bench: ModuleType) -> None:
    at_most = bench.Target(1.3)
    at_least = bench.Target(0.7, at_most=False)
    memory = bench.Target(120, absolute=True)
    assert at_most.met(1.3)
    assert not at_most.met(1.31)
    assert at_least.met(0.7)
    assert not at_least.met(0.69)
    assert at_most.describe("ms") == "<= 1.30x"
    assert at_least.describe("req/s") == ">= 0.70x"
    assert memory.describe("MB") == "<= 120 MB"


def test_rows_judge_ratio_or_absolute_figure(bench: ModuleType) -> None:
    fast = bench.Row("start", "ms", 120.0, 100.0, bench.Target(1.3))
    slow = bench.Row("start", "ms", 140.0, 100.0, bench.Target(1.3))
    small = bench.Row("rss", "MB", 110.0, 60.0, bench.Target(120, absolute=True))
    info = bench.Row("size", "MB", 200.0, 100.0)
    assert fast.ratio == pytest.approx(1.2)
    assert (fast.verdict, slow.verdict, small.verdict) == ("PASS", "FAIL", "PASS")
    assert slow.failed
    assert not fast.failed
    assert info.verdict == "info"
    assert not info.failed
    # Judged as printed: 1.304 shows as 1.30 and passes, 1.306 shows as 1.31.
    assert bench.Row("x", "ms", 1.304, 1.0, bench.Target(1.3)).verdict == "PASS"
    assert bench.Row("x", "ms", 1.306, 1.0, bench.Target(1.3)).verdict == "FAIL"


def test_table_aligns_columns_under_the_header(bench: ModuleType) -> None:
    rows = [
        bench.Row("cold start to first reply", "ms", 1234.5, 1000.0, bench.Target(1.3)),
        bench.Row(
            "throughput", "req/s", 61.25, 100.0, bench.Target(0.7, at_most=False)
        ),
        bench.Row("idle RSS", "MB", 99.5, None, bench.Target(120, absolute=True)),
    ]
    lines = bench.format_table(rows).splitlines()
    assert lines[0].split() == ["measure", "app", "floor", "ratio", "target", "result"]
    assert set(lines[1]) == {"-"}
    assert "1234 ms" in lines[2]
    assert "1.23x" in lines[2]
    assert lines[2].endswith("PASS")
    assert "61.2 req/s" in lines[3]
    assert lines[3].endswith("FAIL")
    assert "<= 120 MB" in lines[4]
    # The target column starts at the same place on every line.
    targets = zip(lines[2:], ["<=", ">=", "<="], strict=True)
    assert len({line.index(target) for line, target in targets}) == 1


def test_report_fails_when_a_target_is_missed(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    passing = bench.Section(
        rows=[bench.Row("a", "ms", 1.0, 1.0, bench.Target(1.3))], notes=["how"]
    )
    info = bench.Section(rows=[bench.Row("b", "ms", 9.0, 1.0)])
    missed = bench.Section(rows=[bench.Row("c", "ms", 9.0, 1.0, bench.Target(1.3))])
    assert bench.report([passing, info]) == 0
    assert "- how" in capsys.readouterr().out
    assert bench.report([passing, missed]) == 1
    assert "FAILED targets: c" in capsys.readouterr().out


def test_memory_and_cpu_time_are_read_from_proc_files(bench: ModuleType) -> None:
    status = "Name:\tpython\nVmHWM:\t  150000 kB\nVmRSS:\t  100000 kB\n"
    memory = bench.parse_memory(status)
    assert memory.rss == pytest.approx(102.4)
    assert memory.peak == pytest.approx(153.6)
    # The command name may hold spaces and parentheses.
    stat = "42 (python (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 99"
    assert bench.parse_cpu_seconds(stat, 100) == pytest.approx(3.0)


def test_servers_run_offline_on_sqlite(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    monkeypatch.setenv("MODEL_PROVIDER", "vertex")
    environment = bench.app_environment(tmp_path)
    assert "DATABASE_URL" not in environment
    assert environment["MODEL_PROVIDER"] == "local"
    assert environment["DATA_DIR"] == str(tmp_path)


def test_tree_bytes_counts_each_file_once(size: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    os.link(tmp_path / "a", tmp_path / "sub" / "hard")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert size.tree_bytes(tmp_path) == 1024


def test_trivial_floor_answers(floors: ModuleType) -> None:
    with TestClient(floors.create_trivial_app()) as client:
        assert client.get("/healthz").status_code == 200
        reply = client.post("/invoke", json={"message": "hi"})
    assert reply.json() == {"reply": "You said: hi"}


def test_agent_floor_runs_the_project_graph(
    floors: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    with TestClient(floors.create_agent_app()) as client:
        # Whatever the agent's tools, the local model answers a greeting.
        reply = client.post("/invoke", json={"message": "Hello there!"})
        assert reply.status_code == 200
        assert reply.json()["reply"].strip()
        with client.stream("POST", "/stream", json={"message": "Hello again"}) as sse:
            lines = list(sse.iter_lines())
    events = [line for line in lines if line.startswith("event: ")]
    assert events[0] == "event: token"
    assert events[-1] == "event: end"
