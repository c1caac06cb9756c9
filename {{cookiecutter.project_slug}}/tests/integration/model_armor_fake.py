"""A local HTTP fake of Model Armor's REST protocol, for offline tests.

It answers `POST /v1/projects/{project}/locations/{location}/templates/{id}` with
`:sanitizeUserPrompt` (`userPromptData.text`) and `:sanitizeModelResponse`
(`modelResponseData.text`) in the service's JSON shape (`sanitizationResult`:
`filterMatchState`, `filterResults` keyed by filter, `invocationResult`), and the
OAuth token endpoint, so Google's own client and credentials run unmodified.

A text containing a phrase given to `flag` is a match of that filter; faults are
scripted per request (an HTTP error with Google's error body, or a stall longer
than the caller's deadline). Every screen request is recorded.
"""

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from .fake_http import TOKEN_PATH, JsonHandler, LocalFake

_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/templates/(?P<template>[^/:]+):(?P<method>sanitizeUserPrompt|sanitizeModelResponse)$"
)
# Each filter's key in `filterResults` and the field of its result.
_RESULT_FIELDS = {
    "pi_and_jailbreak": "piAndJailbreakFilterResult",
    "malicious_uris": "maliciousUriFilterResult",
    "csam": "csamFilterFilterResult",
}
_STATUS = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
# The enums' numbers in Model Armor's protocol (google.cloud.modelarmor.v1), sent
# instead of their names when the client asks for `enum-encoding=int`, as Google's
# clients do.
_ENUM_NUMBERS = {
    "NO_MATCH_FOUND": 1,
    "MATCH_FOUND": 2,
    "SUCCESS": 1,
    "EXECUTION_SUCCESS": 1,
    "HIGH": 3,
}


@dataclass(frozen=True)
class ScreenRequest:
    """One sanitize call as the fake received it."""

    method: str
    template: str  # projects/<p>/locations/<l>/templates/<id>
    text: str
    authorization: str


class ModelArmorFake(LocalFake):
    """Run with `with ModelArmorFake() as fake:`; `fake.url` is its endpoint."""

    def __init__(self) -> None:
        self.requests: list[ScreenRequest] = []
        self._flags: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        # Scripted faults in order: (the method they hit or None for any, fault).
        self._faults: list[tuple[str | None, int | float]] = []
        super().__init__()

    def flag(self, phrase: str, kind: str = "pi_and_jailbreak") -> None:
        """Texts containing `phrase` match the filter `kind` (a key of
        `filterResults`: pi_and_jailbreak, malicious_uris, rai, sdp, csam)."""
        self._flags.append((phrase, kind))

    def fail_next(self, status: int, times: int = 1, method: str | None = None) -> None:
        """The next `times` requests (of `method`, if given) get this HTTP error."""
        self._faults.extend([(method, status)] * times)

    def stall_next(self, seconds: float, method: str | None = None) -> None:
        """The next request (of `method`, if given) is answered after `seconds`."""
        self._faults.append((method, float(seconds)))

    def _next_fault(self, method: str) -> int | float | None:
        with self._lock:
            for index, (target, fault) in enumerate(self._faults):
                if target in (None, method):
                    del self._faults[index]
                    return fault
        return None

    def verdict(self, text: str) -> dict[str, Any]:
        """The `sanitizationResult` for a text."""
        found = {kind for phrase, kind in self._flags if phrase in text}
        results = {
            kind: _filter_result(kind, kind in found)
            for kind in ("pi_and_jailbreak", "malicious_uris", "rai", "sdp", "csam")
        }
        return {
            "filterMatchState": "MATCH_FOUND" if found else "NO_MATCH_FOUND",
            "filterResults": results,
            "invocationResult": "SUCCESS",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                raw = self.read_body()
                if self.path == TOKEN_PATH:  # a form, not JSON
                    self.send_token()
                    return
                body = json.loads(raw or b"{}")
                path, _, query = self.path.partition("?")
                match = _PATH.match(path)
                if match is None:
                    self.send_json(404, _error(404, f"no such method: {self.path}"))
                    return
                method = match["method"]
                item = (
                    "userPromptData"
                    if method == "sanitizeUserPrompt"
                    else "modelResponseData"
                )
                template = path.removeprefix("/v1/").partition(":")[0]
                text = body.get(item, {}).get("text", "")
                fake.requests.append(
                    ScreenRequest(
                        method, template, text, self.headers.get("authorization", "")
                    )
                )
                fault = fake._next_fault(method)
                if isinstance(fault, float):
                    time.sleep(fault)
                elif isinstance(fault, int):
                    self.send_json(fault, _error(fault, "scripted fault"))
                    return
                verdict = fake.verdict(text)
                if "enum-encoding=int" in unquote(query):
                    verdict = _numbered(verdict)
                self.send_json(200, {"sanitizationResult": verdict})

        return Handler


def _filter_result(kind: str, matched: bool) -> dict[str, Any]:
    state = "MATCH_FOUND" if matched else "NO_MATCH_FOUND"
    done = {"executionState": "EXECUTION_SUCCESS", "matchState": state}
    if kind == "rai":
        # Responsible-AI results come per category.
        category = {**done, "confidenceLevel": "HIGH"} if matched else done
        return {
            "raiFilterResult": {**done, "raiFilterTypeResults": {"dangerous": category}}
        }
    if kind == "sdp":
        return {"sdpFilterResult": {"inspectResult": done}}
    return {_RESULT_FIELDS[kind]: done}


def _numbered(value: Any) -> Any:
    """The result with its enum names as numbers."""
    if isinstance(value, dict):
        return {key: _numbered(item) for key, item in value.items()}
    return _ENUM_NUMBERS.get(value, value) if isinstance(value, str) else value


def _error(status: int, message: str) -> dict[str, Any]:
    """Google's JSON error body."""
    return {
        "error": {
            "code": status,
            "message": message,
            "status": _STATUS.get(status, "UNKNOWN"),
        }
    }
