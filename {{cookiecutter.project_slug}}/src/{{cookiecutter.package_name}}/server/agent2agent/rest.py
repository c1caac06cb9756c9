"""A2A's HTTP+JSON binding: the A2A SDK's REST endpoints (1.0's, and 0.3's under
/v1), each given one thing the SDK leaves out: a stream refused before it starts
is an HTTP error, not an event stream that breaks.

The SDK answers a 1.0 stream's first failure with an error status, but a 0.3
stream (a subscription to an unknown task, a message it cannot parse) fails after
its headers are out: the client gets a 200 and a cut connection. Here every stream
is read up to its first event before anything is sent, and a failure later on is
an `error` event (as the SDK's 1.0 streams send it), never a cut.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from a2a.server.request_handlers import RequestHandler
from a2a.server.routes import create_rest_routes
from a2a.utils import json_utils
from a2a.utils.error_handlers import build_rest_error_payload
from a2a.utils.errors import A2AError, InvalidParamsError
from google.protobuf.json_format import ParseError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .paths import REST_OPERATIONS_0_3, REST_OPERATIONS_1_0, REST_PATH

Endpoint = Callable[[Request], Awaitable[Response]]
# What the SDK answers in the A2A error shape; anything else is the server's own
# fault, which the app's handlers answer (503 for a database down, else 500).
A2A_FAILURES = (A2AError, ParseError)
# Query parameters that must be whole numbers from 0 to the SDK's 32-bit limit (its
# 0.3 endpoint reads them with int(), and its protobuf fields are int32: "abc" or
# 2147483648 would be its 500).
COUNTS = ("historyLength", "pageSize")
LARGEST_COUNT = 2**31 - 1


def rest_endpoints(
    handler: RequestHandler, grace_seconds: float
) -> dict[tuple[str, str], Endpoint]:
    """The SDK's endpoint for each served (method, path), guarded."""
    routes = create_rest_routes(
        handler,
        enable_v0_3_compat=True,
        path_prefix=REST_PATH,
        shutdown_grace_period=grace_seconds,
    )
    served = {
        (method, REST_PATH + path)
        for method, path in REST_OPERATIONS_1_0 + REST_OPERATIONS_0_3
    }
    endpoints: dict[tuple[str, str], Endpoint] = {}
    # The SDK's tenant-prefixed copies (a Mount) and push routes are left out.
    for route in routes:
        if not isinstance(route, Route):
            continue
        for method in route.methods or ():
            if (method, route.path) in served:
                endpoints[method, route.path] = _guarded(route.endpoint)
    missing = served - endpoints.keys()
    assert not missing, f"the A2A SDK no longer serves {missing}"  # noqa: S101
    return endpoints


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            _check_counts(request)
            await _check_text(request)
            response = await endpoint(request)
            if isinstance(response, EventSourceResponse):
                response.body_iterator = await _started(response.body_iterator)
        except A2A_FAILURES as error:
            return a2a_error(error)
        return response

    return guarded


def _check_counts(request: Request) -> None:
    for name in COUNTS:
        for value in request.query_params.getlist(name):
            if not (value.isascii() and value.isdigit()) or int(value) > LARGEST_COUNT:
                raise InvalidParamsError(
                    message=f"{name} must be a whole number from 0 to {LARGEST_COUNT}"
                )


async def _check_text(request: Request) -> None:
    """A body the SDK can decode: it assumes UTF-8, and anything else is its 500."""
    try:
        (await request.body()).decode()
    except UnicodeDecodeError as error:
        raise ParseError(f"the body is not UTF-8 text: {error.reason}") from error


async def _started(events: Any) -> AsyncIterator[Any]:
    """`events`, its first one already read (so a refusal raises here, before
    the response starts), and a later failure sent as an `error` event."""
    stream = aiter(events)
    try:
        first = await anext(stream)
    except StopAsyncIteration:
        first = None

    async def rest() -> AsyncIterator[Any]:
        if first is None:
            return
        yield first
        try:
            async for event in stream:
                yield event
        except A2A_FAILURES as error:
            payload = json_utils.dumps(build_rest_error_payload(error))
            yield ServerSentEvent(data=payload, event="error")

    return rest()


def a2a_error(error: Exception) -> JSONResponse:
    """An A2A error in the binding's shape: `{"error": {"code", "status",
    "message", "details"}}`, its HTTP status the code."""
    payload = build_rest_error_payload(error)
    return JSONResponse(payload, status_code=payload["error"]["code"])
