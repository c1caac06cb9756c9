"""Model Armor, Google Cloud's screening service, as the production guardrail
(GUARDRAIL=model_armor).

Untrusted text (user messages, tool results, retrieved passages) goes through a
template's `sanitizeUserPrompt`, the model's answers through `sanitizeModelResponse`.
The template (Terraform creates one per environment) says which filters run and
how confident a finding must be: prompt injection and jailbreak, malicious URLs,
responsible-AI categories, sensitive data.

When Model Armor cannot answer (a timeout, a 429 or a 5xx after the client's
retries, a denied permission), each direction does what its setting says:
`fail_closed` stops the run (503 `guardrail_unavailable`), `fail_open` lets the
text through and logs a warning. The defaults: prompts fail closed, since screening
them is the point; answers fail open, since they come from screened input and the
local leak check still runs.
"""

import asyncio
import logging
from typing import Any, Literal

from google.api_core import retry as retries
from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import GoogleAuthError
from google.cloud import modelarmor_v1
from requests import RequestException

from ..settings import Settings
from .guardrails import GuardrailUnavailableError

logger = logging.getLogger(__name__)

OnFault = Literal["fail_closed", "fail_open"]

# Model Armor's filters (the keys of `filterResults`) and the reason a finding of
# each reports; the first that matched is the one reported.
REASONS = {
    "pi_and_jailbreak": "prompt_injection",
    "malicious_uris": "malicious_url",
    "csam": "unsafe_content",
    "rai": "unsafe_content",
    "sdp": "sensitive_data",
    "virus_scan": "malicious_file",
}
_MATCH = "MATCH_FOUND"


class ModelArmorGuardrail:
    """Screens text with a Model Armor template, through Google's own client."""

    def __init__(
        self,
        template: str,
        *,
        endpoint: str,
        timeout_seconds: float,
        prompts_on_fault: OnFault,
        responses_on_fault: OnFault,
    ) -> None:
        # `projects/<project>/locations/<location>/templates/<id>`.
        self.template = template
        self.client = modelarmor_v1.ModelArmorClient(
            transport="rest", client_options={"api_endpoint": endpoint}
        )
        self.timeout = timeout_seconds
        # 429, 5xx and lost connections are retried within the timeout.
        self.retry = retries.Retry(
            predicate=retries.if_transient_error,
            initial=0.1,
            maximum=1.0,
            timeout=timeout_seconds,
        )
        self.on_fault = {"prompt": prompts_on_fault, "response": responses_on_fault}

    @classmethod
    def from_settings(cls, settings: Settings) -> "ModelArmorGuardrail":
        location = settings.model_armor_location or settings.google_cloud_location
        return cls(
            f"projects/{settings.google_cloud_project}/locations/{location}"
            f"/templates/{settings.model_armor_template}",
            # Templates live in a region and are reached at its endpoint.
            endpoint=settings.model_armor_endpoint
            or f"modelarmor.{location}.rep.googleapis.com",
            timeout_seconds=settings.model_armor_timeout_seconds,
            prompts_on_fault=settings.model_armor_prompts_on_fault,
            responses_on_fault=settings.model_armor_responses_on_fault,
        )

    async def classify(self, message: str) -> str | None:
        request = modelarmor_v1.SanitizeUserPromptRequest(
            name=self.template,
            user_prompt_data=modelarmor_v1.DataItem(text=message),
        )
        return await self._screen("prompt", self.client.sanitize_user_prompt, request)

    async def classify_answer(self, answer: str) -> str | None:
        request = modelarmor_v1.SanitizeModelResponseRequest(
            name=self.template,
            model_response_data=modelarmor_v1.DataItem(text=answer),
        )
        return await self._screen(
            "response", self.client.sanitize_model_response, request
        )

    async def _screen(self, direction: str, method: Any, request: Any) -> str | None:
        try:
            # The client is synchronous (its REST transport has no asyncio form).
            response = await asyncio.to_thread(
                method, request=request, retry=self.retry, timeout=self.timeout
            )
        except (GoogleAPIError, GoogleAuthError, RequestException) as error:
            self._fault(direction, f"{type(error).__name__}: {error}")
            return None
        result = response.sanitization_result
        if result.invocation_result == modelarmor_v1.InvocationResult.FAILURE:
            self._fault(direction, "every filter failed to run")
            return None
        if result.filter_match_state != modelarmor_v1.FilterMatchState.MATCH_FOUND:
            return None
        matched = [
            name
            for name, found in result.filter_results.items()
            if _matched(type(found).to_dict(found, use_integers_for_enums=False))
        ]
        return next((REASONS[n] for n in REASONS if n in matched), "unsafe_content")

    def _fault(self, direction: str, what: str) -> None:
        """Model Armor gave no verdict: let the text through, or stop the run."""
        if self.on_fault[direction] == "fail_open":
            logger.warning(
                "Model Armor gave no verdict (%s): %s let through", what, direction
            )
            return
        raise GuardrailUnavailableError(
            f"Model Armor gave no verdict on a {direction} ({what}); "
            f"MODEL_ARMOR_{direction.upper()}S_ON_FAULT is fail_closed"
        )


def _matched(result: Any) -> bool:
    """Whether a filter's result (nested: RAI and SDP have parts) found a match."""
    if isinstance(result, dict):
        if result.get("match_state") == _MATCH:
            return True
        return any(_matched(value) for value in result.values())
    if isinstance(result, list):
        return any(_matched(value) for value in result)
    return False
