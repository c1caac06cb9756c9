"""MCP_SERVERS: a real MCP server (tests/fakes/mcp_server.py, FastMCP) started by
the tests, over streamable HTTP and over stdio. The agent calls its tools and
answers with their results; a server gone mid-conversation is a tool error the
model reads, not a failed run; one unreachable at start-up stops the app with one
line (or is skipped, by setting); its results pass the guardrail; its tools can
require approval."""

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from google.auth import crypt, jwt
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.agent.mcp_tools import (
    McpServerUnavailableError,
    connections,
)
from {{ cookiecutter.package_name }}.agent.screen import WITHHELD
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.mcp_server import PLANTED, served_over_http
from ..fakes.scripted_model import ScriptedChatModel, calls
from ..fakes.tools import TEST_TOOLS
from .fake_http import JsonHandler, LocalFake
from .ports import free_port

SERVER = Path(__file__).parents[1] / "fakes" / "mcp_server.py"
ORDER_QUESTION = "What is the order status of A-1001?"


@contextmanager
def local_server(handler: type[JsonHandler]) -> Iterator[str]:
    """A local HTTP server of this handler; its URL."""

    class Server(LocalFake):
        def _handler(self) -> type[JsonHandler]:
            return handler

    with Server() as server:
        yield server.url


@pytest.fixture
def desk_http() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with served_over_http() as server:
        yield server


def _settings(tmp_path: Path, **servers: dict[str, Any]) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", mcp_servers=servers)


def _invoke(client: TestClient, message: str) -> dict[str, Any]:
    response = client.post("/invoke", json={"message": message})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _called(body: dict[str, Any]) -> list[str]:
    return [call["name"] for call in body["tool_calls"]]


def test_the_agent_calls_a_tool_of_an_mcp_server_over_http(
    tmp_path: Path, desk_http: tuple[str, Any]
) -> None:
    url, _ = desk_http
    settings = _settings(tmp_path, desk={"transport": "streamable_http", "url": url})

    # The offline model: it calls the tool whose name the question mentions.
    with TestClient(create_app(settings, tools=TEST_TOOLS)) as client:
        body = _invoke(client, ORDER_QUESTION)

    assert _called(body) == ["desk_order_status"]
    assert "Order A-1001 is shipped." in body["reply"]


def test_the_agent_calls_a_tool_of_an_mcp_server_over_stdio(tmp_path: Path) -> None:
    server = {"transport": "stdio", "command": sys.executable, "args": [str(SERVER)]}

    with TestClient(create_app(_settings(tmp_path, desk=server), tools=[])) as client:
        body = _invoke(client, ORDER_QUESTION)

    assert _called(body) == ["desk_order_status"]
    assert "Order A-1001 is shipped." in body["reply"]


