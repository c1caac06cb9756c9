"""The app on the scripted model and the neutral test tools, for tests that serve it
from a real uvicorn process (`--factory tests.fakes.scripted_app:create_app`).

A process cannot receive a test's script, so its model follows one neutral rule
(`directed`): a user message with `lookup:<key>` calls the `lookup` tool with that key,
a tool result is answered with `Found: <result>`, `recall` is answered with the
conversation's earlier user messages (so a test can see what a run remembers),
`crash` makes the model raise, anything else is echoed. Settings
come from the environment as usual; SCRIPTED_TOKEN_DELAY_MS slows the token stream
so that a run can be cancelled, found busy or killed mid-stream.
"""

import os
import re

from fastapi import FastAPI
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from {{ cookiecutter.package_name }}.server.app import create_app as create_real_app
from {{ cookiecutter.package_name }}.settings import Settings

from .scripted_model import ScriptedChatModel, calls, echo
from .tools import TEST_TOOLS

_LOOKUP = re.compile(r"\blookup:(\w+)")


def directed(messages: list[BaseMessage]) -> str | AIMessage | Exception:
    """`lookup:<key>` calls the tool; a tool result is reported; `recall` lists the
    earlier user messages; `crash` raises; the rest is echoed."""
    last = messages[-1] if messages else None
    if isinstance(last, ToolMessage):
        return f"Found: {last.text}"
    if isinstance(last, HumanMessage) and (keys := _LOOKUP.findall(last.text)):
        return calls(*(("lookup", {"key": key}) for key in keys))
    if isinstance(last, HumanMessage) and last.text.strip() == "crash":
        return RuntimeError("the scripted model crashed, as asked")
    if isinstance(last, HumanMessage) and last.text.strip() == "recall":
        earlier = [m.text for m in messages[:-1] if isinstance(m, HumanMessage)]
        return "Earlier: " + (" | ".join(earlier) or "nothing")
    return echo(messages)


def create_app() -> FastAPI:
    delay = float(os.environ.get("SCRIPTED_TOKEN_DELAY_MS", "0")) / 1000
    model = ScriptedChatModel(fallback=directed, token_delay_seconds=delay)
    return create_real_app(Settings(), model=model, tools=TEST_TOOLS)
