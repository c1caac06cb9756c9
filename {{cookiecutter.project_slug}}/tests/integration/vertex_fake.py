"""A local HTTP fake of the Vertex AI REST protocol (Gemini and the Gen AI
evaluation service), for offline tests.

It speaks what the real clients send and expect: `:generateContent` (JSON) and
`:streamGenerateContent?alt=sse` (Server-Sent Events) under
`/v1beta1/projects/{project}/locations/{location}/publishers/google/models/{model}`,
`/v1/projects/{project}/locations/{location}:evaluateInstances`, and an OAuth token
endpoint, so Google's own credential code runs unmodified against it. Replies are
scripted per test (text, function calls, HTTP errors); with no script it echoes the
user's last message. Every request is recorded.

Text embeddings too, on the same model path, in each of the three shapes Vertex AI
serves them: `:predict` (`instances[].content`), `:embedContent` (one `content`) and
`:batchEmbedContents` (`requests[].content`). Which one a client sends for a given
model is the SDK's choice and changes between releases (google-genai moved Gemini
embedding models from `:predict` to `:embedContent`), so the fake answers all three
and tests assert what the caller sees. Vectors are a bag of words hashed into
`embedding_dimensions` numbers: texts that share words come out close.
"""

import hashlib
import json
import math
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from .fake_http import TOKEN_PATH, JsonHandler, LocalFake

ACCESS_TOKEN = JsonHandler.access_token
EMBEDDING_METHODS = frozenset({"predict", "embedContent", "batchEmbedContents"})
_EVALUATE_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/:]+):evaluateInstances$"
)
_MODEL_PATH = re.compile(
    r"^/v1beta1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/google/models/(?P<model>[^/:]+):(?P<method>\w+)"
)


@dataclass
class RecordedRequest:
    """One generate call as the fake received it."""

    method: str
    project: str
    location: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]

    def last_user_text(self) -> str:
        """The text of the last `user` turn in the request."""
        for content in reversed(self.body.get("contents", [])):
            if content.get("role") == "user":
                texts = [p["text"] for p in content.get("parts", []) if "text" in p]
                if texts:
                    return " ".join(texts)
        return ""

    def function_names(self) -> list[str]:
        """The functions the client declared as tools."""
        return [
            declaration["name"]
            for tool in self.body.get("tools", [])
            for declaration in tool.get("functionDeclarations", [])
        ]

    def function_responses(self) -> list[dict[str, Any]]:
        """Tool results the client sent back to the model."""
        return [
            part["functionResponse"]
            for content in self.body.get("contents", [])
            for part in content.get("parts", [])
            if "functionResponse" in part
        ]


@dataclass
class EmbeddingRequest:
    """One embedding call as the fake received it."""

    method: str
    model: str
    texts: list[str]
    headers: dict[str, str]
    body: dict[str, Any]

    def task_types(self) -> list[str]:
        """The task type of each text, as the client sent it."""
        if self.method == "embedContent":
            config = self.body.get("embedContentConfig", {})
            return [config.get("taskType", "")]
        if self.method == "batchEmbedContents":
            return [
                r.get("embedContentConfig", {}).get("taskType", r.get("taskType", ""))
                for r in self.body.get("requests", [])
            ]
        return [i.get("task_type", "") for i in self.body.get("instances", [])]


@dataclass
class _Reply:
    parts: list[dict[str, Any]]
    status: int = 200
    error: str = ""


