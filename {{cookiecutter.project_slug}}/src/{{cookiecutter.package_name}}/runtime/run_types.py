"""The values a run takes and gives: its request, its stream parts, its failure and
the handle its consumer reads them through."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    ToolMessage,
    convert_to_messages,
)
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError
from langgraph.types import Command

from ..agent.faults import failure_code
from ..agent.guardrails import GuardrailOutcome
from ..agent.state import AgentState
from ..observability.metering import RunSummary
from ..observability.telemetry import trace_id
from .errors import is_storage_error
from .threads import ANONYMOUS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunRequest:
    """A validated run: graph input (or a `Command`, to resume) for a thread."""

    thread_id: str
    input: AgentState | Command[Any] | None
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # Run from this checkpoint instead of the thread's latest (a fork).
    checkpoint_id: str | None = None
    # The metadata of a thread this run creates, which no client knows of yet.
    new_thread_metadata: dict[str, Any] | None = None
    # Who asks: whose thread this run creates (see threads.py), and whose
    # memories the agent reads and keeps (agent/memories.py).
    owner: str = ANONYMOUS
    # Whether the agent reads and keeps the owner's memories: not for a caller
    # that speaks for many people under one identity (another agent over A2A or
    # MCP), whose memories would mix theirs.
    memory: bool = True
    # Whether a client learns the new thread's id before the run ends (a stream's
    # first event tells it; /invoke's reply comes at the end). Announced, the
    # thread is recorded busy when the run starts and its status set when it ends;
    # not, it is recorded once, when the run ends: one write per run.
    announced: bool = True
    # A thread that lives for this run only (a stateless Agent Protocol run): the
    # run deletes it when it ends, however it ends, client still there or not.
    temporary: bool = False

    @property
    def unseen(self) -> bool:
        """Whether the run creates a thread no client can know of before the run
        ends: then no other run can be started on it, in any process, and the run
        takes no thread lock."""
        return self.new_thread_metadata is not None and not self.announced


@dataclass(frozen=True)
class StreamPart:
    """One item of LangGraph's stream: namespace (subgraphs), mode and payload."""

    namespace: tuple[str, ...]
    mode: str
    data: Any


@dataclass(frozen=True)
class RunFailed:
    """The run stopped on an error; the thread keeps what was saved before it."""

    event: ClassVar[str] = "error"
    code: str
    message: str
    thread_id: str
    run_id: str

    @classmethod
    def of(cls, request: RunRequest, code: str, message: str) -> "RunFailed":
        return cls(code, message, request.thread_id, request.run_id)

    @classmethod
    def cancelled(cls, request: RunRequest, *, shutdown: bool) -> "RunFailed":
        """A run cancelled by its client, or by the server stopping (runs.py)."""
        if shutdown:
            message = "the server stopped before the run finished; send it again"
            return cls.of(request, "shutting_down", message)
        return cls.of(request, "cancelled", "the run was cancelled")

    @classmethod
    def raised(
        cls, request: RunRequest, error: Exception, *, max_steps: int
    ) -> "RunFailed":
        """The failure of a run that raised `error`, logged for the operator (the
        client is told only what kind of fault, and where to look)."""
        if isinstance(error, GraphRecursionError):
            limit = f"{max_steps} steps (MAX_AGENT_STEPS)"
            message = f"the agent did not finish within {limit}"
            # An agent that loops is a fault to look at, like an exception.
            logger.error("run %s: %s", request.run_id, message)
            return cls.of(request, "agent_step_limit", message)
        logger.error("run %s failed", request.run_id, exc_info=error)
        code = "storage_unavailable" if is_storage_error(error) else None
        return cls.of(
            request,
            code or failure_code(error),
            f"the agent failed ({type(error).__name__}); "
            f"see the server log for run {request.run_id}",
        )


# What a run's task hands its readers: stream parts, then possibly a failure, then
# its summary, then None.
RunItem = StreamPart | RunFailed | RunSummary | None


