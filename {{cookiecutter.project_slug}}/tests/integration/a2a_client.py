"""The official A2A SDK client, as the A2A tests use it: found through the agent's
card, over the binding (and protocol version) a test names."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from a2a.client import A2ACardResolver, Client, ClientConfig, create_client
from a2a.helpers import get_artifact_text, get_message_text, new_text_message
from a2a.types import (
    Role,
    SendMessageRequest,
    StreamResponse,
    Task,
    TaskArtifactUpdateEvent,
)

TIMEOUT_S = 30.0


@asynccontextmanager
async def a2a(
    url: str,
    *,
    user: str = "grace",
    streaming: bool = False,
    binding: str = "JSONRPC",
    version: str | None = None,
    paths: list[str] | None = None,
) -> AsyncIterator[Client]:
    """The SDK's client for the agent at `url`, on `binding` ("JSONRPC" or
    "HTTP+JSON"); at `version` ("1.0" or "0.3") if given, else the newest the card
    offers, as the SDK picks. The path of every request it makes goes to `paths`."""
    headers = {"x-test-user": user}

    async def record(request: httpx.Request) -> None:
        if paths is not None:
            paths.append(request.url.path)

    hooks = {"request": [record]}
    async with httpx.AsyncClient(
        headers=headers, timeout=TIMEOUT_S, event_hooks=hooks
    ) as http:
        card = await A2ACardResolver(http, url).get_agent_card()
        if version is not None:
            chosen = [
                interface
                for interface in card.supported_interfaces
                if interface.protocol_version == version
            ]
            del card.supported_interfaces[:]
            card.supported_interfaces.extend(chosen)
        config = ClientConfig(
            streaming=streaming,
            httpx_client=http,
            supported_protocol_bindings=[binding],
        )
        client = await create_client(card, config)
        try:
            yield client
        finally:
            await client.close()


def says(
    text: str, *, context_id: str | None = None, task_id: str | None = None
) -> SendMessageRequest:
    message = new_text_message(
        text, role=Role.ROLE_USER, context_id=context_id, task_id=task_id
    )
    return SendMessageRequest(message=message)


async def send(client: Client, request: SendMessageRequest) -> Task:
    """The task a message made, as the (non-streaming) answer holds it."""
    answers = [answer async for answer in client.send_message(request)]
    assert len(answers) == 1, answers
    assert answers[0].HasField("task"), answers
    return answers[0].task


def answer(task: Task) -> str:
    assert len(task.artifacts) == 1, task.artifacts
    return get_artifact_text(task.artifacts[0])


def summed_up(
    updates: list[StreamResponse],
) -> tuple[int, list[str], list[TaskArtifactUpdateEvent]]:
    """A stream's last state (a `TaskState`), what its status updates said, and its
    artifact chunks."""
    statuses = [u.status_update for u in updates if u.HasField("status_update")]
    said = [get_message_text(s.status.message) for s in statuses if s.status.message]
    chunks = [u.artifact_update for u in updates if u.HasField("artifact_update")]
    return statuses[-1].status.state, said, chunks
