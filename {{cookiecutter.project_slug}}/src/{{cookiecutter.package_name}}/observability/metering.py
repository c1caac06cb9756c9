"""What each run consumed and how it went: model calls, tokens, latency, time to
first token and an estimated cost.

`RunMeter` gathers the figures from LangChain's callbacks, so every entry point
(native API, Agent Protocol, Agent Engine, evaluation) is measured the same way,
whatever it streams. When the run ends, `Metering.finish` makes a `RunSummary` of
them and reports it twice: one structured log line, `run finished` (routed to
BigQuery in the cloud), and OpenTelemetry metrics. The model calls themselves are
measured by the GenAI instrumentation (see telemetry.py).
"""

import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from opentelemetry import metrics

from ..agent.guardrails import ALLOWED, GuardrailOutcome
from ..settings import ModelPrice

# The logger's name is a contract: log-based metrics and the log sink filter on it.
logger = logging.getLogger("{{ cookiecutter.package_name }}.metering")

RunStatus = Literal["completed", "interrupted", "failed", "cancelled"]
_T = TypeVar("_T")


class RunMeter(BaseCallbackHandler):
    """Counts one run's model calls and tokens, and notes its first token."""

    # Called in the run's own task, not in a thread pool: the counts need no lock.
    run_inline = True
    # Only model events count: LangChain then skips this handler for the others
    # (every graph step, tool and parser is a chain).
    ignore_chain = ignore_agent = ignore_retriever = ignore_retry = True
    ignore_custom_event = True

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first_token_at: float | None = None
        self.model_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0

    # These two make LangChain count the meter as a streaming handler, so chat
    # models stream (and the first token can be timed) even when no one reads the
    # tokens (`invoke`, Agent Protocol runs without `messages` mode). They hand the
    # output on unchanged.
    def tap_output_aiter(
        self, run_id: UUID, output: AsyncIterator[_T]
    ) -> AsyncIterator[_T]:
        return output

    def tap_output_iter(self, run_id: UUID, output: Iterator[_T]) -> Iterator[_T]:
        return output

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.model_calls += 1

    def on_llm_new_token(
        self, token: str | list[str | dict[str, Any]], **kwargs: Any
    ) -> None:
        # The first piece of text a user could see (a tool call streams none).
        if token and self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                if not isinstance(generation, ChatGeneration):
                    continue
                message = generation.message
                if isinstance(message, AIMessage) and message.usage_metadata:
                    self.input_tokens += message.usage_metadata["input_tokens"]
                    self.output_tokens += message.usage_metadata["output_tokens"]


@dataclass(frozen=True)
class RunSummary:
    """One run, as the `run finished` log line and the final event report it."""

    thread_id: str
    run_id: str
    status: RunStatus
    # Why a run failed (the `RunFailed` code), else None.
    error: str | None
    prompt_version: str
    model: str
    model_calls: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    latency_ms: int
    # From the start of the run to the first streamed token of a reply.
    time_to_first_token_ms: int | None
    # None when MODEL_PRICES has no price for the model.
    cost_usd: float | None
    # The guardrail's latest decision in the run: `{"blocked", "reason", "source"}`.
    guardrail: GuardrailOutcome


