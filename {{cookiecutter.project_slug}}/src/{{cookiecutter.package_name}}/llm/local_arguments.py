"""How the local model picks a tool and fills its arguments, from the words of the
conversation (see local_model.py): a tool when a word of its name appears, each
required argument from the latest user message giving one."""

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

# Words of a tool name that say how, not what ("get_current_time" is about "time").
_GENERIC_WORDS = {"get", "current", "fetch", "find", "lookup", "read", "the", "a"}
_PLACE = re.compile(r"\b(?i:in|for|at)\s+((?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*)*)")
# A quoted value; a single quote only at word edges, so "what's" quotes nothing.
_QUOTED = re.compile(r"\"([^\"\n]+)\"|“([^”\n]+)”|(?<!\w)'([^'\n]+)'(?!\w)")
_WORD_WITH_MARKS = re.compile(r"#?\w+(?:-\w+)*")
# A number standing alone: not the digits of "A-1001", "3pm" or "v2".
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-]|\.\d)")


def mentions(text: str, tool_name: str) -> bool:
    words = set(re.findall(r"[a-z]+", text.lower()))
    # `getWeather` and `get-weather` name the same topics as `get_weather`.
    snake_case = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", tool_name).lower()
    parts = re.findall(r"[a-z]+", snake_case)
    # A name made only of generic words (`lookup`) is its own topic.
    topics = [part for part in parts if part not in _GENERIC_WORDS] or parts
    # A plain plural too ("orders"), but no stemming: "news" is not "New York".
    return any(topic in words or f"{topic}s" in words for topic in topics)


def arguments(
    parameters: dict[str, Any], messages: Sequence[BaseMessage]
) -> dict[str, Any]:
    """A value for each required parameter, from the latest user message giving one.
    Optional ones are left to the tool's defaults: a guess would override them."""
    texts = [m.text for m in reversed(messages) if isinstance(m, HumanMessage)]
    properties = parameters.get("properties", {})
    args: dict[str, Any] = {}
    for name in parameters.get("required", []):
        found = (_value(properties.get(name, {}), text) for text in texts)
        value = next((value for value in found if value is not None), None)
        if value is not None:
            args[name] = value
    return args


def _value(spec: dict[str, Any], text: str) -> Any:
    """The value one message gives for a parameter of this schema, or None."""
    if "enum" in spec:
        return next((v for v in spec["enum"] if str(v).lower() in text.lower()), None)
    if spec.get("type") in ("integer", "number"):
        number = _NUMBER.search(text)
        value = float(number.group()) if number else None
        return int(value) if value is not None and value.is_integer() else value
    return _text_value(text) if spec.get("type") == "string" else None


def _text_value(text: str) -> str | None:
    """Quoted words, else an id-like token, else a place: the most explicit first."""
    if quoted := _QUOTED.search(text):
        return str(next(filter(None, quoted.groups())))
    ids = [word.lstrip("#") for word in _WORD_WITH_MARKS.findall(text) if _is_id(word)]
    places = _PLACE.findall(text)
    return ids[0] if ids else str(places[-1]) if places else None


def _is_id(word: str) -> bool:
    """An order number, SKU or date ("A-1001", "#123", "SKU42", "2024-05-01"): digits
    with a hash, hyphen or capital, so "3pm", "v2" and "42" are not ids."""
    marked = word.startswith("#") or "-" in word or any(map(str.isupper, word))
    return marked and any(map(str.isdigit, word))


def ask_for(parameter: str, tool: str) -> str:
    return f"Which {parameter.replace('_', ' ')} do you mean? I need it for {tool}."
