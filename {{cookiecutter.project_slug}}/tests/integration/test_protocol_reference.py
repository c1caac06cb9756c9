"""Differential: the same client scripts against this server and against LangGraph's
own server (`make langgraph-dev`: langgraph-api in memory, pinned in the Makefile),
both serving the same graph (tests/fakes/scripted_graph.py). Their answers must
agree.

Compared: each stream's events, in order; each response's and event's shape (its
keys, and the type of every value, all the way down: every key the reference sends
must be in ours, with the same type; ours may send more, such as the native API's
`messages` on `GET /threads/{id}`); the conversations the runs leave; the status
of refused requests; and the report of the JavaScript client's script.

Deliberate differences, left out (DIFFERENCES, and docs/agent-protocol.md):
- our streams end with an `end` event, so a client knows the run is over without
  asking (LangGraph's clients read it so);
- run metadata does not copy LangGraph Platform's keys (`langgraph_host`,
  `langgraph_plan`, `run_attempt`, `user_id`, `assistant_id`, the thread's
  metadata ...) into checkpoints and message metadata, nor the platform's
  `configurable` keys into debug events;
- a thread's `config` is empty (one assistant, nothing configurable per thread)
  and it has no `error` field;
- listed runs are read back from their checkpoints, so they lack the request
  (`kwargs`, `multitask_strategy`);
- a cancelled run leaves its thread `idle`, not `interrupted`.
"""

import asyncio
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from .live_server import PROJECT, live_server, wait_until_ready
from .ports import free_port
from .test_protocol_js import CLIENT, node_tools

# LangGraph Platform's keys in a run's metadata (the thread's metadata, `k`, too).
PLATFORM_KEYS = [
    "assistant_id", "graph_id", "created_by", "user_id", "thread_id",
    "run_attempt", "langgraph_*", "k",
]  # fmt: skip
# Where the servers differ on purpose: fnmatch patterns over key paths (`.a.b.#.c`,
# with # for a list item).
DIFFERENCES = [
    # Platform keys in checkpoints' metadata and in `messages` events' metadata.
    *(f"*.metadata.{key}" for key in PLATFORM_KEYS),
    *(f".messages-tuple parts.#.#.{key}" for key in PLATFORM_KEYS),
    # ... and in the run config that `debug` events show.
    "*.configurable.*",
    # A thread's config and error.
    "*.config.configurable",
    ".threads.get.error",
    ".threads.search.#.error",
    ".thread.error",
    # Runs are read back from their checkpoints, which keep no request.
    ".runs.list.#.kwargs",
    ".runs.list.#.multitask_strategy",
    ".runs.list.#.langsmith_session_name",
    # Event names are compared on their own (ours end with `end`).
    "* events",
]

# Every stream mode either server streams.
MODES = (
    "values", "updates", "messages-tuple", "custom", "debug", "tasks", "checkpoints"
)  # fmt: skip
# A reply of many tokens: at 60 ms each, a run lasts about a second and a half,
# long enough to be joined, cancelled or found busy on a loaded machine.
LONG_TEXT = " ".join(f"word{n}" for n in range(24))
SLOW_TOKENS = {"SCRIPTED_TOKEN_DELAY_MS": "60"}


def ask(content: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content}]}


@pytest.fixture(scope="module")
def reference_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """LangGraph's server, as `make langgraph-dev` starts it, on the scripted graph."""
    config = tmp_path_factory.mktemp("reference") / "langgraph.json"
    config.write_text(
        json.dumps(
            {
                "dependencies": [str(PROJECT)],
                "graphs": {"agent": "tests.fakes.scripted_graph:graph"},
            }
        )
    )
    port = free_port()
    command = [
        "make", "--no-print-directory", "langgraph-dev",
        f"LANGGRAPH_DEV_CONFIG={config}", f"LANGGRAPH_DEV_PORT={port}",
        "LANGGRAPH_DEV_ARGS=--no-reload",
    ]  # fmt: skip
    log = config.with_name("server.log")
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            cwd=PROJECT,
            env={**os.environ, **SLOW_TOKENS},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and its children stop together
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # The first start installs the pinned langgraph-api beside the project.
        wait_until_ready(url, server, path="/ok", seconds=300, log=log)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def our_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("ours"), SLOW_TOKENS) as url:
        yield url


