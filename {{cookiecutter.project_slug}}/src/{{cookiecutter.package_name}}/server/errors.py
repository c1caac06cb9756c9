"""Every error leaves the API as `{"error": {"code", "message"}}`."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..runner import (
    InvalidMessageError,
    RunnerError,
    ThreadBusyError,
    ThreadNotFoundError,
)

_RUNNER_STATUS: dict[type[RunnerError], int] = {
    InvalidMessageError: 422,
    ThreadNotFoundError: 404,
    ThreadBusyError: 409,
}


class ApiError(Exception):
    """An error with the status and code the client gets."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **context: str,
) -> JSONResponse:
    """The one shape of every error body; `context` adds ids such as the run's."""
    error = {"code": code, "message": message, **context}
    return JSONResponse(status_code=status, content={"error": error}, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map exceptions to the API's error shape; nothing a client sends becomes a 500."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message)

    @app.exception_handler(RunnerError)
    async def runner_error(_: Request, error: RunnerError) -> JSONResponse:
        status = _RUNNER_STATUS.get(type(error), 400)
        return error_response(status, error.code, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _: Request, error: RequestValidationError
    ) -> JSONResponse:
        problems = error.errors()
        if any(problem["type"] == "json_invalid" for problem in problems):
            return error_response(
                400, "malformed_json", "request body is not valid JSON"
            )
        return error_response(422, "invalid_request", describe(problems))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = str(error.detail).lower().replace(" ", "_")
        # Kept: a 405 names the allowed methods (Allow), a 401 its scheme.
        return error_response(
            error.status_code, code, str(error.detail), headers=error.headers
        )


def describe(problems: Any) -> str:
    """Pydantic's validation errors as one readable line: `field: problem; ...`."""
    parts = []
    for problem in problems:
        location = ".".join(str(part) for part in problem["loc"] if part != "body")
        parts.append(f"{location or 'body'}: {problem['msg']}")
    return "; ".join(parts)
