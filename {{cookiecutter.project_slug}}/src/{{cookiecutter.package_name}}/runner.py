"""The one place that runs the agent, for every entry point (HTTP API, eval, ...).

A run takes one user message on a thread (a conversation kept by the checkpointer)
and produces a stream of events: tokens, tool calls, tool results, then exactly one
`RunCompleted` or `RunFailed`. `invoke` is the same stream, collected.
"""

import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.graph.state import CompiledStateGraph

from .agent.prompts import Prompt
from .agent.state import AgentState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Token:
    """A piece of the reply, as the model streams it."""

    event: ClassVar[str] = "token"
    content: str


@dataclass(frozen=True)
class ToolCallStarted:
    """The model asked for a tool."""

    event: ClassVar[str] = "tool_call"
    id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolResult:
    """A tool answered (or failed in a way the model is told about)."""

    event: ClassVar[str] = "tool_result"
    tool_call_id: str
    name: str
    content: str
    is_error: bool


@dataclass(frozen=True)
class RunCompleted:
    """The run finished; the reply is the agent's last message."""

    event: ClassVar[str] = "final"
    thread_id: str
    run_id: str
    reply: str
    tool_calls: list[dict[str, Any]]
    prompt_version: str
    model: str
    usage: dict[str, int]
    latency_ms: int


@dataclass(frozen=True)
class RunFailed:
    """The run stopped on an error; the thread keeps what was saved before it."""

    event: ClassVar[str] = "error"
    code: str
    message: str
    thread_id: str
    run_id: str


RunEvent = Token | ToolCallStarted | ToolResult | RunCompleted | RunFailed


def event_data(event: RunEvent) -> dict[str, Any]:
    """An event's fields, ready for JSON."""
    return asdict(event)


class RunnerError(Exception):
    """A request the runner refuses before running anything."""

    code: ClassVar[str] = "invalid_request"


class InvalidMessageError(RunnerError):
    """The user message is empty or too long."""

    code = "invalid_message"


class ThreadNotFoundError(RunnerError):
    """No conversation has this thread id."""

    code = "thread_not_found"


class ThreadBusyError(RunnerError):
    """Another run is still going on this thread."""

    code = "thread_busy"


