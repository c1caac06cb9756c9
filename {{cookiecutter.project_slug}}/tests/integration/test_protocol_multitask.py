"""Contract: a second run on a busy thread (`multitask_strategy`) and joining a run's
stream, with LangGraph's own Python client against a real uvicorn process.

Agent Chat UI stops a stream by dropping the connection (`on_disconnect:
"continue"`, `stream_resumable`), so the run goes on; sending again then queues
the new run behind it (`enqueue`, LangGraph's server's default), and the
conversation holds both turns, whole.
"""

import asyncio
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import StreamPart


def ask(content: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content}]}


# An echoed reply of many tokens: at 80 ms each, a run lasts about two seconds.
LONG_TEXT = " ".join(f"word{n}" for n in range(24))
LONG = ask(LONG_TEXT)
NEXT = ask("and then?")


@pytest.fixture
def client(server_url: str) -> LangGraphClient:
    return get_client(url=server_url)


async def collect(parts: Any) -> list[StreamPart]:
    return [part async for part in parts]


async def started(client: LangGraphClient, **options: Any) -> tuple[str, str, Any]:
    """A thread with a long run under way (its first token streamed): the thread,
    the run and the rest of its stream."""
    thread_id = (await client.threads.create())["thread_id"]
    stream = client.runs.stream(
        thread_id, "agent", input=LONG, stream_mode="messages-tuple", **options
    )
    run_id = (await anext(stream)).data["run_id"]
    await anext(stream)  # the first token
    return thread_id, run_id, stream


async def turns(client: LangGraphClient, thread_id: str) -> list[tuple[str, str]]:
    state = await client.threads.get_state(thread_id)
    return [(m["type"], m["content"]) for m in state["values"]["messages"]]


async def test_reject_refuses_a_second_run(client: LangGraphClient) -> None:
    thread_id, _, stream = await started(client)

    with pytest.raises(httpx.HTTPStatusError) as busy:
        await client.runs.wait(
            thread_id, "agent", input=NEXT, multitask_strategy="reject"
        )
    rest = await collect(stream)

    assert busy.value.response.status_code == 409
    assert busy.value.response.json()["error"]["code"] == "thread_busy"
    assert rest[-1].event == "end"
    assert await turns(client, thread_id) == [
        ("human", LONG_TEXT),
        ("ai", f"You said: {LONG_TEXT}"),
    ]


async def test_stop_then_send_queues_the_second_run_behind_the_first(
    client: LangGraphClient, server_url: str
) -> None:
    """Agent Chat UI's sequence: stream (continue on disconnect, resumable), drop
    the connection mid-answer, send again with no strategy (the default)."""
    thread_id = (await client.threads.create())["thread_id"]
    body = {
        "assistant_id": "agent",
        "input": LONG,
        "stream_mode": ["values", "messages-tuple"],
        "on_disconnect": "continue",
        "stream_resumable": True,
    }
    async with (
        httpx.AsyncClient(base_url=server_url, timeout=10) as http,
        http.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as first,
    ):
        seen = 0
        async for line in first.aiter_lines():
            seen += line.startswith("data:")
            if seen == 4:  # metadata, values and two tokens: stop mid-answer
                break

    final = await client.runs.wait(thread_id, "agent", input=NEXT)

    assert [(m["type"], m["content"]) for m in final["messages"]] == [
        ("human", LONG_TEXT),
        ("ai", f"You said: {LONG_TEXT}"),
        ("human", "and then?"),
        ("ai", "You said: and then?"),
    ]
    assert (await client.threads.get(thread_id))["status"] == "idle"


@pytest.mark.parametrize(
    ("strategy", "kept"),
    [
        # The cancelled run's input stays; its answer never came.
        ("interrupt", [("human", LONG_TEXT)]),
        # As if the cancelled run had never been.
        ("rollback", []),
    ],
)
async def test_interrupt_and_rollback_cancel_the_run_going(
    client: LangGraphClient, strategy: str, kept: list[tuple[str, str]]
) -> None:
    thread_id, _, stream = await started(client)

    final = await client.runs.wait(
        thread_id, "agent", input=NEXT, multitask_strategy=strategy
    )
    rest = await collect(stream)

    assert [p.data for p in rest if p.event == "error"] == [
        {"error": "cancelled", "message": "the run was cancelled"}
    ]
    assert [(m["type"], m["content"]) for m in final["messages"]] == [
        *kept,
        ("human", "and then?"),
        ("ai", "You said: and then?"),
    ]


