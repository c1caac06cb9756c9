"""Settings: offline defaults, environment overrides, clear refusals."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.settings import Settings

ENV_EXAMPLE = Path(__file__).parents[2] / ".env.example"


def test_defaults_run_offline() -> None:
    settings = Settings(_env_file=None)
    assert settings.model_provider == "local"
    assert settings.active_model == "local"
    assert settings.database_url is None
    assert settings.sqlite_path == Path(".data/checkpoints.sqlite")


def test_environment_variables_override_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "42")
    monkeypatch.setenv("DATA_DIR", "elsewhere/data")
    monkeypatch.setenv("DATABASE_URL", "")  # empty means "use the default"
    settings = Settings(_env_file=None)
    assert settings.max_message_chars == 42
    assert settings.data_dir == Path("elsewhere/data")
    assert settings.database_url is None


def test_vertex_without_a_project_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="GOOGLE_CLOUD_PROJECT"):
        Settings(_env_file=None, model_provider="vertex")
    with pytest.raises(ValidationError, match="MODEL=vertex:gemini-x needs GOOGLE"):
        Settings(_env_file=None, model="vertex:gemini-x")


@pytest.mark.parametrize(
    ("variables", "model", "name"),
    [
        ({}, "local", "local"),
        ({"MODEL": "vertex:gemini-x"}, "vertex:gemini-x", "gemini-x"),
        ({"MODEL": "openai:gpt-5"}, "openai:gpt-5", "gpt-5"),
        # The older pair means the same as MODEL=vertex:<name> ...
        (
            {"MODEL_PROVIDER": "vertex", "MODEL_NAME": "gemini-y"},
            "vertex:gemini-y",
            "gemini-y",
        ),
        # ... and MODEL wins over it.
        ({"MODEL": "local", "MODEL_PROVIDER": "vertex"}, "local", "local"),
    ],
)
def test_one_setting_names_the_model(
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    model: str,
    name: str,
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)

    settings = Settings(_env_file=None)

    assert settings.model == model
    assert settings.active_model == name
    # The older pair follows MODEL, so code reading either agrees.
    assert (settings.model_provider == "vertex") == model.startswith("vertex:")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MODEL_PROVIDER", "openai"),
        ("MODEL", "gpt-5"),
        ("MODEL", "openai: gpt-5"),
        ("MAX_MESSAGE_CHARS", "0"),
        ("MODEL_TEMPERATURE", "3"),
        ("SYSTEM_PROMPT_VERSION", "../etc"),
    ],
)
def test_bad_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.lower()):
        Settings(_env_file=None)


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_env_example_values_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)
    assert settings.model_provider == "local"