class Metering:
    """Turns finished runs into summaries, log lines and metrics."""

    def __init__(
        self,
        *,
        model: str,
        prompt_version: str,
        price: ModelPrice | None,
        log_user_inputs: bool,
    ) -> None:
        self.model = model
        self.prompt_version = prompt_version
        self.price = price
        self.log_user_inputs = log_user_inputs
        if price is None:
            logger.warning(
                "no price for model %r in MODEL_PRICES: run costs are not estimated",
                model,
            )
        # The API's meter: it reports to whichever provider is set, even later.
        meter = metrics.get_meter(__name__)
        self._duration = meter.create_histogram(
            "app.run.duration", unit="s", description="Duration of an agent run."
        )
        self._first_token = meter.create_histogram(
            "app.run.time_to_first_token",
            unit="s",
            description="Time from the start of a run to its first streamed token.",
        )
        self._tokens = meter.create_histogram(
            "app.run.token.usage",
            unit="{token}",
            description="Tokens one agent run used, over all its model calls.",
        )
        self._cost = meter.create_histogram(
            "app.run.cost", unit="USD", description="Estimated cost of an agent run."
        )
        self._guardrail = meter.create_counter(
            "app.guardrail.decisions",
            unit="{decision}",
            description="Guardrail decisions on user messages, by outcome and reason.",
        )

    def finish(
        self,
        meter: RunMeter,
        *,
        thread_id: str,
        run_id: str,
        status: RunStatus,
        error: str | None = None,
        user_input: str | None = None,
        guardrail: GuardrailOutcome | None = None,
    ) -> RunSummary:
        """Summarise a finished run, log it and record its metrics."""
        ended = time.perf_counter()
        first_token = meter.first_token_at
        summary = RunSummary(
            thread_id=thread_id,
            run_id=run_id,
            status=status,
            error=error,
            prompt_version=self.prompt_version,
            model=self.model,
            model_calls=meter.model_calls,
            input_tokens=meter.input_tokens,
            output_tokens=meter.output_tokens,
            total_tokens=meter.input_tokens + meter.output_tokens,
            latency_ms=_milliseconds(ended - meter.started),
            time_to_first_token_ms=(
                None
                if first_token is None
                else _milliseconds(first_token - meter.started)
            ),
            cost_usd=self._cost_of(meter.input_tokens, meter.output_tokens),
            guardrail=guardrail or ALLOWED.as_dict(),
        )
        # Its fields as they are (no `asdict`: only the guardrail is a dict, and
        # no one changes it).
        record: dict[str, Any] = dict(vars(summary))
        # The user's words are personal data: only in the log when asked for
        # (LOG_USER_INPUTS, for drift detection).
        if self.log_user_inputs and user_input is not None:
            record["input"] = user_input
        # A failed run is worth a look, not a page: the error itself is logged
        # where it happened.
        level = logging.WARNING if status == "failed" else logging.INFO
        logger.log(level, "run finished", extra={"run": record})
        self._record_metrics(summary, ended - meter.started, first_token, meter.started)
        if user_input is not None:  # a new message was screened (not a resume)
            self._record_guardrail(summary.guardrail)
        return summary

    def _cost_of(self, input_tokens: int, output_tokens: int) -> float | None:
        if self.price is None:
            return None
        return round(
            input_tokens * self.price.input_usd_per_million / 1e6
            + output_tokens * self.price.output_usd_per_million / 1e6,
            8,
        )

    def _record_metrics(
        self,
        summary: RunSummary,
        seconds: float,
        first_token: float | None,
        started: float,
    ) -> None:
        attributes = {
            "app.model": summary.model,
            "app.prompt.version": summary.prompt_version,
            "app.run.status": summary.status,
        }
        self._duration.record(seconds, attributes)
        if first_token is not None:
            self._first_token.record(first_token - started, attributes)
        for kind, count in (
            ("input", summary.input_tokens),
            ("output", summary.output_tokens),
        ):
            self._tokens.record(count, {**attributes, "gen_ai.token.type": kind})
        if summary.cost_usd is not None:
            self._cost.record(summary.cost_usd, attributes)

    def _record_guardrail(self, decision: GuardrailOutcome) -> None:
        outcome = "allowed"
        if decision["blocked"]:
            outcome = "blocked"
        elif decision["reason"]:
            outcome = "flagged"
        attributes = {"app.guardrail.outcome": outcome}
        if decision["reason"]:
            attributes["app.guardrail.reason"] = str(decision["reason"])
            # Where it was found: the run's input, a tool result, the answer.
            attributes["app.guardrail.source"] = str(decision.get("source", "input"))
        self._guardrail.add(1, attributes)


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)
