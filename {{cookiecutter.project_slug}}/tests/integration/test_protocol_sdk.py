"""Contract: LangGraph's own Python client (langgraph-sdk, pinned) and RemoteGraph
against the Agent Protocol subset, served by a real uvicorn process.

The server runs the scripted model (live_server.py): `lookup:<key>` makes it call
the neutral `lookup` tool and answer `Found: <result>`, anything else is echoed.
"""

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from langgraph.pregel.remote import RemoteGraph
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import StreamPart


def ask(content: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content}]}


# One tool call, then an answer from its result: guard, agent, tools, agent.
QUESTION = ask("lookup:alpha")
ANSWER = "Found: alpha = 1"
# An echoed reply of many tokens: at 80 ms each, a run lasts well over a second.
LONG = ask(" ".join(f"word{n}" for n in range(24)))


@pytest.fixture
def client(server_url: str) -> LangGraphClient:
    return get_client(url=server_url)


async def collect(parts: Any) -> list[StreamPart]:
    return [part async for part in parts]


async def test_threads_are_created_read_and_searched(client: LangGraphClient) -> None:
    thread = await client.threads.create(metadata={"team": "contract"})
    await client.threads.create(metadata={"team": "other"})

    found = await client.threads.search(metadata={"team": "contract"})
    read = await client.threads.get(thread["thread_id"])

    assert [t["thread_id"] for t in found] == [thread["thread_id"]]
    assert read["status"] == "idle"
    assert read["metadata"] == {"team": "contract"}
    with pytest.raises(httpx.HTTPStatusError) as missing:
        await client.threads.get("00000000-0000-0000-0000-000000000000")
    assert missing.value.response.status_code == 404


@pytest.mark.parametrize(
    ("mode", "event"),
    [
        ("values", "values"),
        ("updates", "updates"),
        ("messages-tuple", "messages"),
        ("custom", "custom"),
    ],
)
async def test_each_stream_mode(client: LangGraphClient, mode: str, event: str) -> None:
    thread = await client.threads.create()

    parts = await collect(
        client.runs.stream(
            thread["thread_id"], "agent", input=QUESTION, stream_mode=mode
        )
    )

    assert parts[0].event == "metadata"
    assert parts[0].data["run_id"]
    assert parts[-1].event == "end"
    body = [part for part in parts[1:-1]]
    assert body
    assert {part.event for part in body} == {event}
    if mode == "values":
        assert [m["type"] for m in body[-1].data["messages"]] == [
            "human", "ai", "tool", "ai",
        ]  # fmt: skip
    if mode == "updates":
        assert [next(iter(part.data)) for part in body] == [
            "guard",
            "agent",
            "tools",
            "agent",
        ]
    if mode == "messages-tuple":
        chunks = [
            msg
            for msg, meta in (part.data for part in body)
            if msg["type"] == "AIMessageChunk"
        ]
        assert "".join(chunk["content"] for chunk in chunks) == ANSWER
        assert all(
            meta["langgraph_node"] in ("agent", "tools")
            for _, meta in (p.data for p in body)
        )
    if mode == "custom":
        assert [part.data for part in body] == [
            {"type": "progress", "message": "Calling lookup"}
        ]


async def test_the_acceptance_script(client: LangGraphClient) -> None:
    """create thread → stream (three modes) → wait → state → history."""
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    events = [
        part.event
        async for part in client.runs.stream(
            thread_id,
            "agent",
            input=QUESTION,
            stream_mode=["values", "messages-tuple", "updates"],
        )
    ]
    final = await client.runs.wait(thread_id, "agent", input=ask("lookup:beta"))
    state = await client.threads.get_state(thread_id)
    history = await client.threads.get_history(thread_id)

    assert {"metadata", "values", "messages", "updates", "end"} == set(events)
    assert isinstance(final, dict)
    assert [m["type"] for m in final["messages"]] == ["human", "ai", "tool", "ai"] * 2
    assert final["messages"][-1]["content"] == "Found: beta = 2"
    assert state["values"] == final
    assert state["next"] == []
    assert history[0]["checkpoint"] == state["checkpoint"]
    # Newest first, each state's parent is the next one.
    for newer, older in itertools.pairwise(history):
        parent = newer["parent_checkpoint"]["checkpoint_id"]
        assert parent == older["checkpoint"]["checkpoint_id"]


async def test_stateless_runs_leave_no_thread(client: LangGraphClient) -> None:
    before = {t["thread_id"] for t in await client.threads.search(limit=1000)}

    final = await client.runs.wait(None, "agent", input=QUESTION)
    streamed = await collect(client.runs.stream(None, "agent", input=QUESTION))

    assert final["messages"][-1]["content"] == ANSWER
    assert streamed[-1].event == "end"
    after = {t["thread_id"] for t in await client.threads.search(limit=1000)}
    assert after == before


