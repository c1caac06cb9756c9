"""What a run's nodes are configured with: LangGraph's runtime context.

The runner passes one `AgentContext` with every run (built from the settings);
a node reads it as `runtime.context`. A setting a new node needs goes here.
"""

from dataclasses import dataclass

from langgraph.runtime import Runtime

from ..settings import Settings
from .guardrails import GuardrailPolicy


@dataclass(frozen=True)
class AgentContext:
    # What the guardrail does with a flagged message: refuse it, record it, or
    # skip the check (GUARDRAIL_POLICY).
    guardrail_policy: GuardrailPolicy = "block"
    # Pause for a human before tools run (REQUIRE_TOOL_APPROVAL).
    require_tool_approval: bool = False
    # Deadline of one model call; retries are the graph's (MODEL_MAX_RETRIES).
    model_timeout_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "AgentContext":
        return cls(
            guardrail_policy=settings.guardrail_policy,
            require_tool_approval=settings.require_tool_approval,
            model_timeout_seconds=settings.model_timeout_seconds,
        )


def context_of(runtime: Runtime[AgentContext]) -> AgentContext:
    """The run's context; the defaults when a caller (a test, a notebook) gave none."""
    return runtime.context or AgentContext()
