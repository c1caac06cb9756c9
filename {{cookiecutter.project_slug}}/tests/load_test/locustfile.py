"""Load test: users chatting with the agent through /invoke and /stream.

`make load-test` runs it headless for a bounded time against LOAD_TEST_URL; set
LOAD_TEST_ID_TOKEN for a Cloud Run service that requires IAM authentication.
"""

import os

from locust import HttpUser, between, task

QUESTIONS = [
    "What is the weather in Paris?",
    "What time is it in Tokyo?",
    "Hello!",
]


class ChatUser(HttpUser):
    """Asks a question, then a follow-up on the same thread, now and then streaming."""

    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        if token := os.environ.get("LOAD_TEST_ID_TOKEN"):
            self.client.headers["authorization"] = f"Bearer {token}"

    @task(3)
    def invoke(self) -> None:
        thread_id = None
        for message in (QUESTIONS[0], "And the time there?"):
            body = {"message": message, "thread_id": thread_id}
            with self.client.post("/invoke", json=body, catch_response=True) as reply:
                if reply.status_code != 200 or not reply.json().get("reply"):
                    reply.failure(f"no reply: {reply.status_code} {reply.text[:200]}")
                    return
                thread_id = reply.json()["thread_id"]

    @task(1)
    def stream(self) -> None:
        body = {"message": QUESTIONS[1]}
        with self.client.post(
            "/stream", json=body, stream=True, catch_response=True
        ) as reply:
            text = reply.text
            if reply.status_code != 200 or "event: final" not in text:
                reply.failure(
                    f"stream did not finish: {reply.status_code} {text[-200:]}"
                )
