"""The benchmark suite (bench/): its arithmetic, table and project lookup without
timing anything (`make bench` does the timing); slow, its floors and servers run
on a baked project's environment."""

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from helpers import (
    TEMPLATE_ROOT,
    bake_or_fail,
    describe_failure,
    isolated_environment,
    run,
)

BENCH = TEMPLATE_ROOT / "bench"


def _import(name: str) -> Iterator[ModuleType]:
    # bench/ is not a package: its modules import each other by plain name.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        yield importlib.import_module(name)


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    yield from _import("benchmarking")


@pytest.fixture(scope="module")
def size() -> Iterator[ModuleType]:
    yield from _import("bench_size")


@pytest.fixture(scope="module")
def imports() -> Iterator[ModuleType]:
    yield from _import("bench_import")


@pytest.fixture(scope="module")
def generated() -> Iterator[ModuleType]:
    yield from _import("bench_generated")


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
    monkeypatch.setenv("MODEL", "vertex:gemini-3.5-flash")
    environment = bench.app_environment(tmp_path, "desk_agent")
    assert "DATABASE_URL" not in environment
    assert environment["MODEL"] == "local"
    assert environment["DATA_DIR"] == str(tmp_path)
    # The agent floor imports the package this names.
    assert environment[bench.PACKAGE_VARIABLE] == "desk_agent"


def test_floors_and_suite_agree_on_the_package_variable(bench: ModuleType) -> None:
    # floor_app.py imports FastAPI, which the template's environment lacks: read it.
    floors = (BENCH / "floor_app.py").read_text()
    assert f'PACKAGE_VARIABLE = "{bench.PACKAGE_VARIABLE}"' in floors


@pytest.mark.parametrize(
    ("inputs", "package"),
    [({}, "my_agent"), ({"project_name": "Support Desk"}, "support_desk")],
)
def test_the_package_is_read_from_the_rendered_project(
    bench: ModuleType, cookies_session: Any, inputs: dict[str, str], package: str
) -> None:
    root = Path(bake_or_fail(cookies_session, inputs).project_path)
    project = bench.Project.at(root)
    assert project == bench.Project(root, package)
    assert project.app == f"{package}.server.app:create_app"
    assert (root / "src" / package / "server" / "app.py").exists()


def test_a_directory_without_a_project_is_refused(
    bench: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="rendered from the template"):
        bench.Project.at(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    with pytest.raises(ValueError, match="no single package"):
        bench.Project.at(tmp_path)


def test_tree_bytes_counts_each_file_once(size: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    os.link(tmp_path / "a", tmp_path / "sub" / "hard")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert size.tree_bytes(tmp_path) == 1024


def test_make_bench_passes_template_options_and_suite_flags(
    generated: ModuleType,
) -> None:
    assert generated.parse_options(["agent=rag", "package_name=desk"]) == {
        "agent": "rag",
        "package_name": "desk",
    }
    with pytest.raises(SystemExit, match="name=value"):
        generated.parse_options(["rag"])
    command = generated.suite_command("uv", quick=True, skip=["size", "serving"])
    assert command[:3] == ["uv", "run", "python"]
    assert Path(command[3]) == BENCH / "bench.py"
    assert command[4:] == ["--quick", "--skip", "size", "--skip", "serving"]


@pytest.mark.slow
def test_floors_and_server_answer_from_a_baked_project(
    bench: ModuleType, imports: ModuleType, cookies: Any, tmp_path: Path
) -> None:
    """The suite's servers, as `make bench` starts them, on the project's Python:
    both floors and the app answer, and the import benchmark runs."""
    root = Path(bake_or_fail(cookies, {"package_name": "desk_agent"}).project_path)
    home = tmp_path / "home"
    home.mkdir()
    sync = run(["uv", "sync"], cwd=root, env=isolated_environment(home), timeout=900)
    assert sync.returncode == 0, describe_failure(sync)
    project, python = bench.Project.at(root), str(root / ".venv" / "bin" / "python")
    apps = [project.app, bench.TRIVIAL_FLOOR, bench.AGENT_FLOOR]
    for index, app in enumerate(apps):
        data_dir = tmp_path / f"data-{index}"
        with bench.serving(app, project, data_dir, python=python) as server:
            reply = httpx.post(
                f"{server.url}/invoke", json={"message": bench.QUESTION}, timeout=60
            )
            assert reply.status_code == 200, f"{app}: {reply.text}"
            assert reply.json()["reply"].strip()
            if app != bench.TRIVIAL_FLOOR:  # the streaming benchmark's reading
                assert "event: token" in stream_events(server.url, bench.QUESTION)
    (row,) = imports.measure(project, runs=1, python=python).rows
    assert row.measure == "import of the server module"
    assert row.app > 0
    assert row.floor > 0


def stream_events(url: str, message: str) -> list[str]:
    """The `event:` lines of a /stream reply, in order."""
    with httpx.stream(
        "POST", f"{url}/stream", json={"message": message}, timeout=60
    ) as response:
        assert response.status_code == 200
        return [line for line in response.iter_lines() if line.startswith("event: ")]
