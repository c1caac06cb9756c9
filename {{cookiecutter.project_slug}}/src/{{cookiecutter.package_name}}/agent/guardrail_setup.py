"""The guardrail the settings choose (GUARDRAIL): the one place to plug in another."""

from ..settings import Settings
from .guardrails import ClassifierGuardrail, Guardrail, Layers, PatternGuardrail


def guardrail_from_settings(settings: Settings) -> Guardrail:
    """The guardrail the agent uses; return your own classifier here."""
    if settings.guardrail == "model_armor":
        # Imported only when chosen: Google's client takes about a second.
        from .model_armor import ModelArmorGuardrail

        return Layers(PatternGuardrail(), ModelArmorGuardrail.from_settings(settings))
    if settings.guardrail == "patterns":
        return PatternGuardrail()
    return ClassifierGuardrail()
