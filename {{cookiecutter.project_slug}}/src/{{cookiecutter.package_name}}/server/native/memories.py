"""What the agent remembers about the caller across conversations (MEMORY;
agent/memories.py): the caller can read it and erase it, one memory or all."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from langgraph.store.base import BaseStore
from pydantic import BaseModel

from ...agent.memories import forget, recall
from ...runtime.errors import MemoryNotFoundError
from ...runtime.runs import AgentRunner
from ..auth import Owner
from ..dependencies import Runner
from ..schemas import CLIENT_ERRORS

router = APIRouter(responses=CLIENT_ERRORS, tags=["memories"])
MemoryKey = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")]


class MemoryOutput(BaseModel):
    """One fact the agent keeps about the caller."""

    # What it is about (`name`, `home`, `work`, `prefers`): a newer statement on
    # the same subject replaces it.
    key: str
    # As the agent reads it: a sentence about the user.
    text: str
    updated_at: str


class MemoriesOutput(BaseModel):
    memories: list[MemoryOutput]


class ErasedOutput(BaseModel):
    erased: int


def _store(runner: AgentRunner) -> BaseStore:
    store = runner.graph.store
    if store is None:  # open_runner always gives the graph one
        raise RuntimeError("the agent's graph has no store")
    return store


@router.get("/memories", response_model=MemoriesOutput)
async def list_memories(runner: Runner, owner: Owner) -> MemoriesOutput:
    """What the agent remembers about you from your conversations, oldest first."""
    memories = await recall(_store(runner), owner)
    return MemoriesOutput(memories=[MemoryOutput(**vars(m)) for m in memories])


@router.delete("/memories", response_model=ErasedOutput)
async def erase_memories(runner: Runner, owner: Owner) -> ErasedOutput:
    """Erase everything the agent remembers about you."""
    return ErasedOutput(erased=await forget(_store(runner), owner))


@router.delete("/memories/{key}", status_code=204, response_class=Response)
async def erase_memory(key: MemoryKey, runner: Runner, owner: Owner) -> Response:
    """Erase one memory."""
    if not await forget(_store(runner), owner, key):
        raise MemoryNotFoundError(f"no memory {key!r} is kept about you")
    return Response(status_code=204)
