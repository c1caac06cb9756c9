"""An exception no route or handler expected: a 500 in the API's error shape, and
its traceback in the server log, never in the response."""

import logging

from starlette.types import Message, Receive, Scope, Send

from ..runtime.errors import is_storage_error
from .asgi import HttpMiddleware
from .errors import error_response

logger = logging.getLogger(__name__)


# Not an exception handler for `Exception`: Starlette runs that one outside every
# middleware (no CORS headers on the 500) and re-raises after answering, so the
# ASGI server logs the traceback a second time, as plain text.
class InternalErrors(HttpMiddleware):
    """An unexpected exception becomes `internal_error` (500), with a message that
    names nothing internal (the exception's text can carry a driver's connection
    details, a file path, a client's data)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_watched)
        except Exception as error:
            logger.exception("%s %s failed", scope["method"], scope["path"])
            if started:  # part of the response is out: only the connection can end
                raise
            if is_storage_error(error):  # the database restarting: retry shortly
                response = error_response(
                    "storage_unavailable",
                    "the conversation store is unavailable; retry shortly",
                )
            else:
                response = error_response(
                    "internal_error",
                    "the server failed to answer this request; the server log has why",
                )
            await response(scope, receive, send)