class VertexFake(LocalFake):
    """Start with `with VertexFake() as fake:`; point the client at `fake.url`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.evaluations: list[dict[str, Any]] = []
        # What the evaluation service's autorater answers: a 1-5 score, a choice.
        self.judge_score = 4.0
        self.judge_choice = "CANDIDATE"
        self.token_requests = 0
        self.embedding_requests: list[EmbeddingRequest] = []
        self.embedding_dimensions = 64
        self._embedding_errors: deque[_Reply] = deque()
        self._script: deque[_Reply] = deque()
        super().__init__()

    def reply_text(self, text: str) -> None:
        """Script the next reply: plain text."""
        self._script.append(_Reply(parts=[{"text": text}]))

    def reply_function_call(self, name: str, args: dict[str, Any]) -> None:
        """Script the next reply: a call of a declared function."""
        self._script.append(
            _Reply(parts=[{"functionCall": {"name": name, "args": args}}])
        )

    def reply_error(self, status: int, message: str) -> None:
        """Script the next reply: an HTTP error in Google's error format."""
        self._script.append(_Reply(parts=[], status=status, error=message))

    def fail_next_embedding(self, status: int, message: str) -> None:
        """Script the next embedding call: an HTTP error in Google's format."""
        self._embedding_errors.append(_Reply(parts=[], status=status, error=message))

    def embed(self, text: str) -> list[float]:
        """The vector the fake returns for `text` (unit length)."""
        vector = [0.0] * self.embedding_dimensions
        for word in re.findall(r"\w+", text.casefold()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "big") % self.embedding_dimensions] += 1.0
        norm = math.sqrt(sum(value * value for value in vector)) or 1.0
        return [value / norm for value in vector]

    def _embedding_reply(self, request: EmbeddingRequest) -> tuple[int, dict[str, Any]]:
        if self._embedding_errors:
            error = self._embedding_errors.popleft()
            return error.status, _error(error.status, error.error)
        # The service's own limits: `:predict` on gemini-embedding-001 takes one
        # text a request.
        single = request.method == "predict" and request.model == "gemini-embedding-001"
        most = 1 if single or request.method == "embedContent" else 250
        if len(request.texts) > most:
            message = f"{request.model} accepts at most {most} instances per request"
            return 400, _error(400, message)
        if request.method == "embedContent":
            return 200, {
                "embedding": {"values": self.embed(request.texts[0])},
                "usageMetadata": {"promptTokenCount": len(request.texts[0].split())},
            }
        if request.method == "batchEmbedContents":
            embeddings = [{"values": self.embed(text)} for text in request.texts]
            return 200, {"embeddings": embeddings}
        predictions = [
            {
                "embeddings": {
                    "values": self.embed(text),
                    "statistics": {
                        "token_count": len(text.split()),
                        "truncated": False,
                    },
                }
            }
            for text in request.texts
        ]
        characters = sum(len(text) for text in request.texts)
        return 200, {
            "predictions": predictions,
            "metadata": {"billableCharacterCount": characters},
        }

    def _evaluate(self, body: dict[str, Any], headers: Any) -> dict[str, Any]:
        self.evaluations.append({**body, "authorization": headers.get("authorization")})
        if "pairwiseMetricInput" in body:
            choice = {"pairwiseChoice": self.judge_choice, "explanation": "fake"}
            return {"pairwiseMetricResult": choice}
        return {
            "pointwiseMetricResult": {"score": self.judge_score, "explanation": "fake"}
        }

    def _next_reply(self, request: RecordedRequest) -> _Reply:
        if self._script:
            return self._script.popleft()
        return _Reply(parts=[{"text": f"You said: {request.last_user_text()}"}])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                raw = self.read_body()
                if self.path == TOKEN_PATH:
                    fake.token_requests += 1
                    self.send_token()
                    return
                if _EVALUATE_PATH.match(self.path):
                    self.send_json(200, fake._evaluate(json.loads(raw), self.headers))
                    return
                match = _MODEL_PATH.match(self.path)
                if not match:
                    self.send_json(404, _error(404, f"no such method: {self.path}"))
                    return
                if match["method"] in EMBEDDING_METHODS:
                    self.send_json(*fake._embedding_reply(self._embedding(match, raw)))
                    return
                request = RecordedRequest(
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw or b"{}"),
                    **match.groupdict(),
                )
                fake.requests.append(request)
                reply = fake._next_reply(request)
                if reply.status != 200:
                    self.send_json(reply.status, _error(reply.status, reply.error))
                elif request.method == "streamGenerateContent":
                    self._send_stream(request, reply)
                else:
                    self.send_json(200, _response(request, reply.parts, final=True))

            def _embedding(self, match: re.Match[str], raw: bytes) -> EmbeddingRequest:
                body = json.loads(raw or b"{}")
                if match["method"] == "embedContent":
                    texts = [_text_of(body.get("content", {}))]
                elif match["method"] == "batchEmbedContents":
                    requests = body.get("requests", [])
                    texts = [_text_of(r.get("content", {})) for r in requests]
                else:
                    texts = [i.get("content", "") for i in body.get("instances", [])]
                request = EmbeddingRequest(
                    method=match["method"],
                    model=match["model"],
                    texts=texts,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                fake.embedding_requests.append(request)
                return request

            def _send_stream(self, request: RecordedRequest, reply: _Reply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                chunks = list(_stream_chunks(reply.parts))
                for index, parts in enumerate(chunks):
                    final = index == len(chunks) - 1
                    event = _response(request, parts, final=final)
                    self.wfile.write(f"data: {json.dumps(event)}\r\n\r\n".encode())
                    self.wfile.flush()
                self.close_connection = True

        return Handler


def _stream_chunks(parts: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Text arrives word by word, as Gemini streams it; a function call in one piece."""
    for part in parts:
        if "text" in part:
            for word in re.findall(r"\S+\s*", part["text"]):
                yield [{"text": word}]
        else:
            yield [part]


def _response(
    request: RecordedRequest, parts: list[dict[str, Any]], *, final: bool
) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": parts},
        "index": 0,
    }
    response: dict[str, Any] = {
        "candidates": [candidate],
        "modelVersion": request.model,
    }
    if final:
        candidate["finishReason"] = "STOP"
        prompt_tokens = len(json.dumps(request.body.get("contents", [])).split())
        output_tokens = max(1, len(json.dumps(parts).split()))
        response["usageMetadata"] = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": prompt_tokens + output_tokens,
        }
    return response


def _text_of(content: dict[str, Any]) -> str:
    """The text of one Gemini `Content` (its text parts, joined)."""
    return " ".join(p["text"] for p in content.get("parts", []) if "text" in p)


def _error(status: int, message: str) -> dict[str, Any]:
    names = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}
    names |= {500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
    return {
        "error": {
            "code": status,
            "message": message,
            "status": names.get(status, "UNKNOWN"),
        }
    }
