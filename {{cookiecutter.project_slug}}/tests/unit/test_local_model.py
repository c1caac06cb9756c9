"""The offline model: tool calls when asked, answers from results, streaming."""

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from {{ cookiecutter.package_name }}.agent.tools import TOOLS
from {{ cookiecutter.package_name }}.local_model import LocalChatModel

MODEL = LocalChatModel().bind_tools(TOOLS)


def ask(*messages: HumanMessage | AIMessage | ToolMessage) -> AIMessage:
    reply = MODEL.invoke(list(messages))
    assert isinstance(reply, AIMessage)
    return reply


def test_a_weather_question_becomes_a_tool_call() -> None:
    reply = ask(HumanMessage("What is the weather in New York?"))
    assert reply.content == ""
    [call] = reply.tool_calls
    assert (call["name"], call["args"]) == ("get_weather", {"city": "New York"})


def test_two_topics_become_two_calls() -> None:
    reply = ask(HumanMessage("Weather and time in Tokyo, please"))
    assert [c["name"] for c in reply.tool_calls] == ["get_weather", "get_current_time"]
    assert len({c["id"] for c in reply.tool_calls}) == 2


def test_the_place_carries_over_from_an_earlier_turn() -> None:
    reply = ask(
        HumanMessage("Weather in Sydney?"),
        AIMessage("Sunny."),
        HumanMessage("And what time is it there?"),
    )
    assert reply.tool_calls[0]["args"] == {"city": "Sydney"}


def test_without_a_place_it_asks_which() -> None:
    reply = ask(HumanMessage("How is the weather?"))
    assert not reply.tool_calls
    assert "Which place" in reply.text


def test_it_answers_from_tool_results() -> None:
    call = ask(HumanMessage("Weather in Paris?"))
    result = ToolMessage("Sunny, 20°C.", tool_call_id=call.tool_calls[0]["id"])
    reply = ask(HumanMessage("Weather in Paris?"), call, result)
    assert reply.text == "Here is what I found: Sunny, 20°C."
    assert not reply.tool_calls


def test_it_reports_tool_errors() -> None:
    call = ask(HumanMessage("Weather in Atlantis?"))
    error = ToolMessage("No data.", tool_call_id="x", status="error")
    reply = ask(HumanMessage("Weather in Atlantis?"), call, error)
    assert reply.text.startswith("Sorry")
    assert "No data." in reply.text


def test_it_remembers_a_name_within_the_conversation() -> None:
    greeting = ask(HumanMessage("Hi, my name is Ada"))
    assert greeting.text == "Nice to meet you, Ada!"
    recall = ask(
        HumanMessage("Hi, my name is Ada"), greeting, HumanMessage("What is my name?")
    )
    assert recall.text == "Your name is Ada."
    assert "not told me" in ask(HumanMessage("What's my name?")).text


def test_replies_are_deterministic_and_report_usage() -> None:
    first = ask(HumanMessage("Tell me a joke"))
    assert first.text == ask(HumanMessage("Tell me a joke")).text
    assert "get_weather" in first.text
    assert first.usage_metadata is not None
    assert first.usage_metadata["output_tokens"] == len(first.text.split())


def test_text_streams_token_by_token() -> None:
    question = [HumanMessage("Hi, my name is Grace")]
    chunks = list(MODEL.stream(question))
    texts = [chunk.text for chunk in chunks if chunk.text]
    assert len(texts) == 5
    assert "".join(texts) == MODEL.invoke(question).text


def test_a_tool_call_streams_as_tool_call_chunks_only() -> None:
    merged: AIMessageChunk | None = None
    for chunk in MODEL.stream([HumanMessage("Time in London?")]):
        assert isinstance(chunk, AIMessageChunk)
        assert chunk.text == ""
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    assert merged.tool_calls[0]["args"] == {"city": "London"}
    assert merged.usage_metadata is not None


async def test_async_streaming_matches_sync() -> None:
    question = [HumanMessage("Weather in Berlin?")]
    chunks = [chunk async for chunk in MODEL.astream(question)]
    assert [c.tool_call_chunks for c in chunks] == [
        c.tool_call_chunks for c in MODEL.stream(question)
    ]
