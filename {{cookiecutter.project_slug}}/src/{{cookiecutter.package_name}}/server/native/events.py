"""What a run tells the native API: tokens, tool calls and results, then the end.

`Transcript` turns LangGraph's `messages` and `updates` stream parts into these
events and keeps what the final event reports.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

from ...agent.guardrails import GuardrailOutcome
from ...observability.capture import passages_of
from ...runtime.run_types import RunFailed as RunFailed  # an event too


@dataclass(frozen=True)
class RunStarted:
    """The run's ids, before anything else (clients continue the thread with them)."""

    event: ClassVar[str] = "metadata"
    thread_id: str
    run_id: str


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
    # What a retrieval tool found, best first (see RunCompleted.citations for the
    # fields); empty for other tools.
    passages: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RunCompleted:
    """The run finished; the reply is the agent's last message."""

    event: ClassVar[str] = "final"
    thread_id: str
    run_id: str
    reply: str
    tool_calls: list[dict[str, Any]]
    # Pauses for a human (e.g. tool approval): `{"id", "value"}` each; resume them
    # through the Agent Protocol API with `command: {"resume": ...}`.
    interrupts: list[dict[str, Any]]
    prompt_version: str
    model: str
    # input_tokens, output_tokens and total_tokens over all the run's model calls.
    usage: dict[str, int]
    latency_ms: int
    # From the start of the run to its first streamed token; None if none streamed.
    time_to_first_token_ms: int | None
    model_calls: int
    # Estimated from MODEL_PRICES; None when the model has no price there.
    cost_usd: float | None
    # The guardrail's latest finding, or its decision on the input:
    # `{"blocked": bool, "reason": str | None, "source": str}` (docs/guardrails.md).
    guardrail: GuardrailOutcome
    # The passages the reply cites as `[key]`, in the order it first cites them:
    # `{"key", "source", "uri", "chunk", "title", "text", "score"}` each. Empty
    # when the agent retrieved nothing (or cited nothing it retrieved in this run).
    citations: list[dict[str, Any]] = field(default_factory=list)


# A citation in a reply: `[returns.md#0]`, a passage's key (its source and chunk).
CITATION = re.compile(r"\[([^\[\]]+#\d+)\]")


def cited_keys(reply: str) -> list[str]:
    """The passage keys a reply cites, each once, in order of first citation."""
    return list(dict.fromkeys(CITATION.findall(reply)))


def citations_of(
    reply: str, passages: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The passages (by key) the reply cites; unknown keys are left out."""
    return [passages[key] for key in cited_keys(reply) if key in passages]


def calls_awaiting_approval(question: Any) -> str:
    """The tool calls an approval interrupt asks about, for a sentence:
    `lookup({'key': 'alpha'}), ...`."""
    requests = question.get("action_requests", []) if isinstance(question, dict) else []
    return ", ".join(f"{r['name']}({r['args']})" for r in requests) or "a tool"


RunEvent = RunStarted | Token | ToolCallStarted | ToolResult | RunCompleted | RunFailed


def event_data(event: RunEvent) -> dict[str, Any]:
    """An event's fields, ready for JSON.

    A shallow copy (not `dataclasses.asdict`, which copies every nested list and
    dict again, at several calls a value): the values are the event's own, which
    no one changes once it is made.
    """
    return dict(vars(event))


@dataclass
class Transcript:
    """Turns LangGraph's stream into run events, keeping what the final event needs."""

    reply: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    # Passages retrieved in this run (tool results whose artifact lists passages),
    # by key: what the reply's citations point to.
    passages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def citations(self) -> list[dict[str, Any]]:
        """The retrieved passages the reply cites; unknown keys are left out."""
        return citations_of(self.reply, self.passages)

    def events(self, mode: str, chunk: Any) -> Iterator[RunEvent]:
        if mode == "messages":
            # Tokens as any node's model streams them, whatever the node is called.
            # A model call that is not for the user (a classifier, a summary) is
            # tagged `nostream` (LangGraph's convention) and never reaches here.
            message, _ = chunk
            if isinstance(message, AIMessageChunk) and message.text:
                yield Token(message.text)
            return
        # "updates": whole messages once each node finishes.
        for node, update in chunk.items():
            if node == "__interrupt__":
                self.interrupts += [{"id": i.id, "value": i.value} for i in update]
                continue
            for message in (update or {}).get("messages", []):
                if isinstance(message, AIMessage):
                    yield from self._model_turn(message)
                elif isinstance(message, ToolMessage):
                    passages = passages_of(message.artifact)
                    self.passages |= {passage["key"]: passage for passage in passages}
                    yield ToolResult(
                        tool_call_id=message.tool_call_id,
                        name=message.name or "",
                        content=message.text,
                        is_error=message.status == "error",
                        passages=passages,
                    )

    def _model_turn(self, message: AIMessage) -> Iterator[RunEvent]:
        self.reply = message.text
        for call in message.tool_calls:
            started = ToolCallStarted(
                id=call["id"] or "", name=call["name"], args=call["args"]
            )
            self.tool_calls.append(event_data(started))
            yield started
