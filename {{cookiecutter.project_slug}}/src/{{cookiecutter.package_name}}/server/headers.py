"""Headers every response carries, whatever answered it (a route, an error handler,
a middleware's own refusal)."""

from starlette.types import Message, Receive, Scope, Send

from .asgi import HttpMiddleware

_NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniff(HttpMiddleware):
    """`X-Content-Type-Options: nosniff` on every response, so a browser reads a
    body only as its declared type (a JSON error that echoes a client's text is
    never run as a script or shown as a page)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), _NOSNIFF]
            await send(message)

        await self.app(scope, receive, send_with_header)
