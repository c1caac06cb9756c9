"""The native events a run's stream turns into: tool results carry retrieved
passages, and the final event's citations resolve the reply's `[key]` markers."""

from langchain_core.messages import AIMessage, ToolMessage

from {{ cookiecutter.package_name }}.events import ToolResult, Transcript, cited_keys

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
