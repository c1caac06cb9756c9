"""This agent as one MCP tool: `ask` a message, get the reply and the thread it is
in; pass that `thread_id` back to go on with the conversation. Served over MCP's
streamable HTTP by the MCP SDK's own server (FastMCP), stateless, with JSON
answers; its runs are the runner's, like every other API's.

| The run                                  | The tool's answer                      |
| ---------------------------------------- | -------------------------------------- |
| reply (or the guardrail's refusal)       | `reply`, `thread_id`, `run_id`         |
| paused for approval                      | `awaiting_approval`, the calls in      |
|                                          | `reply`; `approve`/`reject` resumes it |
| failed, or refused (busy, too long, ...) | an error result: `<code>: <message>`   |
"""

from collections.abc import Callable
from typing import Annotated, Any

from langgraph.types import Command
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field

from ...agent.graph import graph_tools
from ...runtime.errors import RequestError
from ...runtime.run_types import RunRequest
from ...runtime.runs import AgentRunner
from ...settings import AGENT_NAME
from ..native.events import RunCompleted, calls_awaiting_approval
from ..native.runs import RunFailedError, finish
from .paths import MCP_PATH

# The answers that resume a run paused for approval.
DECISIONS = ("approve", "reject")


class Answer(BaseModel):
    """What one `ask` gives back."""

    reply: str = Field(description="The agent's answer.")
    thread_id: str = Field(description="The conversation: pass it to go on.")
    run_id: str
    awaiting_approval: bool = Field(
        default=False,
        description="The agent waits for approval to call tools (named in `reply`): "
        "ask again in this thread with `approve` or `reject`.",
    )


def agent_server(runner: Callable[[], AgentRunner], description: str) -> FastMCP:
    """The MCP server with this agent as its one tool, `ask`."""
    server = FastMCP(
        AGENT_NAME,
        instructions=description,
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        # Its Host check guards servers that trust every caller on localhost; this
        # one names every caller (AUTH_MODE) and serves behind other hosts' names.
        transport_security=TransportSecuritySettings(
            enable_dns_rebinding_protection=False
        ),
    )

    async def ask(
        message: Annotated[str, Field(description="What to ask the agent.")],
        ctx: Context,  # type: ignore[type-arg]
        thread_id: Annotated[
            str | None,
            Field(description="An earlier answer's thread_id, to go on with it."),
        ] = None,
    ) -> Answer:
        # Who is calling: the route (api.py) names them, as every API does.
        owner = ctx.request_context.request.scope["user"].username  # type: ignore[union-attr]
        try:
            completed = await finish(
                runner(), await _request(runner(), message, thread_id, owner)
            )
        except RequestError as refused:
            raise ToolError(f"{refused.code}: {refused}") from refused
        except RunFailedError as failed:
            failure = failed.failure
            raise ToolError(f"{failure.code}: {failure.message}") from failed
        return _answer(completed)

    tools = ", ".join(tool.name for tool in graph_tools(runner().graph))
    server.add_tool(
        ask,
        name="ask",
        description=f"Ask {AGENT_NAME}: {description.rstrip('.')}. It can use: "
        f"{tools or 'no tools'}. Leave thread_id out to start a conversation; pass "
        "the thread_id of an earlier answer to go on with it.",
    )
    return server


async def _request(
    runner: AgentRunner, message: str, thread_id: str | None, owner: str
) -> RunRequest:
    """A new turn, or (`approve`/`reject` in a thread paused for approval) the
    answer to the question it waits on."""
    decision = message.strip().lower()
    if thread_id is not None and decision in DECISIONS:
        thread = await runner.require_idle_thread(thread_id, owner=owner)
        if thread.status == "interrupted":
            return RunRequest(
                thread_id, Command(resume=decision), owner=owner, memory=False
            )
    # No memory across threads: an MCP client (often another agent, one identity
    # for many people) would mix its users' memories (agent/memories.py).
    return await runner.prepare(
        message, thread_id, announced=False, owner=owner, memory=False
    )


def _answer(run: RunCompleted) -> Answer:
    if run.interrupts:
        return Answer(
            reply=_approval_text(run.interrupts[0]["value"]),
            thread_id=run.thread_id,
            run_id=run.run_id,
            awaiting_approval=True,
        )
    return Answer(reply=run.reply, thread_id=run.thread_id, run_id=run.run_id)


def _approval_text(question: Any) -> str:
    return (
        f"The agent wants to call {calls_awaiting_approval(question)}. Ask again in "
        "this thread with approve or reject."
    )
