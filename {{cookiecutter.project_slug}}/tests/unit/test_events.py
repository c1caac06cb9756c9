"""The native events a run's stream turns into: tool results carry retrieved
passages, and the final event's citations resolve the reply's `[key]` markers."""

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import START, MessagesState, StateGraph

from {{ cookiecutter.package_name }}.server.native.events import (
    Token,
    ToolResult,
    Transcript,
    cited_keys,
)

from ..fakes.scripted_model import ScriptedChatModel

RETURNS = {"key": "returns.md#0", "source": "returns.md", "text": "30 days."}
SHIPPING = {"key": "shipping.txt#1", "source": "shipping.txt", "text": "3-5 days."}


def run(transcript: Transcript, *messages: AIMessage | ToolMessage) -> list[object]:
    return [
        event
        for message in messages
        for event in transcript.events("updates", {"node": {"messages": [message]}})
    ]


def test_cited_keys_are_unique_and_in_order() -> None:
    reply = "A [b.md#2]. B [a.md#0] and again [b.md#2]; not [this] or [x#y]."
    assert cited_keys(reply) == ["b.md#2", "a.md#0"]


def test_a_key_may_hold_spaces_and_folders() -> None:
    assert cited_keys("See [faq/store hours.md#12].") == ["faq/store hours.md#12"]


def test_tool_results_carry_the_passages_of_their_artifact() -> None:
    transcript = Transcript()
    search = ToolMessage(
        "…", tool_call_id="1", name="search", artifact=[RETURNS, SHIPPING]
    )
    other = ToolMessage("alpha = 1", tool_call_id="2", name="lookup", artifact={"x": 1})
    events = run(transcript, search, other)
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.passages for r in results] == [[RETURNS, SHIPPING], []]


def test_citations_are_the_retrieved_passages_the_reply_cites() -> None:
    transcript = Transcript()
    run(
        transcript,
        ToolMessage("…", tool_call_id="1", name="s", artifact=[RETURNS, SHIPPING]),
        AIMessage("Ships in 3-5 days [shipping.txt#1], not [invented.md#3]."),
    )
    assert transcript.citations() == [SHIPPING]


def test_no_retrieval_means_no_citations() -> None:
    transcript = Transcript()
    run(transcript, AIMessage("Nothing was retrieved [returns.md#0]."))
    assert transcript.citations() == []


async def test_tokens_come_from_any_node_but_not_from_nostream_calls() -> None:
    """A node added to the graph streams its tokens whatever it is called; a model
    call tagged `nostream` (LangGraph's convention) does not reach the user."""
    writer = ScriptedChatModel(turns=["Written for the user."])
    classifier = ScriptedChatModel(turns=["internal label"])

    async def classify(state: MessagesState) -> MessagesState:
        await classifier.with_config(tags=["nostream"]).ainvoke(state["messages"])
        return {"messages": []}

    async def write(state: MessagesState) -> MessagesState:
        return {"messages": [await writer.ainvoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("classify", classify)
    builder.add_node("write", write)
    builder.add_edge(START, "classify")
    builder.add_edge("classify", "write")
    transcript, tokens = Transcript(), []
    async for mode, chunk in builder.compile().astream(
        {"messages": [("user", "Hi")]}, stream_mode=["messages", "updates"]
    ):
        tokens += [
            e.content for e in transcript.events(mode, chunk) if isinstance(e, Token)
        ]

    assert "".join(tokens) == "Written for the user."
    assert transcript.reply == "Written for the user."
