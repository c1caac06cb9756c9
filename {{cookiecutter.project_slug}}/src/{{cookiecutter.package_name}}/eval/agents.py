"""What the harness talks to: the agent in this process (the shared runner), or a
deployed one over its native HTTP API (`--url`), both as a stream of run events."""

import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import fields
from typing import Any, Protocol

import httpx

from ..runtime.runs import AgentRunner
from ..server.native.events import RunCompleted, RunEvent, RunFailed, Token, ToolResult
from ..server.native.runs import stream


class Agent(Protocol):
    """One user message on a thread (None: a new one) → the run's events."""

    def send(self, message: str, thread_id: str | None) -> AsyncIterator[RunEvent]: ...


class LocalAgent:
    """The agent in this process, through the runner every entry point uses. Each
    conversation is a user of its own, so what one case tells the agent about
    itself (MEMORY) never reaches another case."""

    def __init__(self, runner: AgentRunner) -> None:
        self.runner = runner
        self._users: dict[str, str] = {}

    async def send(
        self, message: str, thread_id: str | None
    ) -> AsyncIterator[RunEvent]:
        user = self._users.get(thread_id or "") or f"eval-{uuid.uuid4()}"
        request = await self.runner.prepare(message, thread_id, owner=user)
        self._users[request.thread_id] = user
        async for event in stream(self.runner, request):
            yield event


class RemoteAgent:
    """A deployed agent's `POST /stream`. EVAL_ID_TOKEN, when set, is sent as a bearer
    token (Cloud Run services require IAM authentication). All cases run as the
    one identity: its memories are erased before each case."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        token = os.environ.get("EVAL_ID_TOKEN")
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout)

    async def send(
        self, message: str, thread_id: str | None
    ) -> AsyncIterator[RunEvent]:
        if thread_id is None:
            # A new case: the eval's identity starts it remembering nothing of the
            # others (MEMORY, agent/memories.py).
            erased = await self.client.delete("/memories")
            if erased.status_code != 200:
                raise RuntimeError(
                    f"{self.client.base_url}: {erased.status_code} {erased.text}"
                )
        body = {"message": message, "thread_id": thread_id}
        async with self.client.stream("POST", "/stream", json=body) as response:
            if response.status_code != 200:
                await response.aread()
                raise RuntimeError(
                    f"{self.client.base_url}: {response.status_code} {response.text}"
                )
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:") and (parsed := _event(event, line[5:])):
                    yield parsed

    async def close(self) -> None:
        await self.client.aclose()


def _event(name: str, data: str) -> RunEvent | None:
    payload: dict[str, Any] = json.loads(data)
    kinds: dict[str, type[Token | ToolResult | RunCompleted | RunFailed]] = {
        "token": Token,
        # For the passages retrieval tools return; tool calls are in the final event.
        "tool_result": ToolResult,
        "final": RunCompleted,
        "error": RunFailed,
    }
    kind = kinds.get(name)
    if kind is None:
        return None
    names = {field.name for field in fields(kind)}
    return kind(**{key: value for key, value in payload.items() if key in names})
