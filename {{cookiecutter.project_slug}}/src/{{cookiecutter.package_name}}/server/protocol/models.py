"""Request bodies of the Agent Protocol subset, as the LangGraph clients send them.

Unknown keys are ignored, not refused: clients send options this server does not
use (`durability`, `langsmith_tracer`, ...).
"""

from typing import Annotated, Any, Literal

from langchain_core.messages import BaseMessage, convert_to_messages
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ...runtime.multitask import Multitask
from ..schemas import StorableStr, ThreadId, storable

# Client JSON that is saved (metadata, run input): what the stores can keep.
JsonObject = Annotated[dict[str, Any], AfterValidator(storable)]

# LangGraph stream modes this server streams; `messages-tuple` is LangGraph's
# "messages" mode, sent as `messages` events of `[message, metadata]`.
StreamMode = Literal[
    "values", "updates", "messages-tuple", "custom", "debug", "tasks", "checkpoints"
]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CheckpointRef(_Lenient):
    """A checkpoint as clients name one (`thread_id` and `checkpoint_ns` unused)."""

    checkpoint_id: StorableStr | None = None


class ThreadCreate(_Lenient):
    """`POST /threads`."""

    thread_id: ThreadId | None = None
    metadata: JsonObject = Field(default_factory=dict)
    if_exists: Literal["raise", "do_nothing"] = "raise"


class ThreadSearch(_Lenient):
    """`POST /threads/search`: metadata is matched as a subset."""

    metadata: JsonObject | None = None
    status: Literal["idle", "busy", "interrupted", "error"] | None = None
    ids: list[str] | None = None
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class HistoryQuery(_Lenient):
    """`POST /threads/{id}/history`: newest first."""

    limit: int = Field(10, ge=1, le=1000)
    before: StorableStr | CheckpointRef | None = None
    metadata: dict[str, Any] | None = None

    def before_id(self) -> str | None:
        """The checkpoint id in `before`, sent as a string or a checkpoint."""
        if isinstance(self.before, CheckpointRef):
            return self.before.checkpoint_id or None
        return self.before


class CheckpointQuery(_Lenient):
    """`POST /threads/{id}/state/checkpoint` (RemoteGraph's get_state)."""

    checkpoint: CheckpointRef = Field(default_factory=CheckpointRef)


class CommandBody(_Lenient):
    """`command`: resume an interrupt (`update` and `goto` are not supported)."""

    resume: Annotated[Any, AfterValidator(storable)] = None
    update: Any = None
    goto: Any = None

    @field_validator("update", "goto")
    @classmethod
    def _unsupported(cls, value: Any) -> Any:
        if value not in (None, [], "", {}):
            raise ValueError("only `command.resume` is supported by this server")
        return None


class RunCreate(_Lenient):
    """`POST /threads/{id}/runs/stream|wait` and `POST /runs/stream|wait`."""

    assistant_id: str
    input: JsonObject | None = None
    command: CommandBody | None = None
    stream_mode: list[StreamMode] = Field(default_factory=lambda: ["values"])  # type: ignore[arg-type]
    stream_subgraphs: bool = False
    metadata: JsonObject = Field(default_factory=dict)
    checkpoint: CheckpointRef | None = None
    checkpoint_id: StorableStr | None = None
    # What to do when the thread is busy (runtime/multitask.py); LangGraph's
    # server's default, so a client that sends again after a stop is queued.
    multitask_strategy: Multitask = "enqueue"
    # Keep the stream for a client that rejoins it after its connection drops.
    stream_resumable: bool = False
    if_not_exists: Literal["reject", "create"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "cancel"
    on_completion: Literal["delete", "keep"] = "delete"

    @field_validator("input")
    @classmethod
    def _chat_messages(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Refused here, a bad message is the client's 422, not a failed run.
        for index, message in enumerate(_listed((value or {}).get("messages"))):
            try:
                convert_to_messages([message])
            except (ValueError, TypeError, KeyError, NotImplementedError):
                raise ValueError(
                    f"messages.{index} is not a chat message: send a string or "
                    '{"role": "user" | "assistant" | "system", "content": ...}, or '
                    '{"role": "tool", "content": ..., "tool_call_id": ...}'
                ) from None
        return value

    def input_messages(self) -> list[BaseMessage]:
        """The messages in `input`, as the graph will read them."""
        return convert_to_messages(_listed((self.input or {}).get("messages")))

    @field_validator("multitask_strategy", mode="before")
    @classmethod
    def _default_when_null(cls, value: Any) -> Any:
        return "enqueue" if value is None else value

    @field_validator("stream_mode", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def start_checkpoint(self) -> str | None:
        """The checkpoint to run from, if the client asked for one (a fork)."""
        if self.checkpoint and self.checkpoint.checkpoint_id:
            return self.checkpoint.checkpoint_id
        return self.checkpoint_id


def _listed(messages: Any) -> list[Any]:
    """`input.messages` as a list: LangGraph also takes one message on its own."""
    if messages is None:
        return []
    return messages if isinstance(messages, list) else [messages]
