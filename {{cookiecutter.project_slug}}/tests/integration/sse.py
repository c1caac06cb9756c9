"""Reading Server-Sent Events from the test client."""

import json
from typing import Any

from fastapi.testclient import TestClient


def read_events(
    client: TestClient, path: str, body: dict[str, Any]
) -> list[dict[str, Any]]:
    """POST and parse the whole event stream into `{"event", "data"}` dicts."""
    events: list[dict[str, Any]] = []
    with client.stream("POST", path, json=body) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            if line.startswith("event:"):
                event["event"] = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                event["data"] = json.loads(line.removeprefix("data:").strip())
            elif not line and event:
                events.append(event)
                event = {}
    return events