Script = Callable[[LangGraphClient, str], Awaitable[dict[str, Any]]]


def run_on_both(script: Script, our_url: str, reference_url: str) -> tuple[Any, Any]:
    async def both() -> tuple[Any, Any]:
        ours = await script(get_client(url=our_url), our_url)
        reference = await script(get_client(url=reference_url), reference_url)
        return ours, reference

    return asyncio.run(both())


def shape(value: Any) -> Any:
    """The value with every leaf replaced by its type's name."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def differences(ours: Any, reference: Any, path: str = "") -> list[str]:
    """Where `ours` lacks what `reference` has (a key, an item, a type), apart from
    the deliberate DIFFERENCES."""
    if any(fnmatch.fnmatchcase(path, pattern) for pattern in DIFFERENCES):
        return []
    if isinstance(reference, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {type(ours).__name__}, not an object"]
        return [
            found
            for key, item in reference.items()
            for found in (
                differences(ours[key], item, f"{path}.{key}")
                if key in ours
                else []
                if _deliberate(f"{path}.{key}")
                else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(reference, list):
        if not isinstance(ours, list) or len(ours) != len(reference):
            return [f"{path}: {shape(ours)} is not like {shape(reference)}"]
        return [
            found
            for mine, theirs in zip(ours, reference, strict=True)
            for found in differences(mine, theirs, f"{path}.#")
        ]
    if type(ours) is not type(reference):
        return [f"{path}: {type(ours).__name__}, not {type(reference).__name__}"]
    return []


def _deliberate(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in DIFFERENCES)


def assert_alike(ours: Any, reference: Any) -> None:
    found = differences(ours, reference)
    assert not found, "\n".join(found)


def without_end(events: list[str]) -> list[str]:
    assert events[-1] == "end", events
    return events[:-1]


def turns(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(m["type"], m["content"]) for m in values["messages"]]


# --- The scripts -----------------------------------------------------------------


async def conversation(client: LangGraphClient, _: str) -> dict[str, Any]:
    """Create a thread, stream a run in each stream mode, wait for one, read the
    thread back every way a client can."""
    # LangGraph's dev server keeps its threads from one start to the next.
    tag = {"k": str(uuid.uuid4())}
    thread = await client.threads.create(metadata=tag)
    thread_id = thread["thread_id"]
    seen: dict[str, Any] = {"threads.create": thread}
    for mode in MODES:
        parts = [
            part
            async for part in client.runs.stream(
                thread_id, "agent", input=ask("lookup:alpha"), stream_mode=mode
            )
        ]
        seen[f"{mode} events"] = [part.event for part in parts]
        # The metadata event and the parts (a values or debug part holds ids).
        seen[f"{mode} parts"] = [part.data for part in parts if part.event != "end"]
    seen["runs.wait"] = await client.runs.wait(thread_id, "agent", input=ask("hi"))
    seen["threads.get"] = await client.threads.get(thread_id)
    seen["threads.search"] = await client.threads.search(metadata=tag)
    seen["threads.get_state"] = await client.threads.get_state(thread_id)
    history = await client.threads.get_history(thread_id, limit=4)
    seen["threads.get_history"] = history
    earlier = history[2]["checkpoint"]
    seen["threads.get_state at a checkpoint"] = await client.threads.get_state(
        thread_id, checkpoint_id=earlier["checkpoint_id"]
    )
    seen["threads.get_state of a checkpoint"] = await client.threads.get_state(
        thread_id, checkpoint=earlier
    )
    seen["runs.list"] = await client.runs.list(thread_id, limit=3)
    return seen


async def cancelled(client: LangGraphClient, _: str) -> dict[str, Any]:
    """Cancel a run mid-answer: its stream's last events, and the thread after."""
    thread_id = (await client.threads.create())["thread_id"]
    stream = client.runs.stream(
        thread_id, "agent", input=ask(LONG_TEXT),
        stream_mode="messages-tuple",
    )  # fmt: skip
    run_id = (await anext(stream)).data["run_id"]
    await anext(stream)  # the first token
    await client.runs.cancel(thread_id, run_id, wait=True)
    return {
        "stream ends": [part.event async for part in stream],
        "thread": await client.threads.get(thread_id),
        "turns": turns((await client.threads.get_state(thread_id))["values"]),
    }


