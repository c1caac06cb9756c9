"""Every error leaves the API as `{"error": {"code", "message"}}`, its HTTP status
taken from one table of codes."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..runtime.errors import RequestError

# Every code the API answers with, and its status.
STATUS: dict[str, int] = {
    # The request is wrong: the client can fix it (runtime/errors.py).
    "malformed_json": 400,
    "unauthenticated": 401,
    "invalid_request": 422,
    "invalid_message": 422,
    "thread_not_found": 404,
    "run_not_found": 404,
    "checkpoint_not_found": 404,
    "assistant_not_found": 404,
    "memory_not_found": 404,
    "thread_exists": 409,
    "thread_busy": 409,
    "request_too_large": 413,
    "unsupported_media_type": 415,
    "request_timeout": 408,
    "headers_too_large": 431,
    # A run failed (how /invoke answers): never the client's fault, so never a
    # 4xx; the model's failures as a gateway's. Any other failure is a 502.
    "agent_step_limit": 504,
    "model_timeout": 504,
    "model_unavailable": 503,
    "model_error": 502,
    # The guardrail's service gave no verdict and is set to fail closed.
    "guardrail_unavailable": 503,
    "run_failed": 502,
    # Google's keys cannot be fetched to verify an identity: retry later.
    "auth_unavailable": 503,
    # The database is unreachable: the client may retry later.
    "storage_unavailable": 503,
    # The server cannot serve yet (readiness), or no longer: it is stopping
    # (server/shutdown.py); another instance will take the request.
    "not_ready": 503,
    "shutting_down": 503,
    # A fault of the server's own (a bug, a store that fails): never detailed.
    "internal_error": 500,
}


def error_response(
    code: str,
    message: str,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    **context: str,
) -> JSONResponse:
    """The one shape of every error body; `context` adds ids such as the run's.
    The status is the code's in `STATUS` unless given."""
    status = status or STATUS.get(code, 502)
    error = {"code": code, "message": message, **context}
    return JSONResponse(status_code=status, content={"error": error}, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map exceptions to the API's error shape; nothing a client sends becomes a 500."""

    @app.exception_handler(RequestError)
    async def request_error(_: Request, error: RequestError) -> JSONResponse:
        status = STATUS.get(error.code, 400)
        return error_response(error.code, str(error), status=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _: Request, error: RequestValidationError
    ) -> JSONResponse:
        problems = error.errors()
        if any(problem["type"] == "json_invalid" for problem in problems):
            return error_response("malformed_json", "request body is not valid JSON")
        return error_response("invalid_request", describe(problems))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = str(error.detail).lower().replace(" ", "_")
        # Kept: a 405 names the allowed methods (Allow), a 401 its scheme.
        return error_response(
            code, str(error.detail), status=error.status_code, headers=error.headers
        )


def describe(problems: Any) -> str:
    """Pydantic's validation errors as one readable line: `field: problem; ...`."""
    parts = []
    for problem in problems:
        location = ".".join(str(part) for part in problem["loc"] if part != "body")
        parts.append(f"{location or 'body'}: {problem['msg']}")
    return "; ".join(parts)
