"""Versioned prompts: loaded by version, identified by content."""

import re

import pytest

from {{ cookiecutter.package_name }}.agent.prompts import (
    Prompt,
    PromptNotFoundError,
    available_versions,
    load_prompt,
)


def test_system_prompt_loads_with_version_and_digest() -> None:
    prompt = load_prompt("system", "v1")
    assert prompt.version == "v1"
    assert "get_weather" in prompt.text
    assert re.fullmatch(r"[0-9a-f]{12}", prompt.digest)
    assert prompt.ref == f"system/v1@{prompt.digest}"


def test_any_edit_changes_the_digest() -> None:
    original = load_prompt("system", "v1")
    edited = Prompt(name="system", version="v1", text=original.text + " ")
    assert edited.digest != original.digest


def test_unknown_version_lists_the_available_ones() -> None:
    assert "v1" in available_versions("system")
    with pytest.raises(PromptNotFoundError, match=r"no version 'v9'.*v1"):
        load_prompt("system", "v9")


def test_unknown_prompt_name() -> None:
    with pytest.raises(PromptNotFoundError, match="available: none"):
        load_prompt("nope", "v1")
