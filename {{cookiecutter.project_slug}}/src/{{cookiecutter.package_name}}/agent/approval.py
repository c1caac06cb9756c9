"""Human approval of tool calls (REQUIRE_TOOL_APPROVAL=true).

Before tools run, the graph pauses with an interrupt in the shape of LangChain's
human-in-the-loop requests, which Agent Chat UI renders as approve / edit / reject:

    {"action_requests": [{"name", "args", "description"}],
     "review_configs": [{"action_name", "allowed_decisions"}]}

It is resumed with `command: {"resume": {"decisions": [...]}}`, one decision per
call: `{"type": "approve"}`, `{"type": "edit", "edited_action": {"name", "args"}}`
or `{"type": "reject", "message": "why"}`; `"approve"` or `"reject"` alone decides
for every call, and any other answer asks again with an `error` saying why. Tools
run only if every call of the step is approved or edited; otherwise none runs and
the model is told which were rejected, so it can adapt.
"""

from typing import Any, Literal

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.types import Command, interrupt

from .state import AgentState

_DECISIONS = ["approve", "edit", "reject"]


class InvalidDecisionError(ValueError):
    """The resume value is not a decision this node understands."""


def approve_tool_calls(state: AgentState) -> Command[Literal["tools", "agent"]]:
    """Pause for a human decision on the tool calls the model just made."""
    request: AIMessage = state["messages"][-1]  # type: ignore[assignment]
    calls = request.tool_calls
    question: dict[str, Any] = {
        "action_requests": [
            {
                "name": call["name"],
                "args": call["args"],
                "description": f"The agent wants to call {call['name']}.",
            }
            for call in calls
        ],
        "review_configs": [
            {"action_name": call["name"], "allowed_decisions": _DECISIONS}
            for call in calls
        ],
    }
    # An answer that is not a decision asks again, saying why: the thread stays
    # waiting instead of failing.
    while True:
        try:
            decisions = _decisions(interrupt(question), len(calls))
            break
        except InvalidDecisionError as error:
            question = {**question, "error": str(error)}
    if all(d["type"] in ("approve", "edit") for d in decisions):
        edited = [
            {**call, **_edited(decision)}
            for call, decision in zip(calls, decisions, strict=True)
        ]
        approved = request.model_copy(update={"tool_calls": edited})
        return Command(goto="tools", update={"messages": [approved]})
    replies = [
        ToolMessage(
            _refusal(decision),
            tool_call_id=call["id"] or "",
            name=call["name"],
            status="error",
        )
        for call, decision in zip(calls, decisions, strict=True)
    ]
    return Command(goto="agent", update={"messages": replies})


def _decisions(answer: Any, count: int) -> list[dict[str, Any]]:
    if answer in ("approve", "reject"):
        return [{"type": answer}] * count
    decisions = answer.get("decisions") if isinstance(answer, dict) else None
    if not isinstance(decisions, list) or len(decisions) != count:
        expected = '{"decisions": [...]}' + f" holding {count} decision(s)"
        raise InvalidDecisionError(
            f'resume with {expected}, or with "approve" or "reject"; got {answer!r}'
        )
    for decision in decisions:
        if not isinstance(decision, dict) or decision.get("type") not in _DECISIONS:
            raise InvalidDecisionError(f"not a decision: {decision!r}")
    return decisions


def _edited(decision: dict[str, Any]) -> dict[str, Any]:
    if decision["type"] != "edit":
        return {}
    action = decision.get("edited_action") or {}
    return {key: action[key] for key in ("name", "args") if key in action}


def _refusal(decision: dict[str, Any]) -> str:
    if decision["type"] == "reject":
        reason = decision.get("message") or "no reason given"
        return f"The user rejected this call: {reason}."
    return "Not run: the user rejected another call of the same step."
