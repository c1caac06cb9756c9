"""Which failures are retried, what they are called, and how a thread with an
unanswered tool call is made acceptable to the model again."""

import asyncio

import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from {{ cookiecutter.package_name }}.agent.faults import (
    UNANSWERED,
    answer_dangling_tool_calls,
    failure_code,
    is_retryable,
    with_deadline,
)


@pytest.mark.parametrize(
    ("error", "retryable", "code"),
    [
        (ModelRateLimitError("429"), True, "model_unavailable"),
        (ModelAPIError("503"), True, "model_unavailable"),
        (ModelConnectionError("reset"), True, "model_unavailable"),
        (ModelTimeoutError("slow"), True, "model_timeout"),
        (ModelAuthenticationError("401"), False, "model_error"),
        (ValueError("a bug"), False, "run_failed"),
    ],
)
def test_classification(error: Exception, retryable: bool, code: str) -> None:
    assert is_retryable(error) is retryable
    assert failure_code(error) == code


async def test_a_call_past_its_deadline_is_a_model_timeout() -> None:
    async def never() -> None:
        await asyncio.sleep(10)

    with pytest.raises(ModelTimeoutError, match="MODEL_TIMEOUT_SECONDS"):
        await with_deadline(never(), 0.01)


def test_unanswered_tool_calls_get_an_error_answer() -> None:
    calls = [
        {"id": "a", "name": "lookup", "args": {"key": "alpha"}},
        {"id": "b", "name": "lookup", "args": {"key": "beta"}},
    ]
    history = [
        HumanMessage("What are alpha and beta?"),
        AIMessage("", tool_calls=calls),
        ToolMessage("alpha = 1", tool_call_id="a", name="lookup"),
        HumanMessage("And gamma?"),
    ]

    repaired = answer_dangling_tool_calls(history)

    [added] = [m for m in repaired if m not in history]
    assert isinstance(added, ToolMessage)
    assert (added.tool_call_id, added.status, added.text) == ("b", "error", UNANSWERED)
    assert repaired.index(added) == 2  # right after the call, before the question


def test_the_calls_about_to_run_are_left_alone() -> None:
    pending = AIMessage("", tool_calls=[{"id": "a", "name": "lookup", "args": {}}])
    history = [HumanMessage("What is alpha?"), pending]
    assert answer_dangling_tool_calls(history) == history
