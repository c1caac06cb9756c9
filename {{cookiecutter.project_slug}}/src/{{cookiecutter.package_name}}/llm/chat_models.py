"""The chat-model factory: MODEL=local (offline), vertex:<gemini> (Gemini on Vertex
AI, the tested cloud path), or any `<provider>:<model>` that LangChain's
init_chat_model knows."""

from langchain_core.language_models import BaseChatModel

from ..settings import VERTEX_PROVIDERS, Settings
from .local_model import LocalChatModel


class ChatModelUnavailableError(RuntimeError):
    """MODEL names a provider whose LangChain package is not installed, or none."""


def chat_model_from_settings(settings: Settings) -> BaseChatModel:
    """Build the chat model that MODEL names."""
    if settings.model == "local":
        return LocalChatModel(
            token_delay_seconds=settings.local_model_token_delay_ms / 1000
        )
    if settings.model_provider_name in VERTEX_PROVIDERS:
        return _gemini_on_vertex(settings)
    return _any_provider(settings)


def _gemini_on_vertex(settings: Settings) -> BaseChatModel:
    # Imported here, not at the top: the Google client takes a while to import and
    # must not be loaded (nor credentials looked up) unless Vertex AI is asked for.
    # ChatGoogleGenerativeAI(vertexai=True) replaces langchain-google-vertexai's
    # deprecated ChatVertexAI and reaches the same Vertex AI endpoint.
    from langchain_google_genai import ChatGoogleGenerativeAI

    return ChatGoogleGenerativeAI(
        model=settings.active_model,
        vertexai=True,
        project=settings.google_cloud_project,
        location=settings.google_cloud_location,
        base_url=settings.vertex_base_url,
        temperature=settings.model_temperature,
        timeout=settings.model_timeout_seconds,
        # One attempt per call (the client counts attempts, not retries): the agent
        # node retries, with backoff (agent/faults.py), so retries do not multiply.
        max_retries=1,
    )


def _any_provider(settings: Settings) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    provider = settings.model_provider_name
    try:
        return init_chat_model(
            settings.active_model,
            model_provider=provider,
            temperature=settings.model_temperature,
            timeout=settings.model_timeout_seconds,
            # The agent node retries (agent/faults.py): none in the client too.
            max_retries=0,
        )
    except ImportError as missing:
        package = _missing_package(missing, provider)
        raise ChatModelUnavailableError(
            f"MODEL={settings.model} needs the {package} package: uv add {package}"
        ) from None
    except ValueError as unknown:
        raise ChatModelUnavailableError(
            f"MODEL={settings.model}: {str(unknown).splitlines()[0]}"
        ) from None


def _missing_package(error: ImportError, provider: str) -> str:
    """The package init_chat_model asked for, from its message, or a good guess."""
    words = str(error).replace("`", " ").replace("'", " ").split()
    named = [w for w in words if w.startswith("langchain-")]
    return named[0] if named else f"langchain-{provider.replace('_', '-')}"
