"""Reading and forgetting conversations: a thread's states, the lineage of a run,
deleting a thread. Nothing here runs the agent."""

from collections.abc import AsyncIterator
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import StateSnapshot

from ..agent.context import AgentContext
from ..agent.state import AgentState
from .errors import CheckpointNotFoundError
from .threads import ThreadRegistry


class ThreadHistory:
    """What the checkpointer keeps of each thread, read through the graph."""

    def __init__(
        self,
        graph: CompiledStateGraph[AgentState, AgentContext],
        threads: ThreadRegistry,
    ) -> None:
        self.graph, self.threads = graph, threads

    async def state(
        self, thread_id: str, checkpoint_id: str | None = None
    ) -> StateSnapshot:
        """The thread's current state (or at a past checkpoint, which must exist)."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        if checkpoint_id:
            await self.require_checkpoint(thread_id, checkpoint_id)
            config["configurable"]["checkpoint_id"] = checkpoint_id
        return await self.graph.aget_state(config)

    async def require_checkpoint(self, thread_id: str, checkpoint_id: str) -> None:
        """Refuse a checkpoint id the thread does not have: LangGraph would read
        (or run from) an empty state instead, and a run would replace the
        conversation with it."""
        checkpointer = self.graph.checkpointer
        if not isinstance(checkpointer, BaseCheckpointSaver):
            return
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id, "checkpoint_id": checkpoint_id}
        }
        if await checkpointer.aget_tuple(config) is None:
            raise CheckpointNotFoundError(thread_id, checkpoint_id)

    async def states(
        self, thread_id: str, *, limit: int, before: str | None = None
    ) -> list[StateSnapshot]:
        """The thread's past states, newest first."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        before_config: RunnableConfig | None = None
        if before:
            before_config = {
                "configurable": {"thread_id": thread_id, "checkpoint_id": before}
            }
        return [
            snapshot
            async for snapshot in self.graph.aget_state_history(
                config, limit=limit, before=before_config
            )
        ]

    async def walk(self, thread_id: str) -> AsyncIterator[StateSnapshot]:
        """The thread's past states, newest first, read as they are asked for."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        async for snapshot in self.graph.aget_state_history(config):
            yield snapshot

    async def run_lineage(
        self, run_id: str, thread_id: str | None = None
    ) -> dict[str, str] | None:
        """What produced a checkpointed run (thread, prompt version, model, trace);
        None if no run has this id (on the thread, if given)."""
        checkpointer = self.graph.checkpointer
        if not isinstance(checkpointer, BaseCheckpointSaver):
            return None
        config: RunnableConfig | None = None
        if thread_id:
            config = {"configurable": {"thread_id": thread_id}}
        async for checkpoint in checkpointer.alist(
            config, filter={"run_id": run_id}, limit=1
        ):
            metadata: dict[str, Any] = dict(checkpoint.metadata or {})
            found = {"thread_id": checkpoint.config["configurable"]["thread_id"]}
            for key in ("prompt_version", "model", "trace_id"):
                if isinstance(metadata.get(key), str):
                    found[key] = metadata[key]
            return found
        return None

    async def roll_back(self, thread_id: str, run_id: str) -> str | None:
        """Undo a run that ended: the checkpoint the thread was at before it, to run
        from (None: the run saved nothing, or was the thread's first, whose
        checkpoints are then deleted)."""
        checkpointer = self.graph.checkpointer
        if not isinstance(checkpointer, BaseCheckpointSaver):
            return None
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        first = None
        async for checkpoint in checkpointer.alist(config, filter={"run_id": run_id}):
            first = checkpoint  # newest first: the last one is the run's first
        if first is None:
            return None
        if first.parent_config is None:
            await checkpointer.adelete_thread(thread_id)
            return None
        parent: str = first.parent_config["configurable"]["checkpoint_id"]
        return parent

    async def delete(self, thread_id: str) -> None:
        """Forget a thread: its record and its checkpoints."""
        await self.threads.delete(thread_id)
        checkpointer = self.graph.checkpointer
        if isinstance(checkpointer, BaseCheckpointSaver):
            await checkpointer.adelete_thread(thread_id)
