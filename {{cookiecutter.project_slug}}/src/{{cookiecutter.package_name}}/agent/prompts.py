"""Versioned prompts: `prompts/<name>/<version>.md`, loaded with a content digest.

A prompt's version is chosen by settings (e.g. SYSTEM_PROMPT_VERSION=v2), so two
versions can run side by side in evaluation. The digest identifies the exact text:
it changes with any edit, even one made without bumping the version.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

_PROMPTS = Path(__file__).with_name("prompts")


@dataclass(frozen=True)
class Prompt:
    """A prompt's text and the identifiers that tie a run to it."""

    name: str
    version: str
    text: str

    @property
    def digest(self) -> str:
        """First 12 hex digits of the SHA-256 of the text."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    @property
    def ref(self) -> str:
        """One string for logs and lineage, e.g. `system/v1@3f2a9c1b0d4e`."""
        return f"{self.name}/{self.version}@{self.digest}"


class PromptNotFoundError(LookupError):
    """The requested prompt name or version does not exist."""


def available_versions(name: str) -> list[str]:
    """The versions of a prompt that ship with the package, sorted."""
    folder = _PROMPTS / name
    if not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.md"))


def load_prompt(name: str, version: str) -> Prompt:
    """Load `prompts/<name>/<version>.md`; fail with the versions that do exist."""
    path = _PROMPTS / name / f"{version}.md"
    if not path.is_file():
        versions = ", ".join(available_versions(name)) or "none"
        raise PromptNotFoundError(
            f"prompt {name!r} has no version {version!r} (available: {versions})"
        )
    return Prompt(name=name, version=version, text=path.read_text("utf-8").strip())
