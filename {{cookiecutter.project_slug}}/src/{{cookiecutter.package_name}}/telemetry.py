"""Tracing with OpenTelemetry, following the GenAI semantic conventions.

The spans come from OpenTelemetry's own instrumentations, one layer each:
FastAPI's (the server spans, parents of everything else) and LangChain's GenAI
instrumentation (`invoke_agent {agent}`, `chat {model}` with token usage and time
to first chunk, `execute_tool {tool}`). `LineageProcessor` adds what only this app
knows to the agent and model spans: the run id, the prompt version and the model.

Exporters come from the standard OTEL_TRACES_EXPORTER (comma-separated: `none`,
the default, `console`, `otlp` configured by OTEL_EXPORTER_OTLP_*, or `gcp_trace`
for Cloud Trace, imported only when named). Message content is recorded only with
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true (the instrumentation's switch).
"""

import os
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
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


def exporters_from_environment() -> list[SpanExporter]:
    """The exporters OTEL_TRACES_EXPORTER names."""
    names = os.environ.get("OTEL_TRACES_EXPORTER", "none").replace(" ", "").split(",")
    exporters: list[SpanExporter] = []
    for name in filter(None, names):
        if name == "none":
            continue
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


def configure_tracing(app: FastAPI) -> TracerProvider:
    """Trace the app's requests and agent runs.

    The process has one tracer provider: the one already set (tests set theirs),
    or a new one exporting as the environment says.
    """
    global _instrumented
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        for exporter in exporters_from_environment():
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
    # Imported here: the instrumentations load LangChain's callback machinery.
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.genai.langchain import LangChainInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    if not _instrumented:  # once per process, like the provider
        provider.add_span_processor(LineageProcessor())
        instrumentor = LangChainInstrumentor()  # type: ignore[no-untyped-call]
        instrumentor.instrument(tracer_provider=provider)
        _instrumented = True
    return provider


def lineage(run_id: str, prompt_version: str, model: str) -> dict[str, Any]:
    """The attributes that tie a span to what produced it."""
    return {
        "app.run.id": run_id,
        "app.prompt.version": prompt_version,
        "app.model": model,
    }
