"""What the graph carries from step to step and stores per thread."""

from typing import NotRequired

from langgraph.graph import MessagesState

from .guardrails import GuardrailOutcome


class AgentState(MessagesState):
    """The conversation so far; `messages` merges by id (LangGraph's add_messages).

    Add fields here when the agent needs to remember more than messages.
    """

    # The guardrail's decision on the latest user message: `{"blocked", "reason"}`.
    guardrail: NotRequired[GuardrailOutcome]
