"""Eval cases: one JSON object a line in `evals/*.jsonl`."""

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ToolStep(BaseModel):
    """An expected tool call; `args` lists only the arguments that matter."""

    model_config = ConfigDict(extra="forbid")

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Checks(BaseModel):
    """Deterministic rubric checks, read by the local judge (case-insensitive)."""

    model_config = ConfigDict(extra="forbid")

    must_include: list[str] = Field(default_factory=list)
    must_not_include: list[str] = Field(default_factory=list)


class RelevantPassage(BaseModel):
    """A passage that answers the case: from `source`, containing `contains`
    (case-insensitive), so the label survives a change of chunk size."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1)
    contains: str = ""


class EvalCase(BaseModel):
    """One case: what the user says, and what a good answer does and says."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    # One message, or a conversation: the user's turns, in order. The expectations
    # are about the last turn; earlier turns are context.
    input: str | None = None
    conversation: list[str] | None = None
    expected_trajectory: list[ToolStep] = Field(default_factory=list)
    reference: str = ""
    rubric: str = ""
    checks: Checks = Field(default_factory=Checks)
    # For agents that retrieve: the passages a good answer finds and cites. Cases
    # with labels get retrieval, groundedness and citation scores.
    relevant: list[RelevantPassage] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    # Where a harvested case came from (`make eval-harvest`): the production run,
    # the answer it gave, the feedback on it. For its reviewer; never scored.
    origin: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_input(self) -> "EvalCase":
        if (self.input is None) == (self.conversation is None):
            raise ValueError("give exactly one of `input` or `conversation`")
        if self.conversation is not None and not self.conversation:
            raise ValueError("`conversation` needs at least one turn")
        return self

    @property
    def turns(self) -> list[str]:
        """The user's messages, in order."""
        return (
            self.conversation if self.conversation is not None else [self.input or ""]
        )


class EvalSetError(ValueError):
    """The eval set cannot be read; the message names the file and line."""


def load_cases(path: Path) -> list[EvalCase]:
    """Read and validate every case of a JSONL file."""
    if not path.is_file():
        raise EvalSetError(f"{path}: no such eval set")
    cases: list[EvalCase] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(EvalCase.model_validate_json(line))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'case'}: {e['msg']}"
                for e in error.errors()
            )
            raise EvalSetError(f"{path}:{number}: {problems}") from None
    ids = [case.id for case in cases]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise EvalSetError(f"{path}: duplicate case ids {duplicated}")
    if not cases:
        raise EvalSetError(f"{path}: no cases")
    return cases


def file_digest(path: Path) -> str:
    """SHA-256 of the eval set, for lineage."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
