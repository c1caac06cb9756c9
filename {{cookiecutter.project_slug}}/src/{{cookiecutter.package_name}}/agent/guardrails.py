"""Input guardrails: spot prompt injection, jailbreaks and requests far outside
the agent's purpose before the model sees them.

The graph asks a `Guardrail` about each user message and applies the policy
(GUARDRAIL_POLICY): `block` answers with the agent's refusal (the prompt
`agent/prompts/refusal/v1.md`) instead of running the agent, `flag` lets the run
go on and reports the finding, `off` skips the check.
Every decision reaches the caller (the final event's `guardrail`), the run's log
line and the `app.guardrail.decisions` metric.

What the model reads from elsewhere is screened too, as untrusted input: tool
results and retrieved passages (a flagged one is withheld from the model, the
rest of the run goes on), and a guardrail that also `ScreensAnswers` sees each
answer before it is kept.

`PatternGuardrail` is a transparent pattern screen: fast, offline, deterministic;
it reads through disguised letters and encodings (normalise.py) and knows the core
phrases in thirteen languages, but a paraphrase evades it. `ClassifierGuardrail`,
the default, adds a small learned classifier of what people write
(injection_classifier.py), which catches most paraphrases (docs/guardrails.md has
both's measured rates). GUARDRAIL=model_armor puts Google Cloud's Model Armor
behind the patterns (model_armor.py). Any other classifier implements `Guardrail`
and is returned from `guardrail_setup.guardrail_from_settings`; the graph does not
change.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from .attack_patterns import INJECTION, JAILBREAK
from .injection_classifier import InjectionClassifier, shipped_classifier
from .normalise import forms
from .pattern_parts import rules
from .prompts import load_prompt

GuardrailPolicy = Literal["block", "flag", "off"]
# Where the text came from: the run's `input` (user messages, or any message a
# client sends), a `tool_result` (or retrieved passages), or the model's `answer`.
GuardrailSource = Literal["input", "tool_result", "answer"]
# A decision as the API, the thread state and the logs carry it:
# `{"blocked": bool, "reason": str | None, "source": GuardrailSource}`.
GuardrailOutcome = dict[str, bool | str | None]


@dataclass(frozen=True)
class GuardrailDecision:
    """What the guardrail found in one message, and what the policy made of it."""

    # The text was kept from the model and the user: the run's input answered
    # with the refusal, a tool result withheld, an answer replaced.
    blocked: bool
    # What was found (`prompt_injection`, `jailbreak`, `off_topic`; in an answer,
    # `prompt_leak`: see leaks.py; Model Armor's findings: see model_armor.py),
    # or None.
    reason: str | None
    source: GuardrailSource = "input"

    def as_dict(self) -> GuardrailOutcome:
        return {"blocked": self.blocked, "reason": self.reason, "source": self.source}


ALLOWED = GuardrailDecision(blocked=False, reason=None)


class GuardrailUnavailableError(Exception):
    """The guardrail could not decide (its service timed out or failed) and is set
    to fail closed: the run stops rather than let the text through unscreened."""

    code = "guardrail_unavailable"


class Guardrail(Protocol):
    """Classifies untrusted text (a user message, a tool result): the reason it is
    unsafe or off-topic, or None."""

    async def classify(self, message: str) -> str | None: ...


@runtime_checkable
class ScreensAnswers(Protocol):
    """A guardrail that also screens the model's answers (Model Armor does)."""

    async def classify_answer(self, answer: str) -> str | None: ...


@runtime_checkable
class ScreensToolResults(Protocol):
    """A guardrail that reads tool results and retrieved passages its own way (a
    classifier of chat messages misreads documents)."""

    async def classify_tool_result(self, result: str) -> str | None: ...


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
        return self.match(forms(message))

    def match(self, texts: Sequence[str]) -> str | None:
        """The first reason a pattern finds in these forms of a text, or None."""
        for reason, patterns in self.rules:
            if any(pattern.search(text) for pattern in patterns for text in texts):
                return reason
        return None


class ClassifierGuardrail(PatternGuardrail):
    """The default guardrail: the patterns, then the learned classifier for what
    the patterns let through. Tool results and passages get the patterns alone:
    the classifier learnt from messages, and a document is no message."""

    def __init__(
        self,
        off_topic: OffTopic | None = None,
        classifier: InjectionClassifier | None = None,
    ) -> None:
        super().__init__(off_topic)
        self.classifier = classifier or shipped_classifier()

    async def classify(self, message: str) -> str | None:
        texts = forms(message)  # read once, for both
        if reason := self.match(texts):
            return reason
        flagged = self.classifier.score_forms(texts) >= self.classifier.threshold
        return "prompt_injection" if flagged else None

    async def classify_tool_result(self, result: str) -> str | None:
        return await super().classify(result)


async def decide(
    guardrail: Guardrail,
    policy: GuardrailPolicy,
    message: str,
    source: GuardrailSource = "input",
) -> GuardrailDecision:
    """Classify a text and apply the policy to what was found."""
    if policy == "off":
        return ALLOWED
    if source == "tool_result" and isinstance(guardrail, ScreensToolResults):
        reason = await guardrail.classify_tool_result(message)
    elif source != "answer":
        reason = await guardrail.classify(message)
    elif isinstance(guardrail, ScreensAnswers):
        reason = await guardrail.classify_answer(message)
    else:
        reason = None  # a guardrail of inputs only
    blocked = reason is not None and policy == "block"
    return GuardrailDecision(blocked, reason, source)


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


class Layers:
    """Guardrails in turn, the first finding winning: the free local screen first,
    so a service is asked only about what it lets through."""

    def __init__(self, *layers: Guardrail) -> None:
        self.layers = layers

    async def classify(self, message: str) -> str | None:
        for layer in self.layers:
            if reason := await layer.classify(message):
                return reason
        return None

    async def classify_answer(self, answer: str) -> str | None:
        for layer in self.layers:
            if isinstance(layer, ScreensAnswers) and (
                reason := await layer.classify_answer(answer)
            ):
                return reason
        return None
