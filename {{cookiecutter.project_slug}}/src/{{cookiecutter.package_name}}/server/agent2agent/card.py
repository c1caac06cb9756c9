"""The agent card: what other agents learn at /.well-known/agent-card.json about
this one: its name, what it can do (a skill per tool), where to call it (JSON-RPC
and HTTP+JSON, A2A 1.0 and 0.3 on the same URL) and how to say who is calling."""

from collections.abc import Sequence

from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    APIKeySecurityScheme,
    OpenIdConnectSecurityScheme,
    SecurityRequirement,
    SecurityScheme,
    StringList,
)
from a2a.utils.constants import PROTOCOL_VERSION_0_3, PROTOCOL_VERSION_1_0
from langchain_core.tools import BaseTool

from ...agent.mcp_tools import MCP_SERVER
from ...settings import AGENT_NAME, Settings
from ..about import about
from ..auth import TEST_USER_HEADER
from .paths import JSONRPC_PATH, REST_PATH

VERSIONS = (PROTOCOL_VERSION_1_0, PROTOCOL_VERSION_0_3)
# JSON-RPC first: the binding a 0.3 card names as preferred.
BINDINGS = (("JSONRPC", JSONRPC_PATH), ("HTTP+JSON", REST_PATH))
# Text to talk; JSON to answer an approval question with decisions.
MODES = ["text/plain", "application/json"]
GOOGLE_OIDC = "https://accounts.google.com/.well-known/openid-configuration"


def agent_card(
    settings: Settings, tools: Sequence[BaseTool], base_url: str
) -> AgentCard:
    """The card for the agent with these tools, served at `base_url` (PUBLIC_URL
    wins: behind a proxy, the request's own URL is not the one clients use)."""
    base = (settings.public_url or base_url).rstrip("/")
    description, version = about()
    card = AgentCard(
        name=AGENT_NAME,
        description=description,
        version=version,
        supported_interfaces=[
            AgentInterface(
                url=base + path, protocol_binding=binding, protocol_version=protocol
            )
            for binding, path in BINDINGS
            for protocol in VERSIONS
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=MODES,
        default_output_modes=MODES,
        skills=[_skill(tool) for tool in tools] or [_conversation(description)],
    )
    if scheme := _security(settings):
        card.security_schemes["caller"].CopyFrom(scheme)
        card.security_requirements.append(
            SecurityRequirement(schemes={"caller": StringList()})
        )
    return card


def _skill(tool: BaseTool) -> AgentSkill:
    server = (tool.metadata or {}).get(MCP_SERVER)
    return AgentSkill(
        id=tool.name,
        name=tool.name,
        # The summary: a docstring's argument list is the tool's schema's business.
        description=(tool.description or tool.name).split("\n\n")[0],
        tags=["tool", f"mcp:{server}"] if server else ["tool"],
    )


def _conversation(description: str) -> AgentSkill:
    return AgentSkill(
        id="conversation",
        name="conversation",
        description=description,
        tags=["conversation"],
    )


def _security(settings: Settings) -> SecurityScheme | None:
    """How a caller proves who it is, as AUTH_MODE checks it (server/auth.py)."""
    if settings.auth_mode == "google":
        return SecurityScheme(
            open_id_connect_security_scheme=OpenIdConnectSecurityScheme(
                open_id_connect_url=GOOGLE_OIDC,
                description="A Google ID token for the service's URL "
                "(Authorization: Bearer)",
            )
        )
    if settings.auth_mode == "test":
        return SecurityScheme(
            api_key_security_scheme=APIKeySecurityScheme(
                location="header",
                name=TEST_USER_HEADER,
                description="Tests only: the caller's name",
            )
        )
    return None
