"""The FastAPI app factory, for `uvicorn --factory <package>.server.app:create_app`."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from ..llm.chat_models import ChatModelUnavailableError, chat_model_from_settings
from ..observability.feedback import FeedbackStore
from ..observability.logs import configure_logging
from ..observability.telemetry import instrument_app
from ..runtime.data_dir import DataDirectoryInUseError, check_data_dir_free
from ..runtime.wiring import open_runner
from ..settings import AGENT_NAME, Settings
from . import protocol
from .agent2agent.api import install_a2a
from .auth import AuthConfigurationError, Authenticator, install_authentication
from .errors import install_error_handlers
from .headers import NoSniff
from .internal_errors import InternalErrors
from .limits import RequestSizeLimit
from .mcp_server.api import install_mcp_server
from .native import memories
from .native import routes as native
from .shutdown import drain_on_sigterm


def create_app(
    settings: Settings | None = None,
    *,
    model: BaseChatModel | None = None,
    tools: Sequence[BaseTool] | None = None,
    authenticate: Authenticator | None = None,
) -> FastAPI:
    """Build the app; the runner (persistence, model, graph) opens in the lifespan.

    `model` and `tools` override the settings' model and the agent's tools, and
    `authenticate` the settings' AUTH_MODE (tests: Google's keys served locally).
    """
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.google_cloud_project)
    # Built now, not in the lifespan: a MODEL whose provider package is missing
    # stops `uvicorn --factory` with its one-line message, not a traceback.
    try:
        model = model or chat_model_from_settings(settings)
    except ChatModelUnavailableError as unavailable:
        raise SystemExit(f"error: {unavailable}") from None
    if settings.database_url is None:
        # A second process on one SQLite directory: refused in one line here (the
        # lifespan's own hold would refuse it too, with a traceback).
        try:
            check_data_dir_free(settings.data_dir)
        except DataDirectoryInUseError as in_use:
            raise SystemExit(f"error: {in_use}") from None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runner(settings, model=model, tools=tools) as runner:
            app.state.runner = runner
            app.state.feedback = FeedbackStore(
                settings.feedback_path, capture=runner.capture
            )
            try:
                with drain_on_sigterm(runner):
                    yield
            finally:
                try:
                    await close_a2a()
                finally:
                    await close_mcp()

    docs = settings.serve_api_docs
    app = FastAPI(
        title=AGENT_NAME,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    try:
        install_authentication(app, settings, authenticate)
    except AuthConfigurationError as refused:
        raise SystemExit(f"error: {refused}") from None
    instrument_app(app)
    # Innermost, so a 500 passes through the others (CORS: a browser can read it).
    app.add_middleware(InternalErrors)
    # Inside CORS too: a browser can read the 413.
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            # LangGraph clients read the run id from Content-Location.
            expose_headers=["content-location"],
        )
    # Outermost: every response has it, the 413 and CORS's own answers included.
    app.add_middleware(NoSniff)
    install_error_handlers(app)
    app.include_router(native.router)
    app.include_router(memories.router)
    if settings.serve_playground:
        app.include_router(native.playground_router)
        app.mount("/static", StaticFiles(directory=native.STATIC_DIR), name="static")
    app.include_router(protocol.router)
    close_a2a = install_a2a(app, settings)
    close_mcp = install_mcp_server(app)
    return app
