"""Input guardrails: spot prompt injection, jailbreaks and requests far outside
the agent's purpose before the model sees them.

The graph asks a `Guardrail` about each user message and applies the policy
(GUARDRAIL_POLICY): `block` answers with the agent's refusal (the prompt
`agent/prompts/refusal/v1.md`) instead of running the agent, `flag` lets the run
go on and reports the finding, `off` skips the check.
Every decision reaches the caller (the final event's `guardrail`), the run's log
line and the `app.guardrail.decisions` metric.

`PatternGuardrail`, the default, is a transparent keyword screen: fast, offline,
deterministic, and easy to evade by paraphrase, other languages or encodings (see
docs/guardrails.md for its measured rates). A stronger classifier (a Gemini model
asked to classify, Model Armor, ...) replaces it by implementing `Guardrail` and
being returned from `guardrail_from_settings`; the graph does not change.
"""

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from .prompts import load_prompt

GuardrailPolicy = Literal["block", "flag", "off"]
# A decision as the API, the thread state and the logs carry it:
# `{"blocked": bool, "reason": str | None}`.
GuardrailOutcome = dict[str, bool | str | None]


@dataclass(frozen=True)
class GuardrailDecision:
    """What the guardrail found in one message, and what the policy made of it."""

    # The run was stopped and answered with the refusal.
    blocked: bool
    # What was found (`prompt_injection`, `jailbreak`, `off_topic`), or None.
    reason: str | None

    def as_dict(self) -> GuardrailOutcome:
        return {"blocked": self.blocked, "reason": self.reason}


ALLOWED = GuardrailDecision(blocked=False, reason=None)


class Guardrail(Protocol):
    """Classifies a user message: the reason it is unsafe or off-topic, or None."""

    async def classify(self, message: str) -> str | None: ...


def _rules(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern, re.IGNORECASE) for pattern in patterns]


# Attempts to change the agent's instructions or to read them.
_INJECTION = _rules(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.?!\n]{0,40}"
    r"\b(instructions?|rules|guidelines|prompts?|restrictions|directives)\b",
    r"\b(reveal|show|print|repeat|leak|output|display|tell me)\b[^.?!\n]{0,40}"
    r"\b(system prompt|instructions|initial prompt|hidden prompt|your rules)\b",
    r"\bsystem\s*(prompt|override|message)\b",
    r"^\s*(system|assistant|developer)\s*:",
    r"\bnew instructions\b",
)
# Attempts to make the agent someone else, without its rules.
_JAILBREAK = _rules(
    r"\byou are now\b",
    r"\bfrom now on,? you\b",
    r"\bpretend (to be|you are|you're)\b",
    r"\b(developer|god|jailbreak|unrestricted|dan) mode\b",
    r"\bjailbreak",
    r"\bno (restrictions|rules|filters|limits)\b",
    r"\bwithout (any )?(restrictions|rules|filters|limits)\b",
)


@dataclass(frozen=True)
class OffTopic:
    """What is far outside the agent's purpose: data, in the prompt file
    `prompts/off_topic/<version>.md` (a description, `---`, one pattern a line)."""

    description: str
    patterns: list[re.Pattern[str]]

    @classmethod
    def load(cls, version: str = "v1") -> "OffTopic":
        description, _, patterns = load_prompt("off_topic", version).text.partition(
            "\n---\n"
        )
        lines = [line for line in patterns.splitlines() if line.strip()]
        return cls(description.strip(), _rules(*lines))


class PatternGuardrail:
    """The default guardrail: regular expressions over the message."""

    def __init__(self, off_topic: OffTopic | None = None) -> None:
        off_topic = off_topic or OffTopic.load()
        self.rules = (
            ("prompt_injection", _INJECTION),
            ("jailbreak", _JAILBREAK),
            ("off_topic", off_topic.patterns),
        )

    async def classify(self, message: str) -> str | None:
        for reason, patterns in self.rules:
            if any(pattern.search(message) for pattern in patterns):
                return reason
        return None


async def decide(
    guardrail: Guardrail, policy: GuardrailPolicy, message: str
) -> GuardrailDecision:
    """Classify a message and apply the policy to what was found."""
    if policy == "off":
        return ALLOWED
    reason = await guardrail.classify(message)
    return GuardrailDecision(
        blocked=reason is not None and policy == "block", reason=reason
    )


def guardrail_from_settings() -> Guardrail:
    """The guardrail the agent uses; return your own classifier here."""
    return PatternGuardrail()
