"""Load test: users chatting with the agent through /invoke and /stream.

`make load-test` runs it headless for a bounded time against LOAD_TEST_URL; set
LOAD_TEST_ID_TOKEN for a Cloud Run service that requires IAM authentication.

The questions are plain ones that any agent answers, whatever its tools. Set
LOAD_TEST_QUESTIONS (one question a line) to ask your own instead, e.g. ones that
make your agent call its tools, so that the load includes them.
"""

import os
import random

from locust import HttpUser, between, task

DEFAULT_QUESTIONS = (
    "Hello! What can you help me with?",
    "Can you tell me more about that?",
    "Please summarise what you can do in one sentence.",
)


def questions() -> list[str]:
    """LOAD_TEST_QUESTIONS' lines, or the default questions."""
    lines = os.environ.get("LOAD_TEST_QUESTIONS", "").splitlines()
    return [line.strip() for line in lines if line.strip()] or list(DEFAULT_QUESTIONS)


QUESTIONS = questions()


class ChatUser(HttpUser):
    """Asks a question, then a follow-up on the same thread, now and then streaming."""

    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        if token := os.environ.get("LOAD_TEST_ID_TOKEN"):
            self.client.headers["authorization"] = f"Bearer {token}"

    @task(3)
    def invoke(self) -> None:
        thread_id = None
        for message in (random.choice(QUESTIONS), random.choice(QUESTIONS)):
            body = {"message": message, "thread_id": thread_id}
            with self.client.post("/invoke", json=body, catch_response=True) as reply:
                if reply.status_code != 200 or not reply.json().get("reply"):
                    reply.failure(f"no reply: {reply.status_code} {reply.text[:200]}")
                    return
                thread_id = reply.json()["thread_id"]

    @task(1)
    def stream(self) -> None:
        body = {"message": random.choice(QUESTIONS)}
        with self.client.post(
            "/stream", json=body, stream=True, catch_response=True
        ) as reply:
            text = reply.text
            if reply.status_code != 200 or "event: final" not in text:
                reply.failure(
                    f"stream did not finish: {reply.status_code} {text[-200:]}"
                )
