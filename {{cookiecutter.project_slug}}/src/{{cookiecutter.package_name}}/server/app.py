"""The FastAPI app factory, for `uvicorn --factory <package>.server.app:create_app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..agent.graph import build_graph
from ..agent.prompts import load_prompt
from ..feedback import FeedbackStore
from ..logs import configure_logging
from ..memory import checkpointer_from_settings
from ..models import chat_model_from_settings
from ..runner import AgentRunner
from ..settings import AGENT_NAME, Settings
from .errors import install_error_handlers
from .routes import router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the graph and checkpointer open in the lifespan, not at import."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prompt = load_prompt("system", settings.system_prompt_version)
        async with checkpointer_from_settings(settings) as checkpointer:
            graph = build_graph(
                chat_model_from_settings(settings), prompt, checkpointer
            )
            app.state.runner = AgentRunner(
                graph,
                prompt=prompt,
                model_name=settings.active_model,
                max_message_chars=settings.max_message_chars,
                max_steps=settings.max_agent_steps,
            )
            app.state.feedback = FeedbackStore(settings.feedback_path)
            yield

    app = FastAPI(title=AGENT_NAME, lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(router)
    return app
