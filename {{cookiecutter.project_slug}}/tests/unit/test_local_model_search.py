"""The offline model with a search tool (any tool taking a `query`): it decides when
to search, and answers from the passages with a citation, or says it found nothing."""

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from {{ cookiecutter.package_name }}.llm.local_model import (
    NOT_IN_KNOWLEDGE,
    LocalChatModel,
)


@tool
def search_docs(query: str) -> str:
    """Search the documents.

    Args:
        query: What to look up.
    """
    return query


@tool
def order_status(order_id: str) -> str:
    """Get the status of an order.

    Args:
        order_id: The order number, e.g. "A-1001".
    """
    return f"Order {order_id} is shipped."


MODEL = LocalChatModel().bind_tools([order_status, search_docs])
PASSAGES = (
    "[returns.md#0] Returns and refunds\n"
    "Kestrel Cycles accepts returns of unused items within 30 days of delivery. "
    "Send the item back with its receipt.\n\n"
    "[shipping.txt#1] Shipping\n"
    "Express delivery arrives on the next business day, and costs 14.95 euros."
)


def ask(*messages: HumanMessage | AIMessage | ToolMessage) -> AIMessage:
    reply = MODEL.invoke(list(messages))
    assert isinstance(reply, AIMessage)
    return reply


def searched(question: str, results: str) -> AIMessage:
    """The answer after one search that returned `results`."""
    call = ask(HumanMessage(question)).tool_calls[0]
    return ask(
        HumanMessage(question),
        AIMessage("", tool_calls=[call]),
        ToolMessage(results, tool_call_id=call["id"] or "", name=call["name"]),
    )


def test_a_question_is_searched_with_the_users_words() -> None:
    [call] = ask(HumanMessage("How long do I have to return a bike?")).tool_calls
    assert call["name"] == "search_docs"
    assert call["args"] == {"query": "How long do I have to return a bike?"}


def test_a_question_for_another_tool_does_not_search() -> None:
    [call] = ask(HumanMessage("What is the status of order A-1001?")).tool_calls
    assert call["name"] == "order_status"


def test_small_talk_and_names_do_not_search() -> None:
    for text in ("Thanks, that helps!", "My name is Ada", "What is my name?"):
        assert ask(HumanMessage(text)).tool_calls == [], text


def test_the_answer_is_the_best_matching_sentence_with_its_citation() -> None:
    reply = searched("How many days do I have to return an item?", PASSAGES)
    assert reply.text == (
        "Kestrel Cycles accepts returns of unused items within 30 days of delivery. "
        "[returns.md#0]"
    )


def test_the_citation_follows_the_passage_that_answers() -> None:
    reply = searched("How fast is express delivery?", PASSAGES)
    assert reply.text.startswith("Express delivery arrives on the next business day")
    assert reply.text.endswith("[shipping.txt#1]")


def test_nothing_relevant_is_said_plainly_without_a_citation() -> None:
    assert searched("Do you sell electric scooters?", PASSAGES).text == (
        NOT_IN_KNOWLEDGE
    )
    empty = "No passage in the knowledge base matches this query."
    assert searched("Do you sell electric scooters?", empty).text == NOT_IN_KNOWLEDGE
