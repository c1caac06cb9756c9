"""What the agent does when the model (or a tool) fails.

Model failures use LangChain's provider-neutral `ModelError` types, which the
Gemini client raises too: rate limits (429), server errors (5xx), lost connections
and timeouts are retryable; a rejected request (400, 401, 403, 404) is not. The
agent node retries the retryable ones with backoff (one layer of retries: the
Gemini client itself makes a single attempt), and gives each call a deadline.

A run that fails after its model asked for tools leaves a tool call without an
answer in the thread; `answer_dangling_tool_calls` closes such calls in the next
prompt, since Gemini (like most models) refuses a call with no response.
"""

import asyncio
from collections.abc import Awaitable, Sequence

from langchain_core.exceptions import ModelError, ModelTimeoutError
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langgraph.types import RetryPolicy

from .guardrails import GuardrailUnavailableError

UNANSWERED = "Not run: the previous run stopped before this tool answered."


def is_retryable(error: Exception) -> bool:
    """Whether another attempt may succeed (LangChain's classification)."""
    return isinstance(error, ModelError) and error.is_retryable


def model_retry_policy(max_retries: int, backoff_seconds: float) -> RetryPolicy:
    """Retries of the agent node: exponential backoff with jitter."""
    return RetryPolicy(
        max_attempts=max_retries + 1,
        initial_interval=backoff_seconds,
        backoff_factor=2.0,
        max_interval=30.0,
        jitter=backoff_seconds > 0,
        retry_on=is_retryable,
    )


async def with_deadline(call: Awaitable[AIMessage], seconds: float) -> AIMessage:
    """The call's result, or a (retryable) `ModelTimeoutError` past the deadline."""
    try:
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError as error:
        message = (
            f"the model did not answer within {seconds:g} s (MODEL_TIMEOUT_SECONDS)"
        )
        raise ModelTimeoutError(message) from error


def answer_dangling_tool_calls(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The messages, with an error answer after each tool call that has none."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    repaired: list[BaseMessage] = []
    for index, message in enumerate(messages):
        repaired.append(message)
        if not isinstance(message, AIMessage) or index == len(messages) - 1:
            continue  # the last message's calls are about to run
        for call in message.tool_calls:
            if call["id"] and call["id"] not in answered:
                repaired.append(
                    ToolMessage(
                        UNANSWERED,
                        tool_call_id=call["id"],
                        name=call["name"],
                        status="error",
                    )
                )
    return repaired


def failure_code(error: Exception) -> str:
    """The code a failed run reports for this exception."""
    if isinstance(error, GuardrailUnavailableError):
        return error.code
    if isinstance(error, ModelTimeoutError):
        return "model_timeout"
    if is_retryable(error):
        return "model_unavailable"
    if isinstance(error, ModelError):
        return "model_error"
    return "run_failed"
