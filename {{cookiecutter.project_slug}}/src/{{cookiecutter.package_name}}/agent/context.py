"""What a run's nodes are configured with: LangGraph's runtime context.

The runner passes one `AgentContext` with every run (built from the settings);
a node reads it as `runtime.context`. A setting a new node needs goes here.
"""

import fnmatch
from dataclasses import dataclass

from langgraph.runtime import Runtime

from ..settings import Settings
from .guardrails import GuardrailPolicy


@dataclass(frozen=True)
class AgentContext:
    # What the guardrail does with a flagged message: refuse it, record it, or
    # skip the check (GUARDRAIL_POLICY).
    guardrail_policy: GuardrailPolicy = "block"
    # Pause for a human before tools run (REQUIRE_TOOL_APPROVAL), or before the
    # tools these names match (TOOLS_REQUIRING_APPROVAL, shell-style wildcards).
    require_tool_approval: bool = False
    tools_requiring_approval: tuple[str, ...] = ()
    # Deadline of one model call; retries are the graph's (MODEL_MAX_RETRIES).
    model_timeout_seconds: float = 60.0
    # Memory across conversations (MEMORY): recall the user's memories when a
    # run starts, keep what they say about themselves (memories.py).
    memory: bool = True
    # Who is asking (the runner sets it for each run): whose memories these are.
    user_id: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "AgentContext":
        return cls(
            guardrail_policy=settings.guardrail_policy,
            require_tool_approval=settings.require_tool_approval,
            tools_requiring_approval=tuple(settings.tools_requiring_approval),
            model_timeout_seconds=settings.model_timeout_seconds,
            memory=settings.memory == "store",
        )


def needs_approval(context: AgentContext, tool_names: list[str]) -> bool:
    """Whether a step calling these tools waits for a human's approval."""
    return context.require_tool_approval or any(
        fnmatch.fnmatchcase(name, pattern)
        for name in tool_names
        for pattern in context.tools_requiring_approval
    )


def context_of(runtime: Runtime[AgentContext]) -> AgentContext:
    """The run's context; the defaults when a caller (a test, a notebook) gave none."""
    return runtime.context or AgentContext()
