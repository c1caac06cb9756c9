"""The A2A API on the app: the agent card at /.well-known/agent-card.json, and
JSON-RPC at /a2a speaking A2A 1.0 and 0.3 (service.py). Callers are told apart as
on every other route (server/auth.py).

The A2A SDK (protobuf, SQLAlchemy) takes longer to import than the rest of the
server: it loads on the first A2A request, so a server no agent calls starts as
fast as before (tests/unit/test_models.py checks the server imports none of it).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.authentication import SimpleUser

from ...settings import Settings
from ..auth import current_owner
from ..schemas import CLIENT_ERRORS
from .paths import CARD_PATH, JSONRPC_PATH

if TYPE_CHECKING:
    from .service import A2AService

# A JSON-RPC answer (a result or an error, both 200), or a stream of them.
JSONRPC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A JSON-RPC response; Server-Sent Events for the streaming "
        "methods.",
        "content": {"application/json": {}, "text/event-stream": {}},
    }
}
TAG = "A2A"


def install_a2a(app: FastAPI, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Serve A2A on `app`, with the runner its lifespan opens (`app.state.runner`);
    returns what closes the A2A service, if it opened, for the lifespan's end."""
    service: A2AService | None = None
    opening = asyncio.Lock()

    async def opened() -> "A2AService":
        nonlocal service
        async with opening:
            if service is None:
                from .service import A2AService

                service = await A2AService.open(settings, lambda: app.state.runner)
        return service

    async def card(request: Request) -> Response:
        """The agent card: who this agent is, its skills, where and how to call it."""
        return JSONResponse((await opened()).card(str(request.base_url)))

    async def jsonrpc(request: Request) -> Any:
        """A2A JSON-RPC 2.0: `SendMessage`, `SendStreamingMessage`, `GetTask`,
        `ListTasks`, `CancelTask`, `SubscribeToTask` (A2A 1.0, with the
        `A2A-Version: 1.0` header) and their A2A 0.3 names (`message/send`...)."""
        request.scope["user"] = SimpleUser(await current_owner(request))
        return await (await opened()).jsonrpc(request)

    app.add_api_route(
        CARD_PATH, card, methods=["GET"], tags=[TAG], responses=CLIENT_ERRORS
    )
    app.add_api_route(
        JSONRPC_PATH,
        jsonrpc,
        methods=["POST"],
        tags=[TAG],
        responses={**JSONRPC_RESPONSES, **CLIENT_ERRORS},
    )
    _describe_lazily(app)

    async def close() -> None:
        if service is not None:
            await service.close()

    return close


def _describe_lazily(app: FastAPI) -> None:
    """The OpenAPI document describes /a2a's body as the A2A SDK does (loaded only
    when the document is first asked for)."""
    document = app.openapi

    def described() -> dict[str, Any]:
        if app.openapi_schema is None:
            from .service import describe_jsonrpc

            describe_jsonrpc(document(), JSONRPC_PATH)
        return document()

    app.openapi = described  # type: ignore[method-assign]
