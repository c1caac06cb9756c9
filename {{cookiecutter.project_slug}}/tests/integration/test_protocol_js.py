"""Contract: LangGraph's JavaScript client (@langchain/langgraph-sdk, pinned in
js_client/package.json) runs a user's script unmodified against the server.

The server runs the scripted model (live_server.py): each message makes it call
the neutral `lookup` tool, so both runs stream tool calls and results too.

Needs Node.js and npm (the package comes from the npm registry); skipped, loudly,
without them unless TEST_REQUIRE_NODE=1 (CI) makes that a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .live_server import live_server

CLIENT = Path(__file__).with_name("js_client")


def node_tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "no Node.js/npm (install them, e.g. apt-get install nodejs npm)"
        if os.environ.get("TEST_REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(f"JS CLIENT TEST SKIPPED: {reason}")
    return node, npm


def test_the_javascript_client_script(tmp_path: Path) -> None:
    node, npm = node_tools()
    project = tmp_path / "client"
    shutil.copytree(CLIENT, project)
    install = [npm, "install", "--no-package-lock", "--no-audit", "--no-fund"]
    subprocess.run(install, cwd=project, check=True, capture_output=True, timeout=300)

    with live_server(tmp_path / "data") as url:
        result = subprocess.run(
            [node, "client_script.mjs", url, "lookup:alpha", "lookup:beta"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["events"]) == {"metadata", "values", "messages", "updates", "end"}
    assert report["streamed"] == "Found: alpha = 1"
    assert report["reply"] == "Found: beta = 2"
    assert report["next"] == []
    assert report["messages"] == 8
    assert report["history"] >= 8
    assert report["searched"] is True
