"""Settings in, a ready `AgentRunner` out: the one wiring that the server, the
evaluation harness (and any other entry point) share."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from ..agent.context import AgentContext
from ..agent.faults import model_retry_policy
from ..agent.graph import build_graph
from ..agent.guardrail_setup import guardrail_from_settings
from ..agent.mcp_tools import load_mcp_tools
from ..agent.prompts import Prompt, load_prompt
{%- if cookiecutter.agent == "rag" %}
from ..agent.retrieval import knowledge_tool
{%- endif %}
from ..agent.state import AgentState
from ..agent.tools import TOOLS
{%- if cookiecutter.agent == "rag" %}
from ..knowledge import open_knowledge
{%- endif %}
from ..llm.chat_models import chat_model_from_settings
from ..observability.capture import JsonlSink, RunCapture
from ..observability.capture_bigquery import BigQuerySink
from ..observability.metering import Metering
from ..settings import Settings
from .locks import release_abandoned_threads
from .persistence import open_persistence
from .runs import AgentRunner
from .threads import ThreadRegistry


@asynccontextmanager
async def open_runner(
    settings: Settings,
    *,
    model: BaseChatModel | None = None,
    tools: Sequence[BaseTool] | None = None,
) -> AsyncIterator[AgentRunner]:
    """Load the prompt, open persistence (and the knowledge base, for a retrieval
    agent), build the model and the graph.

    `model` and `tools` replace the settings' model and `agent.tools.TOOLS`: tests
    pass a scripted model and their own tools, so they do not depend on the example.
    The tools of the MCP servers in MCP_SERVERS join either.
    """
    prompt = load_prompt("system", settings.system_prompt_version)
    model = model or chat_model_from_settings(settings)
    # The name runs report (`model`): the model's own where it has one (a test's
    # scripted model), else the setting's.
    model_name = str(getattr(model, "model_name", None) or settings.active_model)
    async with (
        open_persistence(settings) as persistence,
        open_graph(
            settings,
            persistence.checkpointer,
            model=model,
            tools=tools,
            prompt=prompt,
            store=persistence.store,
        ) as graph,
    ):
        threads = ThreadRegistry(persistence.store, statements=persistence.records)
        runner = AgentRunner(
            graph,
            threads,
            prompt=prompt,
            metering=Metering(
                model=model_name,
                prompt_version=prompt.ref,
                price=settings.model_price,
                log_user_inputs=settings.log_user_inputs,
            ),
            context=AgentContext.from_settings(settings),
            max_message_chars=settings.max_message_chars,
            max_steps=settings.max_agent_steps,
            locks=persistence.locks,
            shutdown_grace_seconds=settings.shutdown_grace_seconds,
            capture=capture_from_settings(settings),
        )
        await release_abandoned_threads(threads, persistence.locks)
        try:
            yield runner
        finally:
            # Runs still going are cancelled and record how they ended while the
            # database is still open; then what they captured is written.
            await runner.active.drain(0)
            if runner.capture is not None:
                await runner.capture.aclose()


@asynccontextmanager
async def open_graph(
    settings: Settings,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    model: BaseChatModel | None = None,
    tools: Sequence[BaseTool] | None = None,
    prompt: Prompt | None = None,
    store: BaseStore | None = None,
) -> AsyncIterator[CompiledStateGraph[AgentState, AgentContext]]:
    """The agent's graph as the settings describe it: its prompt, model, tools (the
    MCP servers' too{% if cookiecutter.agent == "rag" %}, and the knowledge base's search, open while the graph is{% endif %})
    and guardrail; `model` and `tools` as for `open_runner`, `prompt` if already
    loaded; `store` keeps the users' memories (MEMORY)."""
    # The agent's tools (or the caller's), and those of the MCP servers configured.
    tools = [*(TOOLS if tools is None else tools), *await load_mcp_tools(settings)]
{%- if cookiecutter.agent == "rag" %}
    async with open_knowledge(settings) as knowledge:
        tools = [*tools, knowledge_tool(knowledge)]
        yield _graph(settings, checkpointer, model, tools, prompt, store)
{%- else %}
    yield _graph(settings, checkpointer, model, tools, prompt, store)
{%- endif %}


def _graph(
    settings: Settings,
    checkpointer: BaseCheckpointSaver[str] | None,
    model: BaseChatModel | None,
    tools: Sequence[BaseTool],
    prompt: Prompt | None,
    store: BaseStore | None,
) -> CompiledStateGraph[AgentState, AgentContext]:
    return build_graph(
        model or chat_model_from_settings(settings),
        prompt or load_prompt("system", settings.system_prompt_version),
        checkpointer,
        tools=tools,
        guardrail=guardrail_from_settings(settings),
        retry=model_retry_policy(
            settings.model_max_retries, settings.model_retry_backoff_seconds
        ),
        store=store,
    )


def capture_from_settings(settings: Settings) -> RunCapture | None:
    """Where CAPTURE_RUNS keeps finished runs; None when it is off."""
    if settings.capture_runs == "local":
        return RunCapture(JsonlSink(settings.captured_runs_path))
    if settings.capture_runs == "bigquery" and settings.capture_bigquery_table:
        return RunCapture(
            BigQuerySink(
                settings.capture_bigquery_table,
                endpoint=settings.capture_bigquery_endpoint,
            )
        )
    return None
