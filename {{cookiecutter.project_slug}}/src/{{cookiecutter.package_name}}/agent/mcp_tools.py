"""Tools from MCP servers (MCP_SERVERS), through langchain-mcp-adapters.

At start-up each configured server is asked for its tools, which join the agent's
named `<server>_<tool>` so two servers cannot clash. A call opens a session of its
own, so a server that restarts between calls is no trouble; one that cannot be
reached during a call answers the model with a `ToolError` it can act on (try
again, do without), never a failed run. Their results pass the guardrail like any
tool's (screen.py).

A server that cannot be reached at start-up stops the app with one line saying
which (MCP_UNREACHABLE=fail), or is left out with a warning (`skip`). A server on
Cloud Run is called with a Google ID token for its URL when its entry says
`"google_id_token": true` (or names the audience).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from langchain_core.tools import BaseTool, ToolException

from ..settings import Settings
from .tool_errors import ToolError

if TYPE_CHECKING:
    from langchain_mcp_adapters.interceptors import (
        MCPToolCallRequest,
        MCPToolCallResult,
    )

    Handler = Callable[[MCPToolCallRequest], Awaitable[MCPToolCallResult]]

logger = logging.getLogger(__name__)

# The metadata key that names an MCP tool's server.
MCP_SERVER = "mcp_server"


class McpServerUnavailableError(Exception):
    """An MCP server could not be reached at start-up (MCP_UNREACHABLE=fail)."""


class GoogleIdToken:
    """httpx auth: each request carries a Google ID token minted for `audience` (a
    Cloud Run service checks it), from the metadata server on Google Cloud or a
    service account key elsewhere; google-auth refreshes it before it expires."""

    def __init__(self, audience: str) -> None:
        # Imported only when used: a server that starts loads no Google client.
        from google.auth.transport.requests import Request
        from google.oauth2 import id_token

        self.request = Request()
        self.credentials = id_token.fetch_id_token_credentials(  # type: ignore[no-untyped-call]
            audience, self.request
        )

    def __call__(self, request: httpx.Request) -> httpx.Request:
        if not self.credentials.valid:
            # Blocking, but about once an hour: the token lasts that long.
            self.credentials.refresh(self.request)
        request.headers["authorization"] = f"Bearer {self.credentials.token}"
        return request


def connections(settings: Settings) -> dict[str, Any]:
    """MCP_SERVERS as langchain-mcp-adapters' connections: `google_id_token`
    becomes the request's auth."""
    result = {}
    for name, server in settings.mcp_servers.items():
        connection = dict(server)
        audience = connection.pop("google_id_token", None)
        if audience:
            if audience is True:
                url = urlsplit(connection["url"])
                audience = f"{url.scheme}://{url.netloc}"
            connection["auth"] = GoogleIdToken(audience)
        result[name] = connection
    return result


def where(server: dict[str, Any]) -> str:
    """What a server is, for messages: its URL, or its command."""
    command = [server.get("command", ""), *server.get("args", [])]
    return str(server.get("url") or " ".join(command))


def _reason(error: BaseException) -> str:
    """What went wrong, from the first error an exception group holds."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, TimeoutError):
        return "no answer in time (MCP_CONNECT_TIMEOUT_SECONDS)"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


async def _reachable_or_tool_error(
    request: "MCPToolCallRequest", handler: "Handler"
) -> "MCPToolCallResult":
    """A call that cannot reach its server is a tool error the model reads."""
    try:
        return await handler(request)
    except ToolException:
        raise
    except Exception as error:
        server, reason = request.server_name, _reason(error)
        logger.warning("MCP server %r failed on %s: %s", server, request.name, reason)
        raise ToolError(
            f"The tool server {server!r} could not be reached ({reason}). "
            "Try again later, or answer without it."
        ) from error


async def load_mcp_tools(settings: Settings) -> list[BaseTool]:
    """Every configured server's tools, or the error that stops start-up."""
    if not settings.mcp_servers:
        return []
    # Imported only when used: the MCP client adds about 0.3 s to a cold start.
    from langchain_mcp_adapters.client import MultiServerMCPClient

    client = MultiServerMCPClient(
        connections(settings),
        tool_interceptors=[_reachable_or_tool_error],
        tool_name_prefix=True,
    )
    tools: list[BaseTool] = []
    for name, server in settings.mcp_servers.items():
        try:
            async with asyncio.timeout(settings.mcp_connect_timeout_seconds):
                found = await client.get_tools(server_name=name)
            for tool in found:  # where it comes from, for GET /tools
                tool.metadata = {**(tool.metadata or {}), MCP_SERVER: name}
            tools += found
        except Exception as error:  # any transport's failure, or the deadline
            message = (
                f"MCP server {name!r} ({where(server)}) cannot be reached: "
                f"{_reason(error)}"
            )
            if settings.mcp_unreachable == "fail":
                logger.error("%s (MCP_UNREACHABLE=skip starts without it)", message)
                raise McpServerUnavailableError(message) from error
            logger.warning("%s; its tools are left out (MCP_UNREACHABLE=skip)", message)
    return tools
