"""The Locust file runs, headless and bounded, against a local server: 0 failures.

The server runs the scripted model (tests/integration/live_server.py). The Locust
file's own questions get echoed; `lookup:` questions (LOAD_TEST_QUESTIONS) make it
call the neutral `lookup` tool, so tool calls are under load too.
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..integration.live_server import live_server

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@pytest.mark.parametrize(
    "questions",
    [None, "lookup:alpha\nlookup:beta\nHello!"],
    ids=["default-questions", "tool-calls"],
)
def test_a_short_load_test_has_no_failures(
    tmp_path: Path, questions: str | None
) -> None:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent))
    assert locust, "locust is a dev dependency"
    env = {k: v for k, v in os.environ.items() if k != "LOAD_TEST_QUESTIONS"}
    if questions:
        env["LOAD_TEST_QUESTIONS"] = questions
    with live_server(tmp_path / "data") as url:
        command = [
            locust, "-f", str(LOCUSTFILE), "--headless", "--host", url,
            "-u", "4", "-r", "4", "-t", "4s", "--only-summary",
            "--csv", str(tmp_path / "load"), "--exit-code-on-error", "1",
        ]  # fmt: skip
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert result.returncode == 0, result.stderr[-2000:]
    with (tmp_path / "load_stats.csv").open() as stats:
        [total] = [row for row in csv.DictReader(stats) if row["Name"] == "Aggregated"]
    assert int(total["Request Count"]) > 0
    assert int(total["Failure Count"]) == 0
