"""Refuse request bodies over MAX_REQUEST_BYTES before any route parses them."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response


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

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its body arrived: nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            "request_too_large",
            f"request body is larger than {self.max_bytes} bytes, the limit set "
            "by MAX_REQUEST_BYTES",
        )
        # The rest of the body stays unread: the connection cannot be reused.
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