class RunFailedError(Exception):
    """`invoke` could not finish the run."""

    def __init__(self, failure: RunFailed) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class RunRequest:
    """A validated request for a run: what `stream` executes."""

    message: str
    thread_id: str
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class AgentRunner:
    """Runs the compiled graph with its checkpointer; one run at a time per thread."""

    def __init__(
        self,
        graph: CompiledStateGraph[AgentState],
        *,
        prompt: Prompt,
        model_name: str,
        max_message_chars: int,
        max_steps: int,
    ) -> None:
        self.graph = graph
        self.prompt = prompt
        self.model_name = model_name
        self.max_message_chars = max_message_chars
        self.max_steps = max_steps
        # Runs in flight, by thread. One process only: see docs/design-decisions.md.
        self._active_threads: set[str] = set()

    async def prepare(self, message: str, thread_id: str | None) -> RunRequest:
        """Validate a request; a missing thread id starts a new conversation."""
        if not message.strip():
            raise InvalidMessageError("message must not be empty")
        if len(message) > self.max_message_chars:
            raise InvalidMessageError(
                f"message is {len(message)} characters; the limit is "
                f"{self.max_message_chars} (MAX_MESSAGE_CHARS)"
            )
        if thread_id is None:
            return RunRequest(message=message, thread_id=str(uuid.uuid4()))
        if not await self.thread_exists(thread_id):
            raise ThreadNotFoundError(
                f"thread {thread_id!r} does not exist; omit thread_id to start one"
            )
        if thread_id in self._active_threads:
            raise ThreadBusyError(
                f"thread {thread_id!r} is already running; retry later"
            )
        return RunRequest(message=message, thread_id=thread_id)

    async def stream(self, request: RunRequest) -> AsyncIterator[RunEvent]:
        """Run the agent on one message and yield what happens, ending in one
        `RunCompleted` or `RunFailed`."""
        if request.thread_id in self._active_threads:
            yield self._failed(request, "thread_busy", "thread is already running")
            return
        self._active_threads.add(request.thread_id)
        try:
            async for event in self._run(request):
                yield event
        finally:
            self._active_threads.discard(request.thread_id)

    async def invoke(self, message: str, thread_id: str | None = None) -> RunCompleted:
        """Run to the end and return the reply; raise `RunFailedError` on failure."""
        request = await self.prepare(message, thread_id)
        async for event in self.stream(request):
            if isinstance(event, RunFailed):
                raise RunFailedError(event)
            if isinstance(event, RunCompleted):
                return event
        raise AssertionError("a run always ends with RunCompleted or RunFailed")

    async def thread_exists(self, thread_id: str) -> bool:
        """Whether a conversation with this id has been saved."""
        return await self.history(thread_id) is not None

    async def history(self, thread_id: str) -> list[BaseMessage] | None:
        """A thread's messages in order, or None if the thread does not exist."""
        snapshot = await self.graph.aget_state(_thread_config(thread_id))
        if snapshot.created_at is None:
            return None
        messages: list[BaseMessage] = snapshot.values.get("messages", [])
        return messages

    async def run_exists(self, run_id: str, thread_id: str | None = None) -> bool:
        """Whether a run with this id was checkpointed (on the thread, if given)."""
        checkpointer = self.graph.checkpointer
        if not isinstance(checkpointer, BaseCheckpointSaver):
            return False
        config = _thread_config(thread_id) if thread_id else None
        async for _ in checkpointer.alist(config, filter={"run_id": run_id}, limit=1):
            return True
        return False

    async def _run(self, request: RunRequest) -> AsyncIterator[RunEvent]:
        started = time.perf_counter()
        config: RunnableConfig = {
            "configurable": {"thread_id": request.thread_id},
            "run_id": uuid.UUID(request.run_id),
            "recursion_limit": self.max_steps,
            # Saved with every checkpoint: feedback finds runs by it.
            "metadata": {"run_id": request.run_id, "prompt_version": self.prompt.ref},
        }
        transcript = _Transcript()
        try:
            async for mode, chunk in self.graph.astream(
                {"messages": [HumanMessage(request.message)]},
                config,
                stream_mode=["messages", "updates"],
            ):
                for event in transcript.events(mode, chunk):
                    yield event
        except GraphRecursionError:
            limit = f"{self.max_steps} steps (MAX_AGENT_STEPS)"
            message = f"the agent did not finish within {limit}"
            yield self._failed(request, "agent_step_limit", message)
            return
        except Exception as error:
            logger.exception("run %s failed", request.run_id)
            message = (
                f"the agent failed ({type(error).__name__}); "
                f"see the server log for run {request.run_id}"
            )
            yield self._failed(request, "run_failed", message)
            return
        yield RunCompleted(
            thread_id=request.thread_id,
            run_id=request.run_id,
            reply=transcript.reply,
            tool_calls=transcript.tool_calls,
            prompt_version=self.prompt.ref,
            model=self.model_name,
            usage=transcript.usage(),
            latency_ms=round((time.perf_counter() - started) * 1000),
        )

    @staticmethod
    def _failed(request: RunRequest, code: str, message: str) -> RunFailed:
        return RunFailed(
            code=code,
            message=message,
            thread_id=request.thread_id,
            run_id=request.run_id,
        )


def _thread_config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


@dataclass
class _Transcript:
    """Turns LangGraph's stream into run events, keeping what the final event needs."""

    reply: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    def events(self, mode: str, chunk: Any) -> Iterator[RunEvent]:
        if mode == "messages":
            # Tokens as the model streams them; only the agent node's model talks.
            message, metadata = chunk
            from_agent = metadata.get("langgraph_node") == "agent"
            if from_agent and isinstance(message, AIMessageChunk) and message.text:
                yield Token(message.text)
            return
        # "updates": whole messages once each node finishes.
        for update in chunk.values():
            for message in (update or {}).get("messages", []):
                if isinstance(message, AIMessage):
                    yield from self._model_turn(message)
                elif isinstance(message, ToolMessage):
                    yield ToolResult(
                        tool_call_id=message.tool_call_id,
                        name=message.name or "",
                        content=message.text,
                        is_error=message.status == "error",
                    )

    def _model_turn(self, message: AIMessage) -> Iterator[RunEvent]:
        self.reply = message.text
        if message.usage_metadata:
            self.input_tokens += message.usage_metadata["input_tokens"]
            self.output_tokens += message.usage_metadata["output_tokens"]
        for call in message.tool_calls:
            started = ToolCallStarted(
                id=call["id"] or "", name=call["name"], args=call["args"]
            )
            self.tool_calls.append(event_data(started))
            yield started

    def usage(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
        }
