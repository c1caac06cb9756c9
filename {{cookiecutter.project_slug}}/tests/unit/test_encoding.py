"""LangGraph objects as the Agent Protocol clients read them."""

import json

from langchain_core.messages import AIMessageChunk, HumanMessage
from langgraph.types import Interrupt

from {{ cookiecutter.package_name }}.runtime.run_types import StreamPart
from {{ cookiecutter.package_name }}.server import encoding
from {{ cookiecutter.package_name }}.server.protocol.streams import event_name


def test_messages_are_model_dumps_and_interrupts_value_and_id() -> None:
    chunk = AIMessageChunk(content="Hi", id="m1")
    data = json.loads(encoding.dumps([chunk, Interrupt(value={"q": 1}, id="i1")]))

    assert data[0]["type"] == "AIMessageChunk"
    assert data[0]["content"] == "Hi"
    assert data[0]["id"] == "m1"
    assert data[1] == {"value": {"q": 1}, "id": "i1"}


def test_sse_data_is_one_line_of_json() -> None:
    text = encoding.dumps({"messages": [HumanMessage("two\nlines", id="h1")]})
    assert "\n" not in text
    assert json.loads(text)["messages"][0]["content"] == "two\nlines"


def test_subgraph_events_carry_their_namespace() -> None:
    root = StreamPart(namespace=(), mode="values", data={})
    nested = StreamPart(namespace=("research:1", "tools:2"), mode="updates", data={})

    assert event_name(root) == "values"
    assert event_name(nested) == "updates|research:1|tools:2"
