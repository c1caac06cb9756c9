"""Input guardrails: spot prompt injection, jailbreaks and requests far outside
the agent's purpose before the model sees them.

The graph asks a `Guardrail` about each user message and applies the policy
(GUARDRAIL_POLICY): `block` answers with the agent's refusal (the prompt
`agent/prompts/refusal/v1.md`) instead of running the agent, `flag` lets the run
go on and reports the finding, `off` skips the check.
Every decision reaches the caller (the final event's `guardrail`), the run's log
line and the `app.guardrail.decisions` metric.

`PatternGuardrail`, the default, is a transparent pattern screen: fast, offline,
deterministic; it reads through disguised letters and encodings (normalise.py)
and knows the core phrases in thirteen languages, but a paraphrase evades it (see
docs/guardrails.md for its measured rates). A stronger classifier (a Gemini model
asked to classify, Model Armor, ...) replaces it by implementing `Guardrail` and
being returned from `guardrail_from_settings`; the graph does not change.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from .attack_patterns import INJECTION, JAILBREAK, rules
from .normalise import decoded_forms, normalise
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
    # What was found (`prompt_injection`, `jailbreak`, `off_topic`; in an answer,
    # `prompt_leak`: see leaks.py), or None.
    reason: str | None

    def as_dict(self) -> GuardrailOutcome:
        return {"blocked": self.blocked, "reason": self.reason}


ALLOWED = GuardrailDecision(blocked=False, reason=None)


class Guardrail(Protocol):
    """Classifies a user message: the reason it is unsafe or off-topic, or None."""

    async def classify(self, message: str) -> str | None: ...


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
        return cls(description.strip(), rules(*lines))


class PatternGuardrail:
    """The default guardrail: regular expressions over the message."""

    def __init__(self, off_topic: OffTopic | None = None) -> None:
        off_topic = off_topic or OffTopic.load()
        self.rules = (
            ("prompt_injection", INJECTION),
            ("jailbreak", JAILBREAK),
            ("off_topic", off_topic.patterns),
        )

    async def classify(self, message: str) -> str | None:
        # The message as written, and what its encodings say.
        texts = [normalise(text) for text in (message, *decoded_forms(message))]
        for reason, patterns in self.rules:
            if any(pattern.search(text) for pattern in patterns for text in texts):
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


# How many of the user's latest turns are also read together.
RECENT_TURNS = 4


async def screen(
    guardrail: Guardrail,
    policy: GuardrailPolicy,
    new: Sequence[str],
    earlier: Sequence[str] = (),
) -> GuardrailDecision:
    """Screen the user messages a run brings (`new`; `earlier` are the thread's
    previous user turns): each on its own, the first one flagged deciding; then the
    latest turns read together, for an instruction split over turns ("please
    ignore all" / "previous instructions"). A turn flagged on its own was refused
    then: found again in the turns read together, it does not refuse this run."""
    if policy == "off":
        return ALLOWED
    for message in new:
        decision = await decide(guardrail, policy, message)
        if decision.reason:
            return decision
    recent = [*earlier, *new][-RECENT_TURNS:]
    if len(recent) < 2:
        return ALLOWED
    together = await decide(guardrail, policy, " ".join(recent))
    if together.reason is None:
        return ALLOWED
    for message in recent[: max(len(recent) - len(new), 0)]:
        if await guardrail.classify(message):
            return ALLOWED
    return together


def guardrail_from_settings() -> Guardrail:
    """The guardrail the agent uses; return your own classifier here."""
    return PatternGuardrail()
