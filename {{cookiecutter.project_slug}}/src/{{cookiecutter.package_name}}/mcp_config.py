"""What MCP_SERVERS may say (settings.py): JSON in langchain-mcp-adapters'
connection format, or the path of a file holding it; each server named so its
tools' names can carry it, with a transport and what that transport needs."""

import json
import re
from pathlib import Path
from typing import Any

Servers = dict[str, dict[str, Any]]


def read_mcp_servers(value: Any) -> Any:
    """The servers a JSON text or a file of it describes (other values pass)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text and not text.startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"MCP_SERVERS: {text!r} is neither JSON nor a file")
        text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text or "{}")
    except json.JSONDecodeError as error:
        raise ValueError(f"MCP_SERVERS is not valid JSON: {error}") from None


def check_mcp_servers(servers: Servers) -> Servers:
    """The servers, if each has a usable name and transport; else a ValueError."""
    for name, server in servers.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,29}", name):
            raise ValueError(
                f"MCP server name {name!r}: up to 30 letters, digits, '_' or '-', "
                "starting with a letter (it prefixes its tools' names)"
            )
        transport = server.get("transport")
        needs = {"streamable_http": "url", "stdio": "command"}.get(str(transport))
        if needs is None:
            raise ValueError(
                f"MCP server {name!r}: transport is 'streamable_http' or "
                f"'stdio', not {transport!r}"
            )
        if not server.get(needs):
            raise ValueError(f"MCP server {name!r} ({transport}) needs {needs!r}")
    return servers
