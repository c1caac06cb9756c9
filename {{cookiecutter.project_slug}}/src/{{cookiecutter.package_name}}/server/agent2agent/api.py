"""The A2A API on the app: the agent card at /.well-known/agent-card.json,
JSON-RPC at /a2a and the HTTP+JSON binding below it (/a2a/message:send, ...; 0.3's
below /a2a/v1), speaking A2A 1.0 and 0.3 (service.py). Callers are told apart as on
every other route (server/auth.py).

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
from .paths import (
    CARD_PATH,
    JSONRPC_PATH,
    REST_OPERATIONS_0_3,
    REST_OPERATIONS_1_0,
    REST_PATH,
)

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
# An HTTP+JSON answer: a task, a message or a list of tasks (A2A 1.0's media type,
# or 0.3's plain JSON), or a stream of them.
REST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A2A's answer; Server-Sent Events for the streaming operations.",
        "content": {
            "application/a2a+json": {},
            "application/json": {},
            "text/event-stream": {},
        },
    },
    # A2A's error shape (`code` its HTTP status, `status`, `message`, `details`),
    # or the API's own for a caller it cannot name (`code` a word).
    "4XX": {
        "description": "The request cannot be served as sent; `error.message` says "
        "what to change.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": ["integer", "string"]},
                                "message": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    },
}
TASK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
COUNT = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
QUERIES: dict[str, list[dict[str, Any]]] = {
    "/tasks/{id}": [
        {"name": "historyLength", "in": "query", "required": False, "schema": COUNT}
    ],
    "/tasks": [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in (
            ("contextId", {"type": "string"}),
            ("pageSize", COUNT),
            ("pageToken", {"type": "string"}),
            ("historyLength", COUNT),
            ("includeArtifacts", {"type": "boolean"}),
        )
    ],
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
    for method, path in REST_OPERATIONS_1_0 + REST_OPERATIONS_0_3:
        _add_rest_operation(app, method, REST_PATH + path, opened)
    _describe_lazily(app)

    async def close() -> None:
        if service is not None:
            await service.close()

    return close


def _add_rest_operation(
    app: FastAPI,
    method: str,
    path: str,
    opened: Callable[[], Awaitable["A2AService"]],
) -> None:
    """Serve one HTTP+JSON operation (the SDK's, rest.py), documented."""

    async def operation(request: Request) -> Any:
        request.scope["user"] = SimpleUser(await current_owner(request))
        return await (await opened()).rest(method, path, request)

    below = path.removeprefix(REST_PATH).removeprefix("/v1")
    parameters = ([TASK_ID] if "{id}" in path else []) + QUERIES.get(below, [])
    app.add_api_route(
        path,
        operation,
        methods=[method],
        tags=[TAG],
        name=f"A2A {method} {path}",
        responses=REST_RESPONSES,
        openapi_extra={"parameters": parameters} if parameters else None,
    )


def _describe_lazily(app: FastAPI) -> None:
    """The OpenAPI document describes the A2A bodies as the A2A SDK does (loaded
    only when the document is first asked for)."""
    document = app.openapi

    def described() -> dict[str, Any]:
        if app.openapi_schema is None:
            from .openapi import describe_a2a

            describe_a2a(document())
        return document()

    app.openapi = described  # type: ignore[method-assign]
