"""Versioned prompts: loaded by version, identified by content. Whatever a prompt
says is the agent's business: these tests hold for any wording."""

import re

import pytest

from {{ cookiecutter.package_name }}.agent.prompts import (
    Prompt,
    PromptNotFoundError,
    available_versions,
    load_prompt,
)
from {{ cookiecutter.package_name }}.settings import Settings

# The prompts the agent loads: its instructions, and what a blocked user reads.
PROMPT_NAMES = ("system", "refusal")
SHIPPED = [(name, v) for name in PROMPT_NAMES for v in available_versions(name)]


@pytest.mark.parametrize(("name", "version"), SHIPPED)
def test_every_shipped_version_loads_with_its_digest(name: str, version: str) -> None:
    prompt = load_prompt(name, version)
    assert (prompt.name, prompt.version) == (name, version)
    assert prompt.text
    assert prompt.text == prompt.text.strip()
    assert re.fullmatch(r"[0-9a-f]{12}", prompt.digest)
    assert prompt.ref == f"{name}/{version}@{prompt.digest}"


def test_each_prompt_the_agent_loads_ships_the_default_version() -> None:
    default = Settings(_env_file=None).system_prompt_version
    assert default in available_versions("system")
    assert "v1" in available_versions("refusal")


def test_versions_with_the_same_text_share_a_digest_and_an_edit_changes_it() -> None:
    original = load_prompt("system", "v1")
    same = Prompt(name="system", version="v999", text=original.text)
    edited = Prompt(name="system", version="v1", text=original.text + " ")
    assert same.digest == original.digest
    assert edited.digest != original.digest


def test_unknown_version_lists_the_available_ones() -> None:
    versions = available_versions("system")
    assert versions == sorted(versions)
    with pytest.raises(PromptNotFoundError, match=r"no version 'v999'.*v1"):
        load_prompt("system", "v999")


def test_unknown_prompt_name() -> None:
    assert available_versions("nope") == []
    with pytest.raises(PromptNotFoundError, match="available: none"):
        load_prompt("nope", "v1")
