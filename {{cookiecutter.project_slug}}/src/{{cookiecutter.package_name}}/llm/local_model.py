"""A deterministic chat model, so the whole agent runs offline, with any tools.

It is not a language model: it routes by keywords. A tool is called when a word of its
name (other than verbs such as `get`) appears in the user's message. Each required
argument comes from the latest user message giving one: text from quotes, else an
id-like token ("A-1001"), else a place ("in Paris"); a number; an option named. If one
is missing, it asks for it by name. A search tool (one taking a `query`) is called with
any other question. After tool results it answers with them: from search results, with
the sentence sharing most words with the question, cited by its passage's key. It also
remembers a name the user gave, in the thread or in the memories the system prompt
carries from their other threads, which makes memory easy to see. Replies
stream word by word, tool calls as tool-call chunks.
"""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import ToolCall, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from .local_arguments import arguments, ask_for, mentions

_NAME_GIVEN = re.compile(r"\bmy name is\s+([A-Z][\w'-]*)", re.IGNORECASE)
_NAME_ASKED = re.compile(r"\bwhat(?:'s| is) my name\b", re.IGNORECASE)
_NAME_REMEMBERED = re.compile(r"\bThe user's name is ([A-Z][\w'-]*)")
_TOKEN = re.compile(r"\S+\s*")
_QUESTION_WORDS = {"what", "when", "where", "which", "who", "why", "how", "can", "do"}
_QUESTION_WORDS |= {"does", "is", "are", "will", "tell", "explain", "describe"}
# A search result: passages, each under its `[key]` and title line, blank-separated.
_PASSAGE = re.compile(r"^\[([^\[\]\n]+#\d+)\][^\n]*\n(.+?)(?=\n\n\[|\Z)", re.M | re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_STOPS = (".", "!", "?", ":")
_TITLE_CHARS = 50
_WORD = re.compile(r"[a-z0-9:]+")
# Words too common to say what a question is about.
_STOP_WORDS = {
    "a", "about", "an", "and", "are", "at", "be", "by", "can", "do", "does", "for",
    "from", "have", "how", "i", "if", "in", "is", "it", "its", "many", "me", "much",
    "my", "of", "on", "or", "our", "the", "to", "what", "when", "where", "which",
    "who", "why", "will", "with", "you", "your",
}  # fmt: skip
NOT_IN_KNOWLEDGE = "I could not find that in the knowledge base."


class LocalChatModel(BaseChatModel):
    """Deterministic, offline chat model with tool calling and token streaming."""

    token_delay_seconds: float = 0.0
    """Pause between streamed tokens, to make streaming visible in a browser."""

    model_name: str = "local"

    @property
    def _llm_type(self) -> str:
        return "local-deterministic"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Offer tools to the model, in the OpenAI schema the routing reads."""
        schemas = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=schemas, **kwargs)

    def _reply(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        """The whole answer to a conversation; generating and streaming share it (a
        test's scripted model replaces only this)."""
        return respond(messages, kwargs.get("tools", []))

    # `stop` and the callbacks' `run_manager` arrive in `_`: stop words never occur
    # in scripted replies, and `stream()` reports each token to the callbacks itself.
    def _generate(
        self, messages: list[BaseMessage], *_: Any, **kwargs: Any
    ) -> ChatResult:
        message = self._reply(messages, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self, messages: list[BaseMessage], *_: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in stream_chunks(self._reply(messages, **kwargs)):
            if self.token_delay_seconds:
                time.sleep(self.token_delay_seconds)
            yield chunk

    async def _astream(
        self, messages: list[BaseMessage], *_: Any, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in stream_chunks(self._reply(messages, **kwargs)):
            if self.token_delay_seconds:
                await asyncio.sleep(self.token_delay_seconds)
            yield chunk


def respond(
    messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]
) -> AIMessage:
    """The whole policy of the local model: the next message for a conversation."""
    last = messages[-1] if messages else None
    if isinstance(last, ToolMessage):
        content = _answer_from_tool_results(messages, tools)
        return with_usage(AIMessage(content=content), messages)
    if not isinstance(last, HumanMessage):
        return with_usage(AIMessage(content="How can I help?"), messages)

    text = last.text
    calls: list[ToolCall] = []
    for index, schema in enumerate(tools):
        function = schema["function"]
        if _is_search(schema) or not mentions(text, function["name"]):
            continue
        parameters = function.get("parameters", {})
        args = arguments(parameters, messages)
        missing = [name for name in parameters.get("required", []) if name not in args]
        if missing:
            question = ask_for(missing[0], function["name"])
            return with_usage(AIMessage(content=question), messages)
        call_id = f"call_{len(messages)}_{index}"
        calls.append(ToolCall(name=function["name"], args=args, id=call_id))
    if calls:
        return with_usage(AIMessage(content="", tool_calls=calls), messages)
    searches = [schema["function"]["name"] for schema in tools if _is_search(schema)]
    if searches and _is_question(text) and not _about_names(text):
        call_id = f"call_{len(messages)}_search"
        search = ToolCall(name=searches[0], args={"query": text}, id=call_id)
        return with_usage(AIMessage(content="", tool_calls=[search]), messages)
    return with_usage(AIMessage(content=_chat_reply(text, messages, tools)), messages)


def _is_search(schema: dict[str, Any]) -> bool:
    properties = schema["function"].get("parameters", {}).get("properties", {})
    return bool(properties.get("query", {}).get("type") == "string")


def _is_question(text: str) -> bool:
    words = text.lower().split()
    return "?" in text or (bool(words) and words[0] in _QUESTION_WORDS)


def _about_names(text: str) -> bool:
    return bool(_NAME_GIVEN.search(text) or _NAME_ASKED.search(text))


def _answer_from_tool_results(
    messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]
) -> str:
    results: list[ToolMessage] = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        results.insert(0, message)
    searches = {schema["function"]["name"] for schema in tools if _is_search(schema)}
    question = next(
        (m.text for m in reversed(messages) if isinstance(m, HumanMessage)), ""
    )
    answered = [m for m in results if m.status != "error"]
    # Search results are answered from their passages, other results quoted.
    parts = [_grounded_answer(question, m.text) for m in answered if m.name in searches]
    quoted = " ".join(m.text for m in answered if m.name not in searches)
    if quoted:
        parts.append(f"Here is what I found: {quoted}")
    found = " ".join(parts)
    failed = " ".join(m.text for m in results if m.status == "error")
    if not failed:
        return found or "The tools returned nothing."
    return f"Sorry, I could not get everything. {failed} {found}".strip()


def _grounded_answer(question: str, passages: str) -> str:
    """The passages' sentence sharing the most with the question, cited."""
    wanted = _terms(question)
    best, best_key, best_score = NOT_IN_KNOWLEDGE, "", 0
    for key, body in _PASSAGE.findall(passages):
        for sentence in _sentences(body):
            # Longer shared words say more ("switzerland" over "ship").
            score = sum(map(len, wanted & _terms(sentence)))
            if score > best_score:
                best, best_key, best_score = sentence, key, score
    return f"{best} [{best_key}]" if best_key else best


def _sentences(text: str) -> Iterator[str]:
    """A passage's sentences, paragraph by paragraph, leaving out titles: Markdown
    headings, and a paragraph's short first line that does not end a sentence."""
    for paragraph in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        lines = [line for line in lines if not line.startswith("#")]
        if lines and len(lines[0]) < _TITLE_CHARS and not lines[0].endswith(_STOPS):
            lines = lines[1:]
        if lines:
            yield from _SENTENCE_END.split(" ".join(" ".join(lines).split()))


def _terms(text: str) -> set[str]:
    """Content words, lower-case, with a plural `s` or a past `ed` dropped."""
    words = set(_WORD.findall(text.lower())) - _STOP_WORDS
    return {_stem(word) for word in words}


def _stem(word: str) -> str:
    if len(word) > 5 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def _chat_reply(
    text: str, messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]
) -> str:
    given = _NAME_GIVEN.search(text)
    if given:
        return f"Nice to meet you, {given.group(1)}!"
    if _NAME_ASKED.search(text):
        for message in reversed(messages[:-1]):
            if isinstance(message, HumanMessage):
                earlier = _NAME_GIVEN.search(message.text)
                if earlier:
                    return f"Your name is {earlier.group(1)}."
            # What the agent remembers from the user's other conversations.
            if isinstance(message, SystemMessage):
                remembered = _NAME_REMEMBERED.search(message.text)
                if remembered:
                    return f"Your name is {remembered.group(1)}."
        return "You have not told me your name yet."
    return f"I am the offline local model, so my answers are scripted. {_offer(tools)}"


def _offer(tools: Sequence[dict[str, Any]]) -> str:
    """The tools, each with what it needs (`get_weather(city)`): a hint for any."""
    if not tools:
        return "I have no tools, so I can only chat."
    functions = [tool["function"] for tool in tools]
    offers = ", ".join(
        f"{f['name']}({', '.join(f.get('parameters', {}).get('required', []))})"
        for f in functions
    )
    return f"I can help with: {offers}. Mention one, with what it needs."


def with_usage(message: AIMessage, prompt: Sequence[BaseMessage]) -> AIMessage:
    """Attach token counts (words, for the local model) like a real provider does."""
    input_tokens = sum(len(m.text.split()) for m in prompt)
    output_tokens = len(message.text.split()) + sum(
        len(json.dumps(call["args"]).split()) + 1 for call in message.tool_calls
    )
    message.usage_metadata = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    message.response_metadata = {"model_name": "local", "finish_reason": "stop"}
    return message


def stream_chunks(message: AIMessage) -> Iterator[ChatGenerationChunk]:
    """Split a finished message into the chunks a streaming provider would send."""
    for token in _TOKEN.findall(message.text):
        yield ChatGenerationChunk(message=AIMessageChunk(content=token))
    calls = [
        tool_call_chunk(
            name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=i
        )
        for i, call in enumerate(message.tool_calls)
    ]
    yield ChatGenerationChunk(
        message=AIMessageChunk(
            content="",
            tool_call_chunks=calls,
            usage_metadata=message.usage_metadata,
            response_metadata=message.response_metadata,
            chunk_position="last",
        )
    )
