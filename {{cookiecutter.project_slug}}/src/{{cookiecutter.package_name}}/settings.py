"""Every runtime knob of the agent, read once from the environment and `.env`."""

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    model_validator,
)
from pydantic_settings import {% if cookiecutter.agent != "rag" %}BaseSettings, {% endif %}NoDecode, SettingsConfigDict

{% if cookiecutter.agent == "rag" -%}
from .knowledge_settings import KnowledgeSettings
{% endif -%}
from .mcp_config import check_mcp_servers, read_mcp_servers

AGENT_NAME = {{ cookiecutter.project_slug | literal }}
# A BigQuery table's full name: [domain.com:]project.dataset.table
BIGQUERY_TABLE = (
    r"^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
    r"\.[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_-]{1,1024}$"
)


class ModelPrice(BaseModel):
    """A model's list price, in US dollars per million tokens."""

    input_usd_per_million: float = Field(ge=0)
    output_usd_per_million: float = Field(ge=0)


# MODEL providers that mean Gemini on Vertex AI through ChatGoogleGenerativeAI
# (`google_vertexai` is init_chat_model's name for the deprecated ChatVertexAI).
VERTEX_PROVIDERS = frozenset({"vertex", "google_vertexai"})

# The offline model costs nothing, whatever MODEL_PRICES says.
LOCAL_MODEL_PRICE = ModelPrice(input_usd_per_million=0, output_usd_per_million=0)


