"""The Locust file runs, headless and bounded, against a local server: 0 failures."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

from ..integration.live_server import live_server

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def test_a_short_load_test_has_no_failures(tmp_path: Path) -> None:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent))
    assert locust, "locust is a dev dependency"
    with live_server(tmp_path / "data") as url:
        command = [
            locust, "-f", str(LOCUSTFILE), "--headless", "--host", url,
            "-u", "4", "-r", "4", "-t", "4s", "--only-summary",
            "--csv", str(tmp_path / "load"), "--exit-code-on-error", "1",
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False
        )

    assert result.returncode == 0, result.stderr[-2000:]
    with (tmp_path / "load_stats.csv").open() as stats:
        [total] = [row for row in csv.DictReader(stats) if row["Name"] == "Aggregated"]
    assert int(total["Request Count"]) > 0
    assert int(total["Failure Count"]) == 0
