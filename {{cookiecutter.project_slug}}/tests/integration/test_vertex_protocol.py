"""The real Gemini-on-Vertex client code path, against the local protocol fake."""

import json

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage, AIMessageChunk

from {{ cookiecutter.package_name }}.agent.prompts import load_prompt
from {{ cookiecutter.package_name }}.llm.chat_models import chat_model_from_settings
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.tools import TEST_TOOLS, lookup
from .sse import read_events
from .vertex_fake import ACCESS_TOKEN, VertexFake

pytestmark = pytest.mark.vertex


def test_invoke_reaches_the_vertex_endpoint_with_a_refreshed_token(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    reply = chat_model_from_settings(vertex_settings).invoke("Hello there")

    assert reply.text == "You said: Hello there"
    [request] = vertex_fake.requests
    assert request.method == "generateContent"
    assert (request.project, request.location) == ("test-project", "us-central1")
    assert request.model == vertex_settings.model_name
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert vertex_fake.token_requests == 1
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] > 0


async def test_async_invoke(vertex_settings: Settings, vertex_fake: VertexFake) -> None:
    vertex_fake.reply_text("Asynchronously yours.")

    reply = await chat_model_from_settings(vertex_settings).ainvoke("Hi")

    assert reply.text == "Asynchronously yours."
    assert vertex_fake.requests[0].last_user_text() == "Hi"


def test_streaming_arrives_in_several_chunks(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_text("one two three four")

    chunks = list(chat_model_from_settings(vertex_settings).stream("Count"))

    assert vertex_fake.requests[0].method == "streamGenerateContent"
    texts = [chunk.text for chunk in chunks if chunk.text]
    assert len(texts) == 4
    assert "".join(texts) == "one two three four"


async def test_async_streaming(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_text("alpha beta")
    model = chat_model_from_settings(vertex_settings)

    texts = [chunk.text async for chunk in model.astream("Go") if chunk.text]

    assert texts == ["alpha ", "beta"]


def test_tool_call_round_trip(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_function_call("lookup", {"key": "alpha"})
    vertex_fake.reply_text("The value of alpha is 1.")
    model = chat_model_from_settings(vertex_settings).bind_tools(TEST_TOOLS)

    first = model.invoke("What is stored under alpha?")
    assert isinstance(first, AIMessage)
    [call] = first.tool_calls
    assert (call["name"], call["args"]) == ("lookup", {"key": "alpha"})
    result = lookup.invoke(call)
    second = model.invoke(["What is stored under alpha?", first, result])

    assert second.text == "The value of alpha is 1."
    declared, answered = vertex_fake.requests
    assert declared.function_names() == [tool.name for tool in TEST_TOOLS]
    [response] = answered.function_responses()
    assert response["name"] == "lookup"
    assert "alpha = 1" in json.dumps(response["response"])


def test_streamed_tool_call_is_one_complete_call(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_function_call("lookup", {"key": "beta"})
    model = chat_model_from_settings(vertex_settings).bind_tools(TEST_TOOLS)

    merged: AIMessageChunk | None = None
    for chunk in model.stream("What is stored under beta?"):
        assert isinstance(chunk, AIMessageChunk)
        merged = chunk if merged is None else merged + chunk

    assert merged is not None
    assert [c["name"] for c in merged.tool_calls] == ["lookup"]
    assert merged.tool_calls[0]["args"] == {"key": "beta"}


def test_whole_agent_over_http(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_function_call("lookup", {"key": "alpha"})
    vertex_fake.reply_text("The value of alpha is 1.")

    with TestClient(create_app(vertex_settings, tools=TEST_TOOLS)) as client:
        events = read_events(client, "/stream", {"message": "What is alpha?"})
        final = events[-1]
        history = client.get(f"/threads/{final['data']['thread_id']}").json()

    names = [event["event"] for event in events]
    assert names[0] == "metadata"
    assert names.index("tool_call") < names.index("tool_result") < names.index("token")
    assert final["event"] == "final"
    assert final["data"]["reply"] == "The value of alpha is 1."
    assert final["data"]["model"] == vertex_settings.model_name
    first, second = vertex_fake.requests
    system = first.body["systemInstruction"]["parts"][0]["text"]
    prompt = load_prompt("system", vertex_settings.system_prompt_version).text
    # The prompt, then the canary the answers are checked for (agent/leaks.py).
    marker = system.removeprefix(prompt.rstrip()).strip()
    assert system.startswith(prompt.rstrip())
    assert marker.startswith("(Internal marker canary-")
    assert "lookup" in first.function_names()
    assert "alpha = 1" in json.dumps(second.function_responses())
    roles = [message["role"] for message in history["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"]


def test_vertex_error_fails_the_run_with_a_clear_error(
    vertex_settings: Settings, vertex_fake: VertexFake
) -> None:
    vertex_fake.reply_error(400, "Publisher model not found.")
    vertex_fake.reply_error(400, "Publisher model not found.")

    with TestClient(create_app(vertex_settings, tools=TEST_TOOLS)) as client:
        response = client.post("/invoke", json={"message": "Hello"})
        events = read_events(client, "/stream", {"message": "Hello"})

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "model_error"
    assert events[-1]["event"] == "error"
    assert events[-1]["data"]["code"] == "model_error"
