"""The FastAPI app factory, for `uvicorn --factory <package>.server.app:create_app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from ..agent.graph import build_graph
from ..agent.prompts import load_prompt
from ..feedback import FeedbackStore
from ..logs import configure_logging
from ..memory import open_persistence
from ..models import chat_model_from_settings
from ..runner import AgentRunner
from ..settings import AGENT_NAME, Settings
from ..threads import ThreadRegistry
from . import protocol, routes
from .errors import install_error_handlers


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; persistence opens and the graph compiles in the lifespan."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prompt = load_prompt("system", settings.system_prompt_version)
        async with open_persistence(settings) as persistence:
            model = chat_model_from_settings(settings)
            graph = build_graph(
                model,
                prompt,
                persistence.checkpointer,
                require_tool_approval=settings.require_tool_approval,
            )
            app.state.runner = AgentRunner(
                graph,
                ThreadRegistry(persistence.store),
                prompt=prompt,
                model_name=settings.active_model,
                max_message_chars=settings.max_message_chars,
                max_steps=settings.max_agent_steps,
            )
            app.state.feedback = FeedbackStore(settings.feedback_path)
            yield

    app = FastAPI(title=AGENT_NAME, lifespan=lifespan)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            # LangGraph clients read the run id from Content-Location.
            expose_headers=["content-location"],
        )
    install_error_handlers(app)
    app.include_router(routes.router)
    app.mount("/static", StaticFiles(directory=routes.STATIC_DIR), name="static")
    app.include_router(protocol.router)
    return app
