"""The chat-model factory: the offline local model, or Gemini on Vertex AI."""

from langchain_core.language_models import BaseChatModel

from .local_model import LocalChatModel
from .settings import Settings


def chat_model_from_settings(settings: Settings) -> BaseChatModel:
    """Build the chat model that MODEL_PROVIDER names."""
    if settings.model_provider == "local":
        return LocalChatModel(
            token_delay_seconds=settings.local_model_token_delay_ms / 1000
        )
    return _gemini_on_vertex(settings)


def _gemini_on_vertex(settings: Settings) -> BaseChatModel:
    # Imported here, not at the top: the Google client takes a while to import and
    # must not be loaded (nor credentials looked up) unless Vertex AI is asked for.
    # ChatGoogleGenerativeAI(vertexai=True) replaces langchain-google-vertexai's
    # deprecated ChatVertexAI and reaches the same Vertex AI endpoint.
    from langchain_google_genai import ChatGoogleGenerativeAI

    return ChatGoogleGenerativeAI(
        model=settings.model_name,
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