async def test_interrupt_and_resume(approval_url: str) -> None:
    client = get_client(url=approval_url)
    thread_id = (await client.threads.create())["thread_id"]

    paused = await collect(
        client.runs.stream(thread_id, "agent", input=QUESTION, stream_mode="updates")
    )
    [interrupt] = next(
        p.data["__interrupt__"] for p in paused if p.data and "__interrupt__" in p.data
    )
    waiting = await client.threads.get(thread_id)
    state = await client.threads.get_state(thread_id)
    resumed = await client.runs.wait(
        thread_id, "agent", command={"resume": {"decisions": [{"type": "approve"}]}}
    )

    assert interrupt["value"]["action_requests"][0]["name"] == "lookup"
    assert interrupt["value"]["action_requests"][0]["args"] == {"key": "alpha"}
    assert waiting["status"] == "interrupted"
    assert state["next"] == ["approve"]
    assert state["tasks"][0]["interrupts"][0]["id"] == interrupt["id"]
    assert [m["content"] for m in resumed["messages"][-2:]] == ["alpha = 1", ANSWER]
    assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_a_rejected_tool_call_is_not_run(approval_url: str) -> None:
    client = get_client(url=approval_url)
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, "agent", input=QUESTION)

    final = await client.runs.wait(
        thread_id,
        "agent",
        command={"resume": {"decisions": [{"type": "reject", "message": "not now"}]}},
    )

    tool_message = final["messages"][-2]
    assert tool_message["type"] == "tool"
    assert tool_message["content"] == "The user rejected this call: not now."
    # The tool never ran: its result is in no message.
    assert not any("alpha = 1" in m["content"] for m in final["messages"])


async def test_cancel_stops_a_run(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    stream = client.runs.stream(
        thread_id, "agent", input=LONG, stream_mode="messages-tuple"
    )
    run_id = (await anext(stream)).data["run_id"]
    await anext(stream)  # the first token: the run is under way

    await client.runs.cancel(thread_id, run_id)
    rest = await collect(stream)

    errors = [part.data for part in rest if part.event == "error"]
    assert errors == [{"error": "cancelled", "message": "the run was cancelled"}]
    await asyncio.sleep(0.1)
    assert (await client.threads.get(thread_id))["status"] == "idle"


def test_remote_graph(server_url: str) -> None:
    graph = RemoteGraph("agent", url=server_url)
    config = {"configurable": {"thread_id": "remote-graph-thread"}}

    result = graph.invoke(QUESTION, config)
    state = graph.get_state(config)

    assert result["messages"][-1]["content"] == ANSWER
    assert len(state.values["messages"]) == 4
    assert state.next == ()


@pytest.mark.parametrize("on_disconnect", ["cancel", "continue"])
async def test_a_stateless_runs_thread_is_deleted_even_if_the_client_leaves(
    client: LangGraphClient, server_url: str, on_disconnect: str
) -> None:
    # The client reads the run's first event, then goes away mid-run.
    body = {"assistant_id": "agent", "input": LONG, "on_disconnect": on_disconnect}
    async with (
        httpx.AsyncClient(base_url=server_url, timeout=10) as http,
        http.stream("POST", "/runs/stream", json=body) as response,
    ):
        thread_id = response.headers["content-location"].split("/")[2]
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                break

    for _ in range(100):  # the run ends (cancelled, or finished) then deletes it
        found = await client.threads.search(limit=1000)
        if thread_id not in {thread["thread_id"] for thread in found}:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the stateless run's thread {thread_id} was left behind")


async def test_studio_reads_the_graph_its_schemas_and_subgraphs(
    client: LangGraphClient, server_url: str
) -> None:
    """What LangGraph Studio asks for to draw the graph and fill in its forms."""
    [assistant] = await client.assistants.search()

    graph = await client.assistants.get_graph(assistant["assistant_id"])
    nodes = {node["id"] for node in graph["nodes"]}
    assert {"__start__", "guard", "agent", "tools", "__end__"} <= nodes
    assert {"source": "__start__", "target": "guard"} in graph["edges"]
    # No subgraph: the x-ray draws the same graph.
    assert await client.assistants.get_graph("agent", xray=2) == graph
    schemas = await client.assistants.get_schemas("agent")
    assert schemas["graph_id"] == "agent"
    assert "messages" in schemas["input_schema"]["properties"]
    assert "messages" in schemas["state_schema"]["properties"]
    assert schemas["context_schema"]["type"] == "object"
    # As LangGraph's server describes a graph with a context: alike.
    assert schemas["config_schema"] == schemas["context_schema"]
    assert await client.assistants.get_subgraphs("agent", recurse=True) == {}
    async with httpx.AsyncClient(base_url=server_url) as http:
        refused = await http.get("/assistants/agent/graph", params={"xray": "-1"})
        unknown = await http.get("/assistants/nobody/schemas")
    assert refused.status_code == 422
    assert "xray" in refused.json()["error"]["message"]
    assert unknown.status_code == 404
