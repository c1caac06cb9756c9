"""The native API's bodies."""

from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import AfterValidator, BaseModel, Field

from ..schemas import StorableStr, ThreadId, storable


class RunInput(BaseModel):
    """A user message for `/invoke` and `/stream`."""

    message: Annotated[str, AfterValidator(storable)] = Field(
        description="The user's message."
    )
    thread_id: ThreadId | None = None


class Message(BaseModel):
    """One message of a thread, in the roles chat clients use."""

    id: str | None
    role: "Role"
    content: str
    tool_calls: list[dict[str, Any]] = []
    tool_call_id: str | None = None
    name: str | None = None
    # A tool message's outcome: `error` when the tool failed (the model was told).
    status: Literal["success", "error"] | None = None


class ThreadOutput(BaseModel):
    """A thread: its messages oldest first, and its Agent Protocol record."""

    thread_id: str
    messages: list[Message]
    created_at: str
    updated_at: str
    state_updated_at: str
    metadata: dict[str, Any]
    status: Literal["idle", "busy", "interrupted", "error"]
    config: dict[str, Any]
    values: dict[str, Any] | None
    interrupts: dict[str, list[dict[str, Any]]]


class FeedbackInput(BaseModel):
    """A user's rating of one run."""

    run_id: StorableStr = Field(min_length=1, max_length=64)
    score: float = Field(ge=0.0, le=1.0, description="1 = thumbs up, 0 = thumbs down.")
    text: StorableStr | None = Field(default=None, max_length=4000)
    thread_id: ThreadId | None = None


class FeedbackOutput(BaseModel):
    """The stored feedback record: its id and what produced the rated run."""

    feedback_id: str
    run_id: str
    thread_id: str | None = None
    trace_id: str | None = None
    prompt_version: str | None = None
    model: str | None = None


Role = Literal["user", "assistant", "tool", "system"]
_ROLES: dict[str, Role] = {
    "human": "user",
    "ai": "assistant",
    "tool": "tool",
    "system": "system",
}


def message_out(message: BaseMessage) -> Message:
    """A LangChain message as the API shows it."""
    role = _ROLES.get(message.type, "user")
    out = Message(id=message.id, role=role, content=message.text)
    if isinstance(message, AIMessage):
        out.tool_calls = [
            {"id": c["id"], "name": c["name"], "args": c["args"]}
            for c in message.tool_calls
        ]
    if isinstance(message, ToolMessage):
        out.tool_call_id, out.name = message.tool_call_id, message.name
        out.status = message.status
    return out


class ToolOutput(BaseModel):
    """A tool the agent can call."""

    name: str
    # The first paragraph of its description, as the model reads it.
    description: str
    # The MCP server it comes from (MCP_SERVERS), or None for the agent's own.
    server: str | None = None
