"""Memory across conversations: what users tell the agent about themselves in one
thread, recalled in their next ones (MEMORY=store).

Kept in LangGraph's store (the conversations' database), one namespace per user:
`("memories", <a digest of the user's id>)` (an id such as an e-mail address is not
a valid namespace label, and need not be stored in the clear), one item per fact,
keyed by what it is about (`name`, `home`, ...), so a newer statement replaces an
older one. The graph reads a user's memories when a run starts and adds to them
when the agent has answered (graph.py); the API lists and erases them
(`/memories`).

What is kept is deliberately narrow and predictable: a user's own plain statements
about themselves (their name, where they live, where they work, what they prefer),
found by the patterns below in messages the guardrail let through. Each is kept as
a sentence about the user, never as the user's words, a few words long, and only if
the guardrail finds nothing in that sentence either: so a memory is a fact, and the
prompt says so.

Memories are a person's: runs for a caller that speaks for many people under one
identity (another agent over A2A or MCP; Agent Engine, whose calls name no caller)
neither read nor keep them (RunRequest.memory).
"""

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from .context import AgentContext, context_of
from .guardrails import Guardrail
from .prompts import load_prompt

NAMESPACE = "memories"
# More than a person says about themselves in these few kinds of statement.
MAX_MEMORIES = 50
# What introduces the memories in the system prompt: they are facts, not orders.
HEADER = load_prompt("memories", "v1").text

# A value: a few words, up to a joining word or punctuation (no instruction fits).
_JOIN = r"(?!(?i:and|but|or|so|because|since|while|with|who|which|that|where)\b)"
_VALUE = r"(?P<value>[^\W\d_][\w'&-]*(?:[ \t]+" + _JOIN + r"[\w'&-]+){0,4})"
# What a user says about themselves, and the sentence kept for it. Each pattern's
# phrase is matched in any case; a name must be capitalised.
FACTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "name",
        re.compile(
            r"(?i:\bmy name is|\bmy name's|\bcall me|\bi'm called|\bi am called)"
            r"\s+(?P<value>[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*)?)"
        ),
        "The user's name is {value}.",
    ),
    (
        "home",
        re.compile(r"(?i:\bi live in|\bi'm based in|\bi am based in)\s+" + _VALUE),
        "The user lives in {value}.",
    ),
    (
        "work",
        re.compile(r"(?i:\bi work (?P<how>at|for|as))\s+" + _VALUE),
        "The user works {how} {value}.",
    ),
    (
        "prefers",
        # Not "I prefer you ..." or "I prefer that ...": a wish about the agent.
        re.compile(r"(?i:\bi prefer)\s+(?!(?i:you|your|that|if)\b)" + _VALUE),
        "The user prefers {value}.",
    ),
)


@dataclass(frozen=True)
class Memory:
    """One fact about a user: what it is about (`key`) and the sentence kept."""

    key: str
    text: str
    updated_at: str


def facts(message: str) -> dict[str, str]:
    """The facts a user's message states about them, by key, as sentences."""
    found: dict[str, str] = {}
    for key, pattern, sentence in FACTS:
        if match := pattern.search(message):
            parts = {name: value.strip() for name, value in match.groupdict().items()}
            found[key] = sentence.format(**parts)
    return found


async def recall(store: BaseStore, user: str) -> list[Memory]:
    """`user`'s memories, oldest first."""
    items = await store.asearch(_namespace(user), limit=MAX_MEMORIES)
    memories = [
        Memory(item.key, str(item.value["text"]), item.updated_at.isoformat())
        for item in items
    ]
    return sorted(memories, key=lambda memory: memory.updated_at)


async def remember(
    store: BaseStore, user: str, messages: Iterable[str], *, screen: Guardrail
) -> None:
    """Keep what these messages of `user`'s say about them (newest wins), each
    sentence only if `screen` finds nothing in it."""
    found: dict[str, str] = {}
    for message in messages:
        found |= facts(message)
    for key, text in found.items():
        if await screen.classify(text) is None:
            await store.aput(_namespace(user), key, {"text": text}, index=False)


async def forget(store: BaseStore, user: str, key: str | None = None) -> int:
    """Erase `user`'s memory `key`, or all of them; how many were erased."""
    keys = [key] if key else [memory.key for memory in await recall(store, user)]
    erased = 0
    for each in keys:
        if await store.aget(_namespace(user), each) is not None:
            await store.adelete(_namespace(user), each)
            erased += 1
    return erased


def _namespace(user: str) -> tuple[str, str]:
    return NAMESPACE, hashlib.sha256(user.encode()).hexdigest()[:32]


def memory_prompt(memories: Iterable[str]) -> str:
    """The block the system prompt ends with when the user has memories."""
    lines = [f"- {memory}" for memory in memories]
    return f"{HEADER}\n" + "\n".join(lines) if lines else ""


def memory_of(runtime: Runtime[AgentContext]) -> tuple[BaseStore, str] | None:
    """The store and the user whose memories this run reads and keeps; None with
    MEMORY=off, or without a store or a user."""
    context = context_of(runtime)
    if context.memory and runtime.store is not None and context.user_id:
        return runtime.store, context.user_id
    return None


def said_this_turn(messages: Sequence[BaseMessage]) -> list[str]:
    """The user's messages since the agent's previous answer."""
    said: list[str] = []
    for message in reversed(messages):
        if isinstance(message, AIMessage) and not message.tool_calls:
            break
        if isinstance(message, HumanMessage):
            said.append(message.text)
    return said[::-1]