async def stateless(client: LangGraphClient, _: str) -> dict[str, Any]:
    streamed = client.runs.stream(None, "agent", input=ask("lookup:beta"))
    return {
        "wait": await client.runs.wait(None, "agent", input=ask("lookup:beta")),
        "stream events": [part.event async for part in streamed],
    }


async def assistants(client: LangGraphClient, _: str) -> dict[str, Any]:
    found = await client.assistants.search()
    assistant_id = found[0]["assistant_id"]
    return {
        "search": found,
        "get": await client.assistants.get(assistant_id),
        "graph": await client.assistants.get_graph(assistant_id),
        "xray": await client.assistants.get_graph(assistant_id, xray=True),
        "schemas": await client.assistants.get_schemas(assistant_id),
        "subgraphs": await client.assistants.get_subgraphs(assistant_id),
    }


async def busy_threads(client: LangGraphClient, _: str) -> dict[str, Any]:
    """A second run while one streams: each multitask strategy, and the default."""
    seen: dict[str, Any] = {}
    for strategy in ("reject", None, "interrupt", "rollback"):
        thread_id = (await client.threads.create())["thread_id"]
        first = client.runs.stream(
            thread_id, "agent", input=ask(LONG_TEXT),
            stream_mode="messages-tuple",
        )  # fmt: skip
        await anext(first)
        await anext(first)  # the first token: the run is under way
        options = {"multitask_strategy": strategy} if strategy else {}
        try:
            await client.runs.wait(thread_id, "agent", input=ask("next"), **options)
        except httpx.HTTPStatusError as refused:
            seen[f"{strategy} status"] = refused.response.status_code
        seen[f"{strategy} first stream"] = [p.event async for p in first][-2:]
        await client.runs.join(thread_id, (await _last_run(client, thread_id)))
        seen[f"{strategy} turns"] = turns(
            (await client.threads.get_state(thread_id))["values"]
        )
    return seen


async def _last_run(client: LangGraphClient, thread_id: str) -> str:
    state = await client.threads.get_state(thread_id)
    return str(state["metadata"]["run_id"])


async def joined(client: LangGraphClient, _: str) -> dict[str, Any]:
    """A second client joins a resumable run from its start; the first drops and
    rejoins after the second event it saw."""
    thread_id = (await client.threads.create())["thread_id"]
    stream = client.runs.stream(
        thread_id, "agent", input=ask("lookup:gamma"), stream_resumable=True
    )
    run_id = (await anext(stream)).data["run_id"]
    whole = [
        part
        async for part in client.runs.join_stream(thread_id, run_id, last_event_id="-1")
    ]
    rest = [part async for part in stream]
    second = [part for part in whole if part.event == "values"][1]
    after_second = client.runs.join_stream(thread_id, run_id, last_event_id=second.id)
    return {
        "whole": [part.event for part in whole],
        "rest": [part.event for part in rest],
        "after the second event": [part.event async for part in after_second],
        "values": await client.runs.join(thread_id, run_id),
    }