def test_a_server_gone_mid_conversation_is_a_tool_error_not_a_failed_run(
    tmp_path: Path, desk_http: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = desk_http
    settings = _settings(tmp_path, desk={"transport": "streamable_http", "url": url})
    model = ScriptedChatModel(
        turns=[
            calls(("desk_order_status", {"order_id": "A-1001"})),
            "It is shipped.",
            calls(("desk_order_status", {"order_id": "A-1002"})),
            "The order desk is not answering; try again later.",
        ]
    )

    with TestClient(create_app(settings, model=model, tools=[])) as client:
        first = _invoke(client, "Where is A-1001?")
        process.kill()
        process.wait(timeout=30)
        second = _invoke(client, "And A-1002?")

    # What the model read after each call: the result, then the error.
    results = [m.text for prompt in model.seen for m in prompt if m.type == "tool"]
    assert results[0] == "Order A-1001 is shipped."
    assert "The tool server 'desk' could not be reached" in results[-1]
    assert _called(first) == _called(second) == ["desk_order_status"]
    assert second["reply"] == "The order desk is not answering; try again later."


def test_a_server_unreachable_at_start_up_stops_the_app_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/mcp"
    desk = {"transport": "streamable_http", "url": nowhere}
    settings = _settings(tmp_path, desk=desk)

    with (
        pytest.raises(McpServerUnavailableError, match=r"MCP server 'desk' \(http"),
        TestClient(create_app(settings, tools=[])),
    ):
        pass

    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "desk" in line
    assert nowhere in line
    assert "MCP_UNREACHABLE=skip" in line


def test_a_server_unreachable_at_start_up_may_be_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/mcp"
    settings = _settings(
        tmp_path, desk={"transport": "streamable_http", "url": nowhere}
    ).model_copy(update={"mcp_unreachable": "skip"})

    with TestClient(create_app(settings, tools=TEST_TOOLS)) as client:
        body = _invoke(client, ORDER_QUESTION)

    assert "desk_order_status" not in _called(body)
    assert any("left out" in r.getMessage() for r in caplog.records)


def test_an_mcp_tool_result_passes_the_guardrail(
    tmp_path: Path, desk_http: tuple[str, Any]
) -> None:
    url, _ = desk_http
    settings = _settings(tmp_path, desk={"transport": "streamable_http", "url": url})
    model = ScriptedChatModel(turns=[calls(("desk_read_note", {})), "Done."])

    with TestClient(create_app(settings, model=model, tools=[])) as client:
        body = _invoke(client, "Read me the note")

    read = [str(m.text) for prompt in model.seen for m in prompt]
    assert not any(PLANTED in text for text in read)
    assert WITHHELD.format(reason="prompt_injection") in read
    assert body["guardrail"]["source"] == "tool_result"


def test_the_tools_of_one_server_can_require_approval(
    tmp_path: Path, desk_http: tuple[str, Any]
) -> None:
    url, _ = desk_http
    settings = _settings(
        tmp_path, desk={"transport": "streamable_http", "url": url}
    ).model_copy(update={"tools_requiring_approval": ["desk_*"]})
    model = ScriptedChatModel(
        turns=[
            calls(("lookup", {"key": "alpha"})),
            "alpha is 1.",
            calls(("desk_order_status", {"order_id": "A-1001"})),
        ]
    )

    with TestClient(create_app(settings, model=model, tools=TEST_TOOLS)) as client:
        own = _invoke(client, "What is alpha?")
        desk = _invoke(client, ORDER_QUESTION)

    assert own["interrupts"] == []
    assert own["reply"] == "alpha is 1."
    [interrupt] = desk["interrupts"]
    [request] = interrupt["value"]["action_requests"]
    assert request["name"] == "desk_order_status"


@pytest.mark.parametrize(
    ("servers", "error"),
    [
        ("{not json", "not valid JSON"),
        ("no/such/file.json", "neither JSON nor a file"),
        ('{"desk": {"transport": "sse", "url": "http://x"}}', "transport is"),
        ('{"desk": {"transport": "streamable_http"}}', "needs 'url'"),
        ('{"desk": {"transport": "stdio"}}', "needs 'command'"),
        ('{"a desk": {"transport": "stdio", "command": "x"}}', "server name"),
    ],
)
def test_a_bad_mcp_servers_setting_is_refused_with_a_reason(
    servers: str, error: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_SERVERS", servers)
    with pytest.raises(ValidationError, match=error):
        Settings(_env_file=None)


def test_mcp_servers_may_come_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "mcp.json"
    config.write_text('{"desk": {"transport": "stdio", "command": "python"}}')
    monkeypatch.setenv("MCP_SERVERS", str(config))

    assert Settings(_env_file=None).mcp_servers == {
        "desk": {"transport": "stdio", "command": "python"}
    }


def test_a_server_on_cloud_run_is_called_with_a_google_id_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """google-auth's own ID-token flow for a service account, against a local token
    endpoint: the request to the MCP server carries the token minted for its URL."""
    key = rsa.generate_private_key(65537, 2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    minted = {}

    class TokenEndpoint(JsonHandler):
        def do_POST(self) -> None:
            assertion = parse_qs(self.read_body().decode())["assertion"][0]
            claims = jwt.decode(assertion, verify=False)
            now = int(time.time())
            signer = crypt.RSASigner.from_string(pem, "key-1")
            token = jwt.encode(
                signer,
                {"aud": claims["target_audience"], "iat": now, "exp": now + 3600},
            ).decode()
            minted[claims["target_audience"]] = token
            self.send_json(200, {"id_token": token})

    with local_server(TokenEndpoint) as token_url:
        account = tmp_path / "account.json"
        account.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "test-project",
                    "private_key_id": "key-1",
                    "private_key": pem,
                    "client_email": "app@test-project.iam.gserviceaccount.com",
                    "client_id": "1",
                    "token_uri": token_url,
                }
            )
        )
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(account))
        url = "https://tickets-123456789.europe-west4.run.app/mcp"
        desk = {"transport": "streamable_http", "url": url, "google_id_token": True}
        [connection] = connections(_settings(tmp_path, desk=desk)).values()
        seen = []

        def mcp_server(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["authorization"])
            return httpx.Response(200)

        transport = httpx.MockTransport(mcp_server)
        with httpx.Client(auth=connection["auth"], transport=transport) as client:
            client.post(url)
            client.post(url)

    audience = "https://tickets-123456789.europe-west4.run.app"
    assert list(minted) == [audience]  # minted once, for the service's URL
    assert seen == [f"Bearer {minted[audience]}"] * 2
    assert "google_id_token" not in connection


def test_get_tools_lists_the_agents_tools_and_each_servers(
    tmp_path: Path, desk_http: tuple[str, Any]
) -> None:
    url, _ = desk_http
    settings = _settings(tmp_path, desk={"transport": "streamable_http", "url": url})

    with TestClient(create_app(settings, tools=TEST_TOOLS)) as client:
        tools = {tool["name"]: tool for tool in client.get("/tools").json()}

    assert tools["lookup"] == {
        "name": "lookup",
        "description": "Look up the value stored under a key.",
        "server": None,
    }
    assert tools["desk_order_status"]["server"] == "desk"
    assert tools["desk_order_status"]["description"] == "The status of an order."
    assert tools["desk_read_note"]["server"] == "desk"
