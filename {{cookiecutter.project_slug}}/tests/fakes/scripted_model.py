"""A chat model whose every turn the test states: the text it answers, the tools it
calls, or the error it raises. Tests that are not about the example agent drive the
graph with it, so they do not depend on any tool, prompt or keyword routing.

With the script used up, it echoes the last user message (`You said: ...`), which
is enough for tests about threads, streaming, persistence and concurrency: each
reply names its own question, so a crossed conversation shows.
"""

import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.messages.tool import ToolCall
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, Field, PrivateAttr

from {{ cookiecutter.package_name }}.llm.local_model import LocalChatModel, with_usage

# One turn of the script: a reply, tool calls, an exception to raise, or a function
# of the conversation so far that returns one of those.
Turn = str | AIMessage | BaseException | Callable[[list[BaseMessage]], Any]


def calls(*tool_calls: tuple[str, dict[str, Any]], text: str = "") -> AIMessage:
    """A turn that calls tools: `calls(("lookup", {"key": "a"}))`."""
    return AIMessage(
        content=text,
        tool_calls=[
            ToolCall(name=name, args=args, id=f"call_{uuid.uuid4().hex[:12]}")
            for name, args in tool_calls
        ],
    )


def echo(messages: list[BaseMessage]) -> str:
    """The default turn: repeat the last user message."""
    users = [m for m in messages if isinstance(m, HumanMessage)]
    return f"You said: {users[-1].text}" if users else "You said nothing."


class ScriptedChatModel(LocalChatModel):
    """Answers turn by turn from `turns`, then with `fallback`; streams word by word
    and reports token usage (words) like a provider (the local model's streaming,
    with the script in place of its keyword routing)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    turns: list[Turn] = Field(default_factory=list)
    fallback: Callable[[list[BaseMessage]], Any] = echo
    model_name: str = "scripted"

    _pending: deque[Turn] = PrivateAttr(default_factory=deque)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tool_names: list[str] = PrivateAttr(default_factory=list)

    def model_post_init(self, context: Any, /) -> None:
        self._pending.extend(self.turns)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def seen(self) -> list[list[BaseMessage]]:
        """The messages the model received, one list per turn."""
        return self._seen

    @property
    def tool_names(self) -> list[str]:
        """The tools the graph offered the model (bound last)."""
        return self._tool_names

    def then(self, *turns: Turn) -> "ScriptedChatModel":
        """Add turns to the script (a model the app already holds)."""
        with self._lock:
            self._pending.extend(turns)
        return self

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self._tool_names = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _reply(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        """The next turn of the script (LocalChatModel streams it)."""
        with self._lock:
            self._seen.append(list(messages))
            turn = self._pending.popleft() if self._pending else self.fallback
        if callable(turn) and not isinstance(turn, BaseException | AIMessage):
            turn = turn(messages)
        if isinstance(turn, BaseException):
            raise turn
        if isinstance(turn, str):
            message = AIMessage(content=turn)
        else:
            message = turn.model_copy(deep=True)
        reply = with_usage(message, messages)
        reply.response_metadata["model_name"] = self.model_name
        return reply


def scripted(*turns: Turn, **options: Any) -> ScriptedChatModel:
    """`scripted("Hello!", calls(("lookup", {"key": "a"})), "It is A.")`."""
    return ScriptedChatModel(turns=list(turns), **options)
