"""A2A requests as runs of the agent: each A2A context is a thread of the caller's,
so a second message in a context sees the first; the run's progress becomes task
status and artifact updates, its end the task's state. No memory across contexts
(agent/memories.py): a calling agent's one identity speaks for many people.

| The run                                | The task                              |
| -------------------------------------- | ------------------------------------- |
| tool call, tool result                 | `working`, with a message saying so   |
| tokens                                 | chunks of the `answer` artifact       |
|                                        | (one per CHUNK_SECONDS at most)       |
| reply                                  | the whole `answer` artifact, `completed` |
| paused for approval (an interrupt)     | `input-required`; the next message on |
|                                        | the task resumes it                   |
| refused by the guardrail (the input)   | `rejected`, with the refusal          |
| failed (model, tool, step limit)       | `failed`, with the failure's code     |
| cancelled (CancelTask)                 | `canceled`                            |
| refused (message too long, busy)       | `rejected`, saying why                |
"""

import time
import uuid
from collections.abc import Callable
from typing import Any

from a2a.helpers import get_data_parts, new_data_part, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a.types import Message, Part, Task, TaskState, TaskStatus
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from ...agent.state import AgentState
from ...runtime.errors import RequestError, ThreadNotFoundError
from ...runtime.run_types import RunFailed, RunHandle, RunRequest
from ...runtime.runs import AgentRunner
from ..native.events import (
    RunCompleted,
    Token,
    ToolCallStarted,
    ToolResult,
    calls_awaiting_approval,
)
from ..native.runs import start, stream

# Thread ids of A2A contexts: one namespace, so a context id names the same thread
# every time, and a different one for each caller (context ids are the client's).
_CONTEXTS = uuid.UUID("5d1c3c52-7a43-4c1e-9a53-2d5bb7a9f0a1")
ANSWER = "answer"
# The shortest time between two chunks of a streamed answer.
CHUNK_SECONDS = 0.1
# The longest context id the task store keeps (the A2A SDK's column is 36 wide:
# a UUID, which is what this server gives to a context it starts).
MAX_ID_CHARS = 36


def thread_of(owner: str, context_id: str) -> str:
    """The thread that holds `owner`'s A2A context `context_id`."""
    return str(uuid.uuid5(_CONTEXTS, f"{owner}\n{context_id}"))


class RunnerExecutor(AgentExecutor):
    """Runs the agent for A2A requests; the runner is the one every API shares."""

    def __init__(self, runner: Callable[[], AgentRunner]) -> None:
        # Asked for each request: the app's lifespan opens the runner after the
        # routes are made.
        self._runner = runner

    @property
    def runner(self) -> AgentRunner:
        return self._runner()

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id = context.task_id or "", context.context_id or ""
        updater = TaskUpdater(event_queue, task_id, context_id)
        task = context.current_task
        if len(context_id) > MAX_ID_CHARS:
            # No task is made (the store could not keep it): a message says why.
            await event_queue.enqueue_event(
                updater.new_agent_message(
                    [new_text_part(f"contextId is at most {MAX_ID_CHARS} characters")]
                )
            )
            return
        if task is None:
            message = context.message
            await event_queue.enqueue_event(
                Task(
                    id=task_id,
                    context_id=context_id,
                    status=TaskStatus(state=TaskState.TASK_STATE_SUBMITTED),
                    history=[message] if message else [],
                )
            )
        owner = context.call_context.user.user_name
        try:
            request = await self._request(context, owner, resume=task is not None)
            # Started before the task says `working`: a working task's thread is
            # locked, whichever process runs it (tasks.py relies on that).
            handle = await start(self.runner, request)
        except RequestError as refused:
            await updater.reject(_say(updater, str(refused), code=refused.code))
            return
        await updater.start_work()
        await _report(self.runner, request, handle, updater)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        # The run was cancelled with `execute`'s task (see _report); this says so.
        task_id, context_id = context.task_id or "", context.context_id or ""
        await TaskUpdater(event_queue, task_id, context_id).cancel()

    async def _request(
        self, context: RequestContext, owner: str, *, resume: bool
    ) -> RunRequest:
        """The run a message asks for: a new turn of the context's thread, or the
        answer to the question its task is waiting on."""
        thread_id = thread_of(owner, context.context_id or "")
        message = context.message
        parts = list(message.parts) if message else []
        if resume:
            await self.runner.require_idle_thread(thread_id, owner=owner)
            return RunRequest(
                thread_id, Command(resume=_answer(parts)), owner=owner, memory=False
            )
        text = context.get_user_input()
        self.runner.check_message(text)
        graph_input = AgentState(messages=[HumanMessage(text)])
        try:
            await self.runner.require_idle_thread(thread_id, owner=owner)
        except ThreadNotFoundError:  # the context's first message
            return RunRequest(
                thread_id,
                graph_input,
                new_thread_metadata={"a2a_context_id": context.context_id},
                owner=owner,
                memory=False,
            )
        return RunRequest(thread_id, graph_input, owner=owner, memory=False)


