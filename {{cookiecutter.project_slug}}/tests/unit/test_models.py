"""The model factory, and the promise that the cloud client (and the A2A and MCP
SDKs' servers) load only on demand."""

import subprocess
import sys

from langchain_google_genai import ChatGoogleGenerativeAI

from {{ cookiecutter.package_name }}.llm.chat_models import chat_model_from_settings
from {{ cookiecutter.package_name }}.llm.local_model import LocalChatModel
from {{ cookiecutter.package_name }}.settings import Settings

IMPORT_PROBE = """
import sys
import {{ cookiecutter.package_name }}.server.app
# Namespace packages (no __file__) may be set up by .pth files at start-up: not code.
cloud = [
    name
    for name, module in sys.modules.items()
    if (
        name.startswith(("google", "langchain_google"))
        or name.split(".")[0] in ("a2a", "mcp", "langchain_mcp_adapters")
    )
    and getattr(module, "__file__", None)
]
sys.exit(f"imported without being asked for: {cloud}" if cloud else 0)
"""


def test_local_is_the_default() -> None:
    assert isinstance(
        chat_model_from_settings(Settings(_env_file=None)), LocalChatModel
    )


def test_vertex_is_gemini_on_vertex_with_the_configured_model() -> None:
    settings = Settings(
        _env_file=None,
        model_provider="vertex",
        google_cloud_project="my-project",
        google_cloud_location="europe-west4",
        model_name="gemini-test",
        vertex_base_url="http://127.0.0.1:9",
    )
    model = chat_model_from_settings(settings)
    assert isinstance(model, ChatGoogleGenerativeAI)
    assert model.model == "gemini-test"
    assert (model.project, model.location) == ("my-project", "europe-west4")
    # One attempt per call: the agent node does the retrying (agent/faults.py).
    assert model.max_retries == 1


def test_importing_the_server_loads_no_cloud_client_nor_a2a_or_mcp() -> None:
    command = [sys.executable, "-c", IMPORT_PROBE]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
