"""What the local fakes of Google's REST APIs share: a server on a thread of its own,
and a quiet request handler that reads bodies, answers JSON, and serves the OAuth
token endpoint that the credentials in fake_credentials.py refresh against."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

TOKEN_PATH = "/token"  # noqa: S105 - a URL path, not a secret


class JsonHandler(BaseHTTPRequestHandler):
    """A handler for a fake: JSON in and out, no access log."""

    # The token the fake's OAuth endpoint hands out.
    access_token = "fake-access-token"  # noqa: S105 - a dummy token for a local fake
    json_content_type = "application/json"

    def log_message(self, *_: Any) -> None:  # keep test output quiet
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length", 0)))

    def send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", self.json_content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_token(self) -> None:
        """The OAuth token endpoint's answer: a bearer token for an hour."""
        token = {"access_token": self.access_token, "expires_in": 3600}
        self.send_json(200, {**token, "token_type": "Bearer"})


class LocalFake:
    """A fake's HTTP server on 127.0.0.1 (a free port), serving `_handler()`: use it
    as `with Fake() as fake:` and give the client `fake.url`. A subclass sets its
    own state, then calls `super().__init__()`."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The endpoint (and token URI) to give the client."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
