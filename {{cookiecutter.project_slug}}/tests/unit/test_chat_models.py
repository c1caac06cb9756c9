"""MODEL picks the chat model: offline, Gemini on Vertex AI, or any LangChain
provider, with a one-line error naming the package a provider needs."""

from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel

from {{ cookiecutter.package_name }}.llm.chat_models import (
    ChatModelUnavailableError,
    chat_model_from_settings,
)
from {{ cookiecutter.package_name }}.llm.local_model import LocalChatModel
from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings


def build(model: str) -> BaseChatModel:
    return chat_model_from_settings(
        Settings(_env_file=None, model=model, google_cloud_project="p")
    )


def test_local_is_the_offline_model() -> None:
    assert isinstance(build("local"), LocalChatModel)


@pytest.mark.parametrize("model", ["vertex:gemini-x", "google_vertexai:gemini-x"])
def test_vertex_is_gemini_through_the_genai_client(model: str) -> None:
    from langchain_google_genai import ChatGoogleGenerativeAI

    chat = build(model)

    assert isinstance(chat, ChatGoogleGenerativeAI)
    assert chat.model.endswith("gemini-x")
    assert chat.project == "p"


def test_other_providers_go_through_init_chat_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # langchain-google-genai is installed: its Gemini API provider builds for real
    # (no call is made; the key only has to exist).
    from langchain_google_genai import ChatGoogleGenerativeAI

    monkeypatch.setenv("GOOGLE_API_KEY", "not-a-real-key")

    chat = chat_model_from_settings(
        Settings(_env_file=None, model="google_genai:gemini-x")
    )

    assert isinstance(chat, ChatGoogleGenerativeAI)
    assert chat.model.endswith("gemini-x")


def test_a_provider_without_its_package_names_the_package() -> None:
    with pytest.raises(ChatModelUnavailableError) as missing:
        build("anthropic:claude-x")

    message = str(missing.value)
    assert message == (
        "MODEL=anthropic:claude-x needs the langchain-anthropic package: "
        "uv add langchain-anthropic"
    )


def test_an_unknown_provider_is_one_clear_line() -> None:
    with pytest.raises(ChatModelUnavailableError, match="MODEL=nope:x: Unsupported"):
        build("nope:x")


def test_the_server_stops_at_startup_with_that_line(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, model="anthropic:claude-x", data_dir=tmp_path)

    with pytest.raises(SystemExit) as stopped:
        create_app(settings)

    assert str(stopped.value) == (
        "error: MODEL=anthropic:claude-x needs the langchain-anthropic package: "
        "uv add langchain-anthropic"
    )