class RunLog:
    """A run's items, kept while anyone may read them, so a client can join a run
    it did not start, or rejoin one after its connection dropped, from any point."""

    def __init__(self) -> None:
        self.items: list[RunItem] = []
        self._added = asyncio.Event()

    def put_nowait(self, item: RunItem) -> None:
        self.items.append(item)
        self._added.set()
        self._added = asyncio.Event()

    async def read(self, start: int = 0) -> AsyncIterator[tuple[int, RunItem]]:
        """The items from `start` on, with their positions, as they come; the
        last is None."""
        position = start
        while True:
            added = self._added
            while position < len(self.items):
                item = self.items[position]
                yield position, item
                if item is None:
                    return
                position += 1
            await added.wait()


class RunHandle:
    """A run as one reader follows it: its stream parts, from the run's own task."""

    def __init__(
        self,
        task: "asyncio.Task[None]",
        log: RunLog,
        *,
        start: int = 0,
        resumable: bool = False,
    ) -> None:
        self.task, self.log, self.start = task, log, start
        # Whether its log outlives it, for clients that rejoin its stream.
        self.resumable = resumable
        # Set once the run is over and its parts have been read.
        self.summary: RunSummary | None = None
        # The log position of the last part handed out (a resumable stream's id).
        self.position = start - 1

    async def parts(
        self, *, cancel_on_disconnect: bool = True
    ) -> AsyncIterator[StreamPart | RunFailed]:
        """LangGraph's stream parts, ending with `RunFailed` if the run fails.

        If the reader stops early (a client disconnects), the run is cancelled,
        unless `cancel_on_disconnect` is False: then it finishes on its own.
        """
        ended = False
        try:
            async for position, part in self.log.read(self.start):
                if part is None:  # the run is over
                    break
                if isinstance(part, RunSummary):
                    self.summary = part
                    continue
                # A failure is the run's last word; what follows is bookkeeping.
                ended = isinstance(part, RunFailed)
                self.position = position
                yield part
            ended = True
        finally:
            if cancel_on_disconnect and not ended:
                self.task.cancel()


@dataclass
class Outcome:
    """What a run's top-level `updates` say about how it ended."""

    # The guardrail's decision, if the guard step ran in this run.
    guardrail: GuardrailOutcome | None = None
    # The run stopped for a human (an `interrupt()` in a node).
    interrupted: bool = False
    # The model's and the tools' messages of this run, in order (for CAPTURE_RUNS).
    messages: list[BaseMessage] = field(default_factory=list)

    def read(self, updates: Any) -> None:
        for node, update in updates.items():
            if node == "__interrupt__":
                self.interrupted = self.interrupted or bool(update)
                continue
            if not isinstance(update, dict):
                continue
            if "guardrail" in update:
                self.guardrail = update["guardrail"]
            self.messages += [
                message
                for message in update.get("messages", [])
                if isinstance(message, AIMessage | ToolMessage)
            ]


def user_input(graph_input: Any) -> str | None:
    """The last user message of a run's input (None when resuming)."""
    if not isinstance(graph_input, dict) or not graph_input.get("messages"):
        return None
    try:
        messages = convert_to_messages(graph_input["messages"])
    except Exception:  # only for the log line: an odd input has no user text
        return None
    humans = [m for m in messages if isinstance(m, HumanMessage)]
    return humans[-1].text if humans else None


def run_config(
    request: RunRequest,
    meter: BaseCallbackHandler,
    *,
    metadata: dict[str, str],
    max_steps: int,
) -> RunnableConfig:
    """LangGraph's config for a run: its thread (and checkpoint), its metadata, the
    step budget and the meter."""
    configurable = {"thread_id": request.thread_id}
    if request.checkpoint_id:
        configurable["checkpoint_id"] = request.checkpoint_id
    metadata = {"run_id": request.run_id, **metadata}
    # The request's trace, so feedback on the run can point at it.
    if trace := trace_id():
        metadata["trace_id"] = trace
    return {
        "configurable": configurable,
        "run_id": uuid.UUID(request.run_id),
        # Every node run counts, whichever node (guard, agent, tools, one of
        # yours): the budget knows nothing of the graph. LangGraph counts the
        # input as a step too, hence the one more.
        "recursion_limit": max_steps + 1,
        "callbacks": [meter],
        # Saved with every checkpoint: feedback finds runs (and their lineage)
        # by it. `agent_name` marks the run as an agent for the GenAI
        # instrumentation.
        "metadata": metadata,
    }
