"""What the graph carries from step to step and stores per thread."""

from typing import Annotated, NotRequired

from langgraph.graph import MessagesState

from .guardrails import GuardrailOutcome


def _merged(old: dict[str, bool], new: dict[str, bool]) -> dict[str, bool]:
    return {**old, **new}


class AgentState(MessagesState):
    """The conversation so far; `messages` merges by id (LangGraph's add_messages).

    Add fields here when the agent needs to remember more than messages.
    """

    # The guardrail's latest decision: `{"blocked", "reason", "source"}`.
    guardrail: NotRequired[GuardrailOutcome]
    # The guardrail's verdict on each message, by its fingerprint (screen.py):
    # True passed (or the agent wrote it), False refused. Only passed messages
    # reach the model; any other is screened first.
    screened: NotRequired[Annotated[dict[str, bool], _merged]]