async def test_rollback_of_a_later_turn_keeps_the_earlier_ones(
    client: LangGraphClient,
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, "agent", input=ask("hello"))
    stream = client.runs.stream(
        thread_id, "agent", input=LONG, stream_mode="messages-tuple"
    )
    await anext(stream)
    await anext(stream)

    await client.runs.wait(
        thread_id, "agent", input=NEXT, multitask_strategy="rollback"
    )
    await collect(stream)

    assert await turns(client, thread_id) == [
        ("human", "hello"),
        ("ai", "You said: hello"),
        ("human", "and then?"),
        ("ai", "You said: and then?"),
    ]


async def test_a_second_client_joins_a_run_and_a_dropped_one_resumes(
    client: LangGraphClient,
) -> None:
    thread_id, run_id, stream = await started(client, stream_resumable=True)

    # From the start (-1), and from now on (no Last-Event-ID), while it runs.
    whole, live = await asyncio.gather(
        collect(client.runs.join_stream(thread_id, run_id, last_event_id="-1")),
        collect(client.runs.join_stream(thread_id, run_id)),
    )
    rest = await collect(stream)
    # A client that saw the events up to id 3 rejoins after the run has ended.
    resumed = await collect(
        client.runs.join_stream(thread_id, run_id, last_event_id="3")
    )

    def tokens(parts: list[StreamPart]) -> str:
        return "".join(p.data[0]["content"] for p in parts if p.event == "messages")

    assert tokens(whole) == f"You said: {LONG_TEXT}"
    assert [p.event for p in whole][-1] == "end"
    # From the start: the metadata event first, as the run's own stream had it.
    assert whole[0].event == "metadata"
    assert "metadata" not in {p.event for p in live + resumed}
    for part in (live, rest, resumed):
        assert 0 < len(tokens(part)) < len(tokens(whole))
        assert tokens(whole).endswith(tokens(part))
    assert resumed[0].event == "messages"
    assert tokens(whole).startswith(
        "".join(p.data[0]["content"] for p in whole[:4] if p.event == "messages")
    )


async def test_joining_a_run_that_ended_or_never_was(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    stream = client.runs.stream(thread_id, "agent", input=ask("hello"))
    run_id = (await anext(stream)).data["run_id"]
    await collect(stream)

    ended = await collect(client.runs.join_stream(thread_id, run_id))
    values = await client.runs.join(thread_id, run_id)
    with pytest.raises(httpx.HTTPStatusError) as unknown:
        await client.runs.join(thread_id, "not-a-run")
    bad_ids = []
    for bad_id in ("last", "-2", "--1"):
        stream = client.runs.join_stream(thread_id, run_id, last_event_id=bad_id)
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await collect(stream)
        bad_ids.append(refused.value.response.status_code)

    assert [p.event for p in ended] == ["end"]
    assert values["messages"][-1]["content"] == "You said: hello"
    assert unknown.value.response.status_code == 404
    assert bad_ids == [422, 422, 422]


async def test_join_waits_for_a_run_in_flight(client: LangGraphClient) -> None:
    thread_id, run_id, stream = await started(client)

    values, _ = await asyncio.gather(
        client.runs.join(thread_id, run_id), collect(stream)
    )

    assert values["messages"][-1]["content"] == f"You said: {LONG_TEXT}"


async def test_a_threads_runs_are_listed_newest_first(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    answered = await client.runs.wait(thread_id, "agent", input=ask("lookup:alpha"))
    stream = client.runs.stream(
        thread_id, "agent", input=LONG, stream_mode="messages-tuple"
    )
    run_id = (await anext(stream)).data["run_id"]
    await anext(stream)  # the first token
    while_running = await client.runs.list(thread_id)
    await client.runs.cancel(thread_id, run_id)
    await collect(stream)
    listed = await client.runs.list(thread_id)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.list(thread_id, limit=0)

    assert [run["status"] for run in while_running] == ["running", "success"]
    cancelled, first = listed
    assert cancelled["run_id"] == run_id
    # Cancelled mid-answer: it stopped with steps left, and no reply.
    assert (cancelled["status"], cancelled["reply_id"]) == ("error", None)
    assert first["status"] == "success"
    assert first["reply_id"] == answered["messages"][-1]["id"]
    assert first["guardrail"] == {"blocked": False, "reason": None, "source": "input"}
    assert first["citations"] == []
    assert first["created_at"] <= first["updated_at"] <= cancelled["created_at"]
    assert await client.runs.list(thread_id, limit=1, offset=1) == [first]
    assert refused.value.response.status_code == 422


async def test_deleting_a_thread_cancels_its_run(client: LangGraphClient) -> None:
    thread_id, _, stream = await started(client)

    await client.threads.delete(thread_id)
    rest = await collect(stream)
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await client.threads.get(thread_id)

    assert [p.data["error"] for p in rest if p.event == "error"] == ["cancelled"]
    assert gone.value.response.status_code == 404
    assert thread_id not in {t["thread_id"] for t in await client.threads.search()}
