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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MODEL_PROVIDER", "openai"),
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