class Settings({% if cookiecutter.agent == "rag" %}KnowledgeSettings{% else %}BaseSettings{% endif %}):
    """Runtime configuration; every field maps to the upper-case environment variable.

    `.env.example` documents each variable; the defaults run fully offline.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    # Model: `local` (a deterministic offline model) or `<provider>:<model>`:
    # `vertex:<gemini model>` is Gemini on Vertex AI (the tested cloud path); any other
    # provider LangChain's `init_chat_model` knows works once its package is added
    # (`openai:gpt-5` with langchain-openai, `anthropic:...` with langchain-anthropic).
    model: str = Field("local", pattern=r"^(local|[a-z][a-z0-9_-]*:\S+)$")
    # The older pair, still honoured when MODEL is not set: MODEL_PROVIDER=vertex and
    # MODEL_NAME=<gemini model> mean MODEL=vertex:<gemini model>.
    model_provider: Literal["local", "vertex"] = "local"
    model_name: str = Field(
        default={{ cookiecutter.model_name | literal }},
        min_length=1,
    )
    model_temperature: float = Field(0.0, ge=0.0, le=2.0)
    # Each model call's deadline, and retries of retryable failures (429, 5xx,
    # timeouts, lost connections) with exponential backoff from this first pause.
    model_timeout_seconds: float = Field(60.0, gt=0)
    model_max_retries: int = Field(2, ge=0, le=10)
    model_retry_backoff_seconds: float = Field(1.0, ge=0, le=60)
    google_cloud_project: str | None = None
    google_cloud_location: str = {{ cookiecutter.gcp_region | literal }}
    # Overrides the Vertex AI endpoint (private endpoints, proxies, protocol fakes).
    vertex_base_url: str | None = None
    # Prices for the cost estimate of each run, by model name, as JSON:
    # {"<model>": {"input_usd_per_million": 0.3, "output_usd_per_million": 2.5}}.
    # Empty by default: copy your models' current prices from the Vertex AI pricing
    # page (a stale price is worse than none; runs without one report no cost).
    model_prices: dict[str, ModelPrice] = Field(default_factory=dict)
    # Pauses between streamed tokens of the local model, so streaming is visible.
    local_model_token_delay_ms: int = Field(0, ge=0, le=1000)

    # Agent.
    system_prompt_version: str = Field("v1", pattern=r"^[A-Za-z0-9_.-]+$")
    max_agent_steps: int = Field(12, ge=2, le=100)
    # Pause for a human to approve, edit or reject tool calls (an interrupt).
    require_tool_approval: bool = False
    # Only these tools wait for approval (names, shell-style wildcards), when
    # REQUIRE_TOOL_APPROVAL is off: ["tickets_*"] for every tool of one MCP server.
    tools_requiring_approval: list[str] = Field(default_factory=list)
    # MCP servers whose tools join the agent's, named <server>_<tool>
    # (agent/mcp_tools.py): JSON in langchain-mcp-adapters' connection format, or
    # the path of a file holding it, e.g.
    # {"tickets": {"transport": "streamable_http", "url": "http://127.0.0.1:8931/mcp"}}
    # or {"files": {"transport": "stdio", "command": "python", "args": ["srv.py"]}};
    # `"google_id_token": true` calls a server on Cloud Run with a Google ID token.
    mcp_servers: Annotated[
        dict[str, dict[str, Any]],
        NoDecode,
        BeforeValidator(read_mcp_servers),
        AfterValidator(check_mcp_servers),
    ] = Field(default_factory=dict)
    # A server that cannot be reached at start-up: `fail` (the app does not start,
    # one line says which) or `skip` (its tools are left out, with a warning).
    mcp_unreachable: Literal["fail", "skip"] = "fail"
    # How long start-up waits for each MCP server to list its tools.
    mcp_connect_timeout_seconds: float = Field(10.0, gt=0, le=300)
    max_message_chars: int = Field(8000, ge=1)
    # On SIGTERM, how long runs in progress may take to finish before they are
    # cancelled (server/shutdown.py); below Cloud Run's 10 s notice.
    shutdown_grace_seconds: float = Field(8.0, ge=0, le=3600)
    # Largest request body, in bytes; past it a 413, before anything is parsed.
    # The default holds a MAX_MESSAGE_CHARS message however the client escapes it.
    max_request_bytes: int = Field(256 * 1024, ge=1024, le=32 * 1024 * 1024)
    # Memory across conversations: `store` keeps what users say about themselves
    # (name, home, work, preferences) in the conversations' database and recalls
    # it in their other threads (agent/memories.py; GET/DELETE /memories); `off`.
    memory: Literal["store", "off"] = "store"
    # What the input guardrail does with prompt injection, jailbreaks and off-topic
    # requests: `block` (a polite refusal, the model never sees the message), `flag`
    # (the run goes on; the decision is reported and logged) or `off`.
    guardrail_policy: Literal["block", "flag", "off"] = "block"
    # Which guardrail (docs/guardrails.md): `classifier` (offline: the patterns, then
    # a learned classifier of user messages), `patterns` (the patterns alone) or
    # `model_armor` (the patterns, then Google Cloud's Model Armor).
    guardrail: Literal["classifier", "patterns", "model_armor"] = "classifier"
    # The Model Armor template's id, in GOOGLE_CLOUD_PROJECT and in
    # MODEL_ARMOR_LOCATION (GOOGLE_CLOUD_LOCATION if unset); Terraform creates it.
    model_armor_template: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]+$")
    model_armor_location: str | None = None
    # Overrides the regional endpoint (private endpoints, protocol fakes).
    model_armor_endpoint: str | None = None
    # Each screen's deadline, retries of 429 and 5xx included.
    model_armor_timeout_seconds: float = Field(5.0, gt=0, le=60)
    # When Model Armor gives no verdict: `fail_closed` stops the run (503),
    # `fail_open` lets the text through (logged). Per direction: prompts (user
    # messages, tool results, passages) and responses (the model's answers).
    model_armor_prompts_on_fault: Literal["fail_closed", "fail_open"] = "fail_closed"
    model_armor_responses_on_fault: Literal["fail_closed", "fail_open"] = "fail_open"

    # Persistence. SQLite under `data_dir` unless DATABASE_URL names a PostgreSQL.
    data_dir: Path = Path(".data")
    database_url: SecretStr | None = None
    database_pool_size: int = Field(10, ge=1, le=100)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Put each run's user message in its `run finished` log line, for drift
    # detection (`make drift`). Off by default: the message is the user's data.
    log_user_inputs: bool = False
    # Keep each run (input, answer, tool calls and results, guardrail decision) and
    # its feedback for `make eval-production` and `make eval-harvest`: `off` (the
    # default: nothing of a conversation is kept beyond its thread), `local`
    # (DATA_DIR/captured_runs.jsonl) or `bigquery` (CAPTURE_BIGQUERY_TABLE, whose
    # readers and retention Terraform sets). Never in the logs or the traces.
    capture_runs: Literal["off", "local", "bigquery"] = "off"
    capture_bigquery_table: str | None = Field(None, pattern=BIGQUERY_TABLE)
    # Overrides the BigQuery API endpoint (private endpoints, protocol fakes).
    capture_bigquery_endpoint: str | None = None
    # Browser origins allowed to call the API (e.g. Agent Chat UI on another port);
    # none by default. A JSON list: ["http://localhost:3000"].
    cors_allow_origins: list[str] = Field(default_factory=list)
    # Serve the interactive API docs (/docs, /redoc, /openapi.json) and the
    # playground (/ and /static): handy locally; the deployed service turns both
    # off, so production answers only the API.
    serve_api_docs: bool = True
    serve_playground: bool = True
    # Who owns a thread (server/auth.py): `none` (local default) gives every
    # request one anonymous identity, so every caller shares every thread; `google`
    # the caller's verified Google identity (ID token or IAP header); `test` takes
    # it from the x-test-user header, for tests only (refused on Cloud Run).
    auth_mode: Literal["none", "google", "test"] = "none"
    # The audience a Google ID token must be for: the service's URL, as the
    # caller minted it (several, comma-separated, if clients use several names).
    # With IAP in front, IAP's audience for its signed header:
    # /projects/<number>/global/backendServices/<id> (or .../apps/<project id>).
    auth_audience: str | None = None
    auth_iap_audience: str | None = None
    # The service's URL as its clients reach it, e.g. https://my-agent-123.run.app:
    # the A2A agent card tells other agents to call it there. Unset, the card
    # names the URL the card was asked for.
    public_url: str | None = None

    @model_validator(mode="after")
    def _one_model_setting(self) -> Self:
        """MODEL wins; without it, MODEL_PROVIDER/MODEL_NAME say the same thing. The
        pair is kept in step with MODEL, so code reading either agrees."""
        if "model" not in self.model_fields_set:
            if self.model_provider == "vertex":
                self.model = f"vertex:{self.model_name}"
        elif self.model_provider_name in VERTEX_PROVIDERS:
            self.model_provider, self.model_name = "vertex", self.active_model
        else:
            self.model_provider = "local"
        return self

    @model_validator(mode="after")
    def _model_armor_needs_a_template(self) -> Self:
        if self.guardrail == "model_armor" and not (
            self.google_cloud_project and self.model_armor_template
        ):
            raise ValueError(
                "GUARDRAIL=model_armor needs GOOGLE_CLOUD_PROJECT and "
                "MODEL_ARMOR_TEMPLATE: the project and id of a Model Armor template "
                "(deployment/terraform creates one per environment)"
            )
        return self

    @model_validator(mode="after")
    def _bigquery_capture_needs_a_table(self) -> Self:
        if self.capture_runs == "bigquery" and not self.capture_bigquery_table:
            raise ValueError(
                "CAPTURE_RUNS=bigquery needs CAPTURE_BIGQUERY_TABLE: "
                "project.dataset.table (deployment/terraform creates it)"
            )
        return self

    @model_validator(mode="after")
    def _vertex_needs_a_project(self) -> Self:
        on_vertex = self.model_provider_name in VERTEX_PROVIDERS
        if on_vertex and not self.google_cloud_project:
            raise ValueError(
                f"MODEL={self.model} needs GOOGLE_CLOUD_PROJECT: set it to the "
                "project that has the Vertex AI API enabled"
            )
        return self
{%- if cookiecutter.agent == "rag" %}

    @model_validator(mode="after")
    def _knowledge_is_usable(self) -> Self:
        if self.knowledge_store == "pgvector" and self.database_url is None:
            raise ValueError(
                "KNOWLEDGE_STORE=pgvector needs DATABASE_URL: set it to the "
                "PostgreSQL (with pgvector) that keeps the knowledge base"
            )
        if self.embedding_provider == "vertex" and not self.google_cloud_project:
            raise ValueError(
                "EMBEDDING_PROVIDER=vertex needs GOOGLE_CLOUD_PROJECT: set it to the "
                "project that has the Vertex AI API enabled"
            )
        return self
{%- endif %}

    @property
    def model_provider_name(self) -> str:
        """MODEL's provider: `local`, `vertex`, or any `init_chat_model` provider."""
        return self.model.partition(":")[0]

    @property
    def active_model(self) -> str:
        """MODEL's model name (`gemini-...`, `gpt-...`), or `local`: the model that
        answers, as runs report it."""
        provider, _, name = self.model.partition(":")
        return name or provider

    @property
    def model_price(self) -> ModelPrice | None:
        """The active model's price, if known (the local model's is zero): MODEL_PRICES
        by model name, or by the whole MODEL value."""
        if self.model == "local":
            return LOCAL_MODEL_PRICE
        prices = self.model_prices
        return prices.get(self.active_model) or prices.get(self.model)

    @property
    def sqlite_path(self) -> Path:
        """Where the SQLite checkpointer keeps conversations."""
        return self.data_dir / "checkpoints.sqlite"

    @property
    def threads_path(self) -> Path:
        """Where the SQLite store keeps the thread registry."""
        return self.data_dir / "threads.sqlite"

    @property
    def a2a_tasks_path(self) -> Path:
        """Where A2A tasks are kept without DATABASE_URL (server/agent2agent)."""
        return self.data_dir / "a2a_tasks.sqlite"

    @property
    def captured_runs_path(self) -> Path:
        """Where CAPTURE_RUNS=local keeps runs and their feedback."""
        return self.data_dir / "captured_runs.jsonl"

    @property
    def feedback_path(self) -> Path:
        """Where feedback is appended, one JSON object a line."""
        return self.data_dir / "feedback.jsonl"
{%- if cookiecutter.agent == "rag" %}

    @property
    def knowledge_dir(self) -> Path:
        """Where the local knowledge store keeps its files."""
        return self.data_dir / "knowledge"
{%- endif %}
