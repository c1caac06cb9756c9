"""The agent as an MCP server, at /mcp (tool.py): MCP clients (Gemini CLI, Claude,
another agent's MCP_SERVERS) call it as one tool, `ask`. Callers are told apart as
on every other route (server/auth.py).

The MCP SDK's server loads on the first MCP request, so a server no MCP client
calls starts as fast without it (tests/unit/test_models.py checks the server's
import loads none of it).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.authentication import SimpleUser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..about import about
from ..auth import current_owner
from ..errors import error_response
from .paths import MCP_PATH

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

TAG = "MCP"
JSON_OBJECT: dict[str, Any] = {"schema": {"type": "object"}}
# MCP's streamable HTTP: a JSON-RPC message in; its answer out, or 202 for a
# notification; the SDK's JSON-RPC error (or the API's own 401) for a refusal.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The JSON-RPC response.",
        "content": {"application/json": JSON_OBJECT},
    },
    202: {"description": "A notification, accepted."},
    "4XX": {
        "description": "Not an MCP message this server can take (the reason is in "
        "the body).",
        "content": {"application/json": JSON_OBJECT},
    },
}
REQUEST_BODY = {
    "description": "An MCP JSON-RPC message (`initialize`, `tools/list`, "
    "`tools/call`, ...).",
    "required": True,
    "content": {"application/json": JSON_OBJECT},
}


class _Answered(Response):
    """A response another ASGI app gives: it reads the request and answers."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__()
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def install_mcp_server(
    app: FastAPI,
) -> Callable[[], Awaitable[None]]:
    """Serve MCP on `app`, with the runner its lifespan opens (`app.state.runner`);
    returns what stops the MCP server, if it started, for the lifespan's end."""
    running: _Running | None = None
    opening = asyncio.Lock()

    async def opened() -> ASGIApp:
        nonlocal running
        async with opening:
            if running is None:
                from .tool import agent_server

                server = agent_server(lambda: app.state.runner, about()[0])
                server.streamable_http_app()  # makes its session manager
                running = await _Running(server.session_manager).started()
            return running.handler

    async def mcp(request: Request) -> Response:
        """MCP (streamable HTTP, stateless, JSON answers): the agent as one tool,
        `ask` (`message`, and the `thread_id` of an earlier answer to go on)."""
        request.scope["user"] = SimpleUser(await current_owner(request))
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("application/json"):
            # The SDK's own answer to this one is plain text.
            return error_response(
                "unsupported_media_type", "an MCP message is JSON: application/json"
            )
        return _Answered(await opened())

    app.add_api_route(
        MCP_PATH,
        mcp,
        methods=["POST"],
        tags=[TAG],
        responses=RESPONSES,
        openapi_extra={"requestBody": REQUEST_BODY},
    )

    async def close() -> None:
        # A session manager runs once: a later lifespan starts a new server, and
        # may run on another event loop (a new lock for it).
        nonlocal running, opening
        async with opening:
            if running is not None:
                await running.stop()
                running = None
        opening = asyncio.Lock()

    return close


class _Running:
    """The MCP SDK's session manager, running in a task of its own: what it runs
    in (an anyio task group) must be left by the task that entered it, and the
    request whose task starts it ends long before the server does."""

    def __init__(self, manager: "StreamableHTTPSessionManager") -> None:
        self.handler: ASGIApp = manager.handle_request
        self._ready, self._stopping = asyncio.Event(), asyncio.Event()
        self._task = asyncio.create_task(self._run(manager))

    async def _run(self, manager: "StreamableHTTPSessionManager") -> None:
        async with manager.run():
            self._ready.set()
            await self._stopping.wait()

    async def started(self) -> "_Running":
        """Itself, once the manager runs; what stopped it, if it could not start."""
        ready = asyncio.ensure_future(self._ready.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._task.done():
            self._task.result()
        return self

    async def stop(self) -> None:
        self._stopping.set()
        await self._task
