"""The offline model's policy, for any tools: which tool a message calls, the
arguments it fills (quoted, id-like, place, number, choice), the question it asks
when one is missing, answers from results, memory, usage and streaming. The tools
are the test's own, so replacing the example's changes nothing here."""

from typing import Literal

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from {{ cookiecutter.package_name }}.llm.local_model import LocalChatModel


@tool
def lookup(key: str, fallback: str = "none") -> str:
    """Look up the value stored under a key.

    Args:
        key: The key, e.g. "alpha".
        fallback: What to return for an unknown key.
    """
    return f"{key} = 1"


@tool
def order_status(order_id: str) -> str:
    """Get the status of an order.

    Args:
        order_id: The order number, e.g. "A-1001".
    """
    return f"Order {order_id} is shipped."


@tool
def refund_policy() -> str:
    """Get the refund policy."""
    return "Refunds within 30 days."


@tool
def opening_hours(branch: str) -> str:
    """Get a branch's opening hours.

    Args:
        branch: The branch, e.g. "Harbour Street".
    """
    return f"{branch} opens at 9:00."


@tool
def reserve_seats(seats: int, section: Literal["front", "back"]) -> str:
    """Reserve seats in a section.

    Args:
        seats: How many seats.
        section: Where.
    """
    return f"{seats} seats reserved at the {section}."


MODEL = LocalChatModel().bind_tools(
    [lookup, order_status, refund_policy, opening_hours, reserve_seats]
)


def ask(*messages: HumanMessage | AIMessage | ToolMessage) -> AIMessage:
    reply = MODEL.invoke(list(messages))
    assert isinstance(reply, AIMessage)
    return reply


def call_of(text: str) -> tuple[str, dict[str, object]]:
    """The one tool call a message makes: its name and arguments."""
    reply = ask(HumanMessage(text))
    assert reply.content == ""
    [call] = reply.tool_calls
    return call["name"], call["args"]


def test_an_id_like_token_fills_the_argument() -> None:
    assert call_of("Where is order A-1001?") == ("order_status", {"order_id": "A-1001"})
    assert call_of("Status of order #123") == ("order_status", {"order_id": "123"})
    assert call_of("Any news on my orders? SKU42") == (
        "order_status",
        {"order_id": "SKU42"},
    )


def test_a_place_fills_the_argument() -> None:
    assert call_of("Opening hours at Harbour Street?") == (
        "opening_hours",
        {"branch": "Harbour Street"},
    )


def test_a_quoted_value_comes_first_then_an_id_then_a_place() -> None:
    assert call_of('Please lookup "alpha beta" for me') == (
        "lookup",
        {"key": "alpha beta"},
    )
    assert call_of("Order status of B-77 in North Hall?") == (
        "order_status",
        {"order_id": "B-77"},
    )
    # Apostrophes quote nothing; times and plain numbers are not ids.
    assert call_of("What's the opening hours at Harbour Street at 3pm, v2 42?") == (
        "opening_hours",
        {"branch": "Harbour Street"},
    )


def test_optional_arguments_are_left_to_the_tools_defaults() -> None:
    assert call_of("lookup 'alpha'") == ("lookup", {"key": "alpha"})


def test_numbers_and_choices_fill_their_arguments() -> None:
    assert call_of("Reserve 3 seats at the back, please") == (
        "reserve_seats",
        {"seats": 3, "section": "back"},
    )


def test_a_tool_without_parameters_is_called_when_its_name_is_mentioned() -> None:
    assert call_of("What is your refund policy?") == ("refund_policy", {})


def test_two_topics_become_two_calls() -> None:
    reply = ask(HumanMessage("The order status of A-1001, and your refund policy?"))
    assert [c["name"] for c in reply.tool_calls] == ["order_status", "refund_policy"]
    assert len({c["id"] for c in reply.tool_calls}) == 2


def test_a_value_carries_over_from_an_earlier_turn() -> None:
    reply = ask(
        HumanMessage("I ordered A-1001 last week."),
        AIMessage("Noted."),
        HumanMessage("What is its status?"),
    )
    assert reply.tool_calls[0]["args"] == {"order_id": "A-1001"}


def test_without_a_value_it_asks_for_the_parameter_by_name() -> None:
    reply = ask(HumanMessage("Where are my orders?"))
    assert not reply.tool_calls
    assert reply.text == "Which order id do you mean? I need it for order_status."
    assert ask(HumanMessage("Reserve seats!")).text.startswith("Which seats")


def test_it_answers_from_tool_results() -> None:
    question = HumanMessage("Where is order A-1001?")
    call = ask(question)
    result = ToolMessage("Order A-1001 is shipped.", tool_call_id="x")
    reply = ask(question, call, result)
    assert reply.text == "Here is what I found: Order A-1001 is shipped."
    assert not reply.tool_calls


def test_it_reports_tool_errors() -> None:
    call = ask(HumanMessage("Where is order Z-9?"))
    error = ToolMessage("No order 'Z-9'.", tool_call_id="x", status="error")
    reply = ask(HumanMessage("Where is order Z-9?"), call, error)
    assert reply.text.startswith("Sorry")
    assert "No order 'Z-9'." in reply.text


def test_it_remembers_a_name_within_the_conversation() -> None:
    greeting = ask(HumanMessage("Hi, my name is Ada"))
    assert greeting.text == "Nice to meet you, Ada!"
    recall = ask(
        HumanMessage("Hi, my name is Ada"), greeting, HumanMessage("What is my name?")
    )
    assert recall.text == "Your name is Ada."
    assert "not told me" in ask(HumanMessage("What's my name?")).text


def test_small_talk_offers_the_tools_with_what_they_need() -> None:
    first = ask(HumanMessage("Tell me a joke"))
    assert first.text == ask(HumanMessage("Tell me a joke")).text
    assert "order_status(order_id)" in first.text
    assert "refund_policy()" in first.text
    assert first.usage_metadata is not None
    assert first.usage_metadata["output_tokens"] == len(first.text.split())
    without_tools = LocalChatModel().invoke([HumanMessage("Tell me a joke")])
    assert "no tools" in without_tools.text


def test_text_streams_token_by_token() -> None:
    question = [HumanMessage("Hi, my name is Grace")]
    chunks = list(MODEL.stream(question))
    texts = [chunk.text for chunk in chunks if chunk.text]
    assert len(texts) == 5
    assert "".join(texts) == MODEL.invoke(question).text


def test_a_tool_call_streams_as_tool_call_chunks_only() -> None:
    merged: AIMessageChunk | None = None
    for chunk in MODEL.stream([HumanMessage("Where is order A-1002?")]):
        assert isinstance(chunk, AIMessageChunk)
        assert chunk.text == ""
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    assert merged.tool_calls[0]["args"] == {"order_id": "A-1002"}
    assert merged.usage_metadata is not None


async def test_async_streaming_matches_sync() -> None:
    question = [HumanMessage("Opening hours at Harbour Street?")]
    chunks = [chunk async for chunk in MODEL.astream(question)]
    assert [c.tool_call_chunks for c in chunks] == [
        c.tool_call_chunks for c in MODEL.stream(question)
    ]
