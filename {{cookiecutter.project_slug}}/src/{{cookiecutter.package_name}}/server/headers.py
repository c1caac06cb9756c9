"""Headers every response carries, whatever answered it (a route, an error handler,
a middleware's own refusal)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniff:
    """Pure ASGI middleware: `X-Content-Type-Options: nosniff` on every response,
    so a browser reads a body only as its declared type (a JSON error that echoes a
    client's text is never run as a script or shown as a page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), _NOSNIFF]
            await send(message)

        await self.app(scope, receive, send_with_header)