def _answer(parts: list[Part]) -> Any:
    """The resume value a message carries: its data (`{"decisions": [...]}`), or
    its text (`approve`, `reject`)."""
    data = get_data_parts(parts)
    if data:
        return data[0]
    return " ".join(part.text for part in parts if part.text).strip().lower()


def _say(updater: TaskUpdater, text: str, **data: Any) -> Message:
    parts = [new_text_part(text)]
    if data:
        parts.append(new_data_part(data))
    return updater.new_agent_message(parts)


async def _report(
    runner: AgentRunner, request: RunRequest, handle: RunHandle, updater: TaskUpdater
) -> None:
    """Tell the task how the run goes; the run is cancelled with the caller."""
    streamed = False
    # Tokens go out together, a chunk per CHUNK_SECONDS at most: the task is
    # stored again with each update.
    tokens: list[str] = []
    sent_at = time.monotonic()
    try:
        async for event in stream(runner, request, handle):
            if isinstance(event, Token):
                tokens.append(event.content)
                if time.monotonic() - sent_at < CHUNK_SECONDS:
                    continue
                await updater.add_artifact(
                    [new_text_part("".join(tokens))],
                    artifact_id=request.run_id,
                    name=ANSWER,
                    append=streamed,
                    last_chunk=False,
                )
                tokens.clear()
                streamed, sent_at = True, time.monotonic()
            elif isinstance(event, ToolCallStarted):
                await updater.start_work(
                    _say(updater, f"calling {event.name}", tool_call=vars(event))
                )
            elif isinstance(event, ToolResult):
                outcome = "failed" if event.is_error else "answered"
                await updater.start_work(
                    _say(
                        updater,
                        f"{event.name} {outcome}",
                        tool_result={"tool_call_id": event.tool_call_id},
                    )
                )
            elif isinstance(event, RunFailed):
                await _failed(updater, event)
            elif isinstance(event, RunCompleted):
                await _completed(updater, event)
    finally:
        # Cancelled (CancelTask, or the server stopping): the run stops now, not
        # when the stream is collected.
        handle.task.cancel()


async def _failed(updater: TaskUpdater, failure: RunFailed) -> None:
    if failure.code == "cancelled":
        return  # `cancel` says so
    await updater.failed(
        _say(updater, failure.message, code=failure.code, run_id=failure.run_id)
    )


async def _completed(updater: TaskUpdater, run: RunCompleted) -> None:
    if run.interrupts:
        question = run.interrupts[0]["value"]
        await updater.requires_input(
            _say(
                updater,
                _approval_text(question),
                interrupt=question,
            )
        )
        return
    if run.guardrail["blocked"] and run.guardrail["source"] == "input":
        await updater.reject(_say(updater, run.reply, guardrail=dict(run.guardrail)))
        return
    await updater.add_artifact(
        [new_text_part(run.reply)],
        artifact_id=run.run_id,
        name=ANSWER,
        metadata={
            "thread_id": run.thread_id,
            "run_id": run.run_id,
            "prompt_version": run.prompt_version,
            "model": run.model,
            "citations": run.citations,
        },
        append=False,
        last_chunk=True,
    )
    await updater.complete()


def _approval_text(question: Any) -> str:
    return (
        f"The agent wants to call {calls_awaiting_approval(question)}. Reply approve "
        'or reject, or send data {"decisions": [...]} (docs/a2a.md).'
    )
