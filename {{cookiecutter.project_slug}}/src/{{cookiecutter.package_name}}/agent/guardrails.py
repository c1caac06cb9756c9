"""Input guardrails: spot prompt injection, jailbreaks and requests far outside
the agent's purpose before the model sees them.

The graph asks a `Guardrail` about each user message and applies the policy
(GUARDRAIL_POLICY): `block` answers with the agent's refusal (the prompt
`agent/prompts/refusal/v1.md`) instead of running the agent, `flag` lets the run
go on and reports the finding, `off` skips the check.
Every decision reaches the caller (the final event's `guardrail`), the run's log
line and the `app.guardrail.decisions` metric.

`PatternGuardrail`, the default, is a transparent pattern screen: fast, offline,
deterministic; it reads through disguised letters and encoded spans (normalise.py)
and knows the core phrases in eight languages, but a paraphrase evades it (see
docs/guardrails.md for its measured rates). A stronger classifier (a Gemini model
asked to classify, Model Armor, ...) replaces it by implementing `Guardrail` and
being returned from `guardrail_from_settings`; the graph does not change.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from .normalise import decoded_spans, normalise
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


def _rules(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in patterns]


# The patterns read the normalised message (normalise.py: lower case, no accents,
# disguises undone). Each is about the assistant's own instructions or identity,
# not a word alone: "can I ignore the parking rules?" and "show me the
# instructions for my thermostat" are ordinary questions. _GAP stands for a few
# words of the same sentence.
_GAP = r"[^.?!\n]{0,40}?"
_DROP = r"(ignore|disregard|forget|override|bypass|skip|drop|abandon|set aside)"
_THEIRS = (
    r"(your|previous|prior|above|earlier|preceding|initial|original|system|"
    r"developer|hidden|secret)"
)
_ORDERS = (
    r"(instructions?|rules|guidelines|prompts?|directives|constraints|"
    r"restrictions|programming|guardrails|polic(y|ies)|system prompt)"
)
_SHOW = (
    r"(reveal|show|print|repeat|leak|output|display|tell me|give me|share|"
    r"recite|dump|copy|translate|write out|spell out|what (is|are|were))"
)
_THEIR_TEXT = (
    r"(your|the|its) (\w+ )?(system prompt|(initial|hidden|original|secret|"
    r"developer|system) (prompt|instructions|message))|your (\w+ )?(instructions|"
    r"rules|prompt|guidelines|directives|configuration)|(text|instructions|words|"
    r"message)s? (you were given|above|before (this|my))"
)

# Attempts to change the agent's instructions or to read them.
_INJECTION = _rules(
    # Set its instructions aside: "ignore all previous instructions".
    rf"\b{_DROP}\b{_GAP}\b{_THEIRS}\b{_GAP}\b{_ORDERS}\b",
    rf"\b{_DROP}\b{_GAP}\ball\b{_GAP}\b(instructions|prompts?|directives)\b",
    rf"\b{_DROP}\b{_GAP}\b{_ORDERS}\b{_GAP}\b(you (were|have been) given|"
    r"you received|given to you|above|so far)\b",
    # Read them: "print your system prompt", "the text you were given before".
    rf"\b{_SHOW}\b{_GAP}\b({_THEIR_TEXT})",
    r"\bsystem override\b",
    # A turn of the conversation forged inside the message.
    r"^\s*(system|assistant|developer)\s*:",
    r"<\|?(system|im_start|im_end)\|?>|\[/?(system|inst)\]",
    # New orders: "here are new instructions: ...", "your new task is".
    r"\b(new|updated|revised|real) (instructions|directives)\s*:",
    r"\bhere (are|is) (your )?new (instructions|rules|directives)\b",
    r"\byour (new|real|true) (instructions|task|role|purpose) (is|are)\b",
    # The core phrases in other languages (accents removed, as normalised).
    rf"\b(ignore[rsz]?|oublie[rsz]?)\b{_GAP}\b(les|tes|vos|toutes)\b{_GAP}"
    r"\b(instructions|consignes|regles)\b",
    rf"\b(montre[rz]?|affiche[rz]?|revele[rz]?|donne[rz]?)\b{_GAP}\b(ton|votre|"
    r"tes|vos) (prompt|instructions|consignes)",
    rf"\b(ignora|ignore|olvida|omite)\b{_GAP}\b(instrucciones|reglas|indicaciones)",
    rf"\b(muestra|revela|dime|ensename)\b{_GAP}\b(tu|tus) (prompt|instrucciones)",
    rf"\b(ignoriere|vergiss|missachte)\b{_GAP}\b(anweisungen|regeln|vorgaben)\b",
    rf"\b(zeig|zeige|verrate|gib)\b{_GAP}\b(deine|deinen|dein) "
    r"(systemprompt|prompt|anweisungen)",
    rf"\b(ignora|dimentica)\b{_GAP}\b(istruzioni|regole)\b",
    rf"\b(ignore|ignora|esqueca)\b{_GAP}\b(instrucoes|regras)\b",
    rf"(игнорируи|игнорировать|забудь){_GAP}(инструкции|правила)",
    r"(忽略|无视|忘记).{0,10}(指令|说明|规则|提示)",
    r"(显示|输出|告诉我|打印).{0,10}(系统提示|提示词|指令)",
)
# Attempts to make the agent someone else, without its rules.
_JAILBREAK = _rules(
    r"\byou are now (dan|an? (unfiltered|unrestricted|uncensored|evil|different|new|"
    r"free) )",
    r"\bfrom now on,? you (are|will|must|answer|respond|reply|act|speak|have)\b",
    r"\bpretend (to be|you are|you're|that you are)\b",
    r"\b(act|behave|respond|roleplay|role-play) as (an? )?(unfiltered|unrestricted|"
    r"uncensored|evil|jailbroken|dan)\b",
    rf"\bplay a game\b{_GAP}\byou are\b",
    r"\b(developer|god|jailbreak|unrestricted|dan|debug|admin|sudo) mode\b",
    r"\bjailbr(ea|o)k",
    rf"\b(answer|respond|reply|act|speak|talk|behave|operate|be|ai|model|assistant)"
    rf"\b{_GAP}\b(without|with no|free (of|from)) (any )?(restrictions|filters|"
    r"censorship|limitations|guardrails|rules|limits|safety)\b",
    rf"\b(drop|disable|remove|turn off|switch off|lift|bypass)\b{_GAP}\byour (\w+ )?"
    r"(filters|safety|guardrails|restrictions|censorship|rules|limits|guidelines)\b",
    r"\b(tu es|vous etes) maintenant\b|\ba partir de maintenant,? (tu|vous)\b",
    r"\bahora eres\b|\bdu bist jetzt\b|\bora sei\b|\bagora voce e\b",
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
        # The message as written, and what its encoded spans say.
        texts = [normalise(text) for text in (message, *decoded_spans(message))]
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
