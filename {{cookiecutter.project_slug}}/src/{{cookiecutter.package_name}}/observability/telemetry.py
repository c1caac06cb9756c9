"""Traces and metrics with OpenTelemetry, following the GenAI semantic conventions.

The spans come from OpenTelemetry's own instrumentations, one layer each:
FastAPI's (the server spans, parents of everything else) and LangChain's GenAI
instrumentation (`invoke_agent {agent}`, `chat {model}` with token usage and time
to first chunk, `execute_tool {tool}`). `LineageProcessor` adds what only this app
knows to the agent and model spans: the run id, the prompt version and the model.

The same instrumentation records the model-call metrics (`gen_ai.client.token.usage`,
`gen_ai.client.operation.duration`, `...time_to_first_chunk`); metering.py adds the
per-run ones.

Exporters come from the standard variables. OTEL_TRACES_EXPORTER (comma-separated):
`none`, the default, `console`, `otlp` configured by OTEL_EXPORTER_OTLP_*, or
`gcp_trace` for Cloud Trace, imported only when named. OTEL_METRICS_EXPORTER:
`none`, the default, `console` or `otlp`. Message content is recorded only with
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_ONLY (or EVENT_ONLY,
SPAN_AND_EVENT: the instrumentation's switch; anything else means no content).
"""

import os
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

# Set by the runner around each run; read when the agent and model spans start.
run_lineage: ContextVar[dict[str, str] | None] = ContextVar("run_lineage", default=None)

_instrumented = False


class LineageProcessor(SpanProcessor):
    """Adds the run's lineage (run id, prompt version, model) to GenAI spans."""

    def on_start(
        self, span: Span, parent_context: otel_context.Context | None = None
    ) -> None:
        lineage = run_lineage.get()
        if lineage and span.name.startswith(("invoke_agent", "chat")):
            span.set_attributes(lineage)

    def on_end(self, span: ReadableSpan) -> None:
        pass


def _exporter_names(variable: str) -> list[str]:
    names = os.environ.get(variable, "none").replace(" ", "").split(",")
    return [name for name in names if name and name != "none"]


def exporters_from_environment() -> list[SpanExporter]:
    """The span exporters OTEL_TRACES_EXPORTER names."""
    exporters: list[SpanExporter] = []
    for name in _exporter_names("OTEL_TRACES_EXPORTER"):
        if name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                OTLPSpanExporter,
            )

            exporters.append(OTLPSpanExporter())
        elif name == "gcp_trace":
            # Imported here: the Google client loads (and looks for credentials)
            # only when Cloud Trace is asked for.
            from opentelemetry.exporter.cloud_trace import CloudTraceSpanExporter

            exporters.append(CloudTraceSpanExporter())  # type: ignore[no-untyped-call]
        else:
            raise ValueError(
                f"OTEL_TRACES_EXPORTER: unknown exporter {name!r}; "
                "use none, console, otlp or gcp_trace"
            )
    return exporters


def metric_exporters_from_environment() -> list[MetricExporter]:
    """The metric exporters OTEL_METRICS_EXPORTER names."""
    exporters: list[MetricExporter] = []
    for name in _exporter_names("OTEL_METRICS_EXPORTER"):
        if name == "console":
            exporters.append(ConsoleMetricExporter())
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
                OTLPMetricExporter,
            )

            exporters.append(OTLPMetricExporter())
        else:
            raise ValueError(
                f"OTEL_METRICS_EXPORTER: unknown exporter {name!r}; "
                "use none, console or otlp"
            )
    return exporters


def configure_telemetry() -> tuple[trace.TracerProvider, metrics.MeterProvider]:
    """Trace and measure agent runs, once per process.

    The process has one tracer and one meter provider: those already set (tests
    set theirs), or new ones exporting as the environment says. A signal nothing
    exports (the default, OTEL_*_EXPORTER unset) keeps OpenTelemetry's no-op
    provider, and when neither exports nothing is instrumented: no one would see
    the spans, and building them costs CPU on every request (FastAPI's own
    telemetry, too, stays off while the providers are OpenTelemetry's defaults).
    """
    global _instrumented
    # Providers set by someone else (tests, a host app) are assumed to export.
    spans_exported = metrics_exported = True
    tracer_provider = trace.get_tracer_provider()
    if not isinstance(tracer_provider, TracerProvider):
        span_exporters = exporters_from_environment()
        spans_exported = bool(span_exporters)
        if spans_exported:
            tracer_provider = TracerProvider()
            for exporter in span_exporters:
                tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
            trace.set_tracer_provider(tracer_provider)
    meter_provider = metrics.get_meter_provider()
    if not isinstance(meter_provider, MeterProvider):
        readers = [
            PeriodicExportingMetricReader(exporter)
            for exporter in metric_exporters_from_environment()
        ]
        metrics_exported = bool(readers)
        if metrics_exported:
            meter_provider = MeterProvider(metric_readers=readers)
            metrics.set_meter_provider(meter_provider)
    if (spans_exported or metrics_exported) and not _instrumented:
        # Imported here: the instrumentation loads LangChain's callback machinery.
        from opentelemetry.instrumentation.genai.langchain import LangChainInstrumentor
        from opentelemetry.instrumentation.genai.langchain.callback_handler import (
            OpenTelemetryLangChainCallbackHandler,
        )

        if isinstance(tracer_provider, TracerProvider):
            tracer_provider.add_span_processor(LineageProcessor())
        instrumentor = LangChainInstrumentor()  # type: ignore[no-untyped-call]
        instrumentor.instrument(
            tracer_provider=tracer_provider, meter_provider=meter_provider
        )
        # Its callbacks only start and end spans (exported in batches): run them
        # in the agent's task, not in a thread pool, which cost a third of the
        # server's CPU per request (docs/performance.md).
        OpenTelemetryLangChainCallbackHandler.run_inline = True
        _instrumented = True
    return tracer_provider, meter_provider


def instrument_app(app: FastAPI) -> None:
    """Trace and measure the app's requests too (the parents of the run spans)."""
    tracer_provider, meter_provider = configure_telemetry()
    if not _instrumented:  # nothing exports
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, meter_provider=meter_provider
    )


def lineage(run_id: str, prompt_version: str, model: str) -> dict[str, Any]:
    """The attributes that tie a span to what produced it."""
    return {
        "app.run.id": run_id,
        "app.prompt.version": prompt_version,
        "app.model": model,
    }


def trace_id() -> str | None:
    """The current request's trace id (hex), if it is traced."""
    span = trace.get_current_span().get_span_context()
    return trace.format_trace_id(span.trace_id) if span.is_valid else None
