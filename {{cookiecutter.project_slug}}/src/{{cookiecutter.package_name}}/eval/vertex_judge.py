"""The rubric judge on Vertex AI's Gen AI evaluation service (`evaluateInstances`,
pointwise and pairwise model-based metrics), with application-default credentials.

Each case's rubric goes into the metric prompt; the service's autorater answers
with a 1-5 score (pointwise, reported here on 0-1) or a preferred response.
"""

import asyncio
import json
from typing import Any

from .cases import EvalCase
from .judge import Verdict, Winner

POINTWISE_TEMPLATE = """You are an expert evaluator of an AI assistant's answer.
Rubric for a good answer: {rubric}
Score 5 if the answer fully meets the rubric, 3 if it partly does, 1 if it does not.

User request: {prompt}
Answer: {response}"""

PAIRWISE_TEMPLATE = """You are an expert evaluator comparing two answers.
Rubric for a good answer: {rubric}
Choose the answer that better meets the rubric, or a tie if they are equally good.

User request: {prompt}
Baseline answer: {baseline_model_response}
Candidate answer: {response}"""

_WINNERS: dict[str, Winner] = {
    "BASELINE": "baseline",
    "CANDIDATE": "candidate",
    "TIE": "tie",
}


class VertexJudge:
    """Calls the evaluation service of a project and location (or `base_url`)."""

    name = "vertex (Gen AI evaluation service)"

    def __init__(
        self, project: str, location: str, base_url: str | None = None
    ) -> None:
        self.parent = f"projects/{project}/locations/{location}"
        endpoint = base_url or f"https://{location}-aiplatform.googleapis.com"
        self.url = f"{endpoint.rstrip('/')}/v1/{self.parent}:evaluateInstances"
        self._session: Any = None

    async def pointwise(self, case: EvalCase, reply: str) -> Verdict:
        if not case.rubric:
            return Verdict(None, "no rubric")
        result = await self._evaluate(
            "pointwiseMetricInput",
            POINTWISE_TEMPLATE,
            {"rubric": case.rubric, "prompt": case.turns[-1], "response": reply},
        )
        score = float(result["pointwiseMetricResult"]["score"])
        explanation = result["pointwiseMetricResult"].get("explanation", "")
        return Verdict(round((score - 1) / 4, 4), explanation)

    async def pairwise(self, case: EvalCase, baseline: str, candidate: str) -> Winner:
        result = await self._evaluate(
            "pairwiseMetricInput",
            PAIRWISE_TEMPLATE,
            {
                "rubric": case.rubric or "A correct, helpful answer.",
                "prompt": case.turns[-1],
                "baseline_model_response": baseline,
                "response": candidate,
            },
        )
        return _WINNERS[result["pairwiseMetricResult"]["pairwiseChoice"]]

    async def _evaluate(
        self, kind: str, template: str, instance: dict[str, str]
    ) -> dict[str, Any]:
        body = {
            "location": self.parent,
            kind: {
                "metricSpec": {"metricPromptTemplate": template},
                "instance": {"jsonInstance": json.dumps(instance)},
            },
        }
        return await asyncio.to_thread(self._post, body)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        if self._session is None:
            # Imported here: google-auth is only needed when this judge is used.
            import google.auth
            from google.auth.transport.requests import AuthorizedSession

            scopes = ["https://www.googleapis.com/auth/cloud-platform"]
            credentials, _ = google.auth.default(scopes=scopes)
            self._session = AuthorizedSession(credentials)  # type: ignore[no-untyped-call]
        response = self._session.post(self.url, json=body, timeout=120)
        if response.status_code != 200:
            status, text = response.status_code, response.text
            raise RuntimeError(f"Vertex AI evaluation failed: HTTP {status} {text}")
        result: dict[str, Any] = response.json()
        return result
