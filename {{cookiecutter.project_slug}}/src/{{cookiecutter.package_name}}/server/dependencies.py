"""What routes are given: the runner and the feedback store the app opened."""

from typing import Annotated

from fastapi import Depends, Request

from ..observability.feedback import FeedbackStore
from ..runtime.runs import AgentRunner


# Async, so FastAPI calls them in the event loop rather than a thread pool.
async def get_runner(request: Request) -> AgentRunner:
    runner: AgentRunner = request.app.state.runner
    return runner


async def get_feedback_store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.feedback
    return store


Runner = Annotated[AgentRunner, Depends(get_runner)]
