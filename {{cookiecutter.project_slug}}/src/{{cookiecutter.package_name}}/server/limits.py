"""Refuse requests no route should see: a body over MAX_REQUEST_BYTES, headers over
HEADER_LIMIT_BYTES, a body that takes longer than BODY_TIMEOUT_SECONDS to arrive."""

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response

# Headers as large as no client of this API sends (cookies and tokens included).
# The HTTP parser has read them by then; in the cloud, the front end refuses
# larger ones before they reach an instance.
HEADER_LIMIT_BYTES = 32 * 1024
# A whole body, however slowly it trickles in: a client sending a byte a second
# would otherwise hold a connection and its memory for as long as it likes.
BODY_TIMEOUT_SECONDS = 30.0


# Not FastAPI's `max_body_size` (recent releases): its 413 is plain text when the
# Content-Length is over, not the API's error shape, and it needs a newer FastAPI.
class RequestSizeLimit:
    """Pure ASGI middleware: a 413 for a body over `max_bytes`, for every route.

    A Content-Length over the limit is refused before a byte of the body is read.
    Any other body (chunked, or with a Content-Length that undersells it) is read
    here, counted, and handed on whole only if it fits, so no route ever holds an
    oversized body. What the client sends after its body (a disconnect while a run
    streams) passes straight through.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        body_timeout_seconds: float = BODY_TIMEOUT_SECONDS,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if sum(len(name) + len(value) for name, value in scope["headers"]) > (
            HEADER_LIMIT_BYTES
        ):
            message = f"request headers are larger than {HEADER_LIMIT_BYTES} bytes"
            await _refuse(scope, receive, send, "headers_too_large", message)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.body_timeout_seconds):
                body = await self._read_body(receive)
        except TimeoutError:
            message = f"the request body took over {self.body_timeout_seconds:g} s"
            await _refuse(scope, receive, send, "request_timeout", message)
            return
        if body is None:
            return  # the client left before its body arrived: nobody to answer
        if len(body) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or as much as shows it is too large; None if the
        client left."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            body += message.get("body", b"")
            if len(body) > self.max_bytes or not message.get("more_body", False):
                return bytes(body)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            f"request body is larger than {self.max_bytes} bytes, the limit set "
            "by MAX_REQUEST_BYTES"
        )
        await _refuse(scope, receive, send, "request_too_large", message)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, code: str, message: str
) -> None:
    response = error_response(code, message)
    # The rest of the request stays unread: the connection cannot be reused.
    response.headers["connection"] = "close"
    await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses these; count the bytes anyway
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app: the whole body once, then the client's own messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