async def refusals(client: LangGraphClient, url: str) -> dict[str, Any]:
    """The status of requests either server refuses."""
    missing = "00000000-0000-0000-0000-000000000000"
    thread_id = (await client.threads.create())["thread_id"]
    async with httpx.AsyncClient(base_url=url) as http:
        asked = {
            "unknown thread": await http.get(f"/threads/{missing}"),
            "unknown thread's state": await http.get(f"/threads/{missing}/state"),
            "run on an unknown thread": await http.post(
                f"/threads/{missing}/runs/wait",
                json={"assistant_id": "agent", "input": ask("hi")},
            ),
            "unknown assistant": await http.post(
                f"/threads/{thread_id}/runs/wait",
                json={"assistant_id": missing, "input": ask("hi")},
            ),
            "thread created twice": await http.post(
                "/threads", json={"thread_id": thread_id}
            ),
            "thread deleted": await http.delete(f"/threads/{thread_id}"),
            "deleted thread": await http.get(f"/threads/{thread_id}"),
            "deleted thread's state": await http.get(f"/threads/{thread_id}/state"),
            "unknown thread deleted": await http.delete(f"/threads/{missing}"),
        }
    return {what: response.status_code for what, response in asked.items()}


# --- The comparisons -------------------------------------------------------------


def test_a_conversation(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(conversation, our_url, reference_url)

    for mode in MODES:
        assert without_end(ours[f"{mode} events"]) == reference[f"{mode} events"]
    assert_alike(ours, reference)
    assert turns(ours["runs.wait"]) == turns(reference["runs.wait"])
    assert len(ours["threads.get_history"]) == len(reference["threads.get_history"])


def test_stateless_runs(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(stateless, our_url, reference_url)

    assert without_end(ours["stream events"]) == reference["stream events"]
    assert turns(ours["wait"]) == turns(reference["wait"])
    assert_alike(ours["wait"], reference["wait"])


def test_the_assistant_and_what_studio_reads(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(assistants, our_url, reference_url)

    assert ours["search"][0]["assistant_id"] == reference["search"][0]["assistant_id"]
    for what in ("graph", "xray", "schemas", "subgraphs"):
        assert ours[what] == reference[what], what
    assert_alike(ours, reference)


def test_a_second_run_on_a_busy_thread(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(busy_threads, our_url, reference_url)

    for strategy in ("reject", None, "interrupt", "rollback"):
        assert ours[f"{strategy} turns"] == reference[f"{strategy} turns"], strategy
    assert ours["reject status"] == reference["reject status"] == 409
    assert without_end(ours["interrupt first stream"])[-1] == "error"


def test_joining_a_run(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(joined, our_url, reference_url)

    for what in ("whole", "rest", "after the second event"):
        assert without_end(ours[what]) == reference[what], what
    assert turns(ours["values"]) == turns(reference["values"])
    assert_alike(ours["values"], reference["values"])


def test_a_cancelled_run(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(cancelled, our_url, reference_url)

    assert ours["turns"] == reference["turns"]
    # Ours is ready for the next message; the reference's says `interrupted`,
    # though nothing waits for a human (docs/agent-protocol.md).
    assert ours["thread"]["status"] == "idle"
    assert reference["thread"]["status"] == "interrupted"
    assert_alike({"thread": ours["thread"]}, {"thread": reference["thread"]})
    # Ours says why the stream ends (LangGraph's just stops).
    assert ours["stream ends"][-2:] == ["error", "end"]


def test_refused_requests(our_url: str, reference_url: str) -> None:
    ours, reference = run_on_both(refusals, our_url, reference_url)

    assert ours == reference


def test_the_javascript_client_script(
    our_url: str, reference_url: str, tmp_path: Path
) -> None:
    node, npm = node_tools()
    project = tmp_path / "client"
    shutil.copytree(CLIENT, project)
    install = [npm, "install", "--no-package-lock", "--no-audit", "--no-fund"]
    subprocess.run(install, cwd=project, check=True, capture_output=True, timeout=300)

    def report(url: str) -> dict[str, Any]:
        script = [node, "client_script.mjs", url, "lookup:alpha", "lookup:beta"]
        result = subprocess.run(
            script, cwd=project, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        found: dict[str, Any] = json.loads(result.stdout)
        return found

    ours, reference = report(our_url), report(reference_url)

    assert ours.pop("events") == [*reference.pop("events"), "end"]
    assert ours == reference
