"""Drift data the tests own: a small eval set about houseplants, chess and the solar
system, production inputs that reword it, and inputs about unrelated topics. None of
it is the example's, so replacing the example's eval set breaks no drift test.

- `reference.jsonl`: 10 cases, one a two-turn conversation (11 user turns).
- `on_topic_inputs.jsonl`: Cloud Logging entries (`jsonPayload.run.input`), 20
  rewordings of the reference, 1 run logged without its input.
- `shifted_inputs.jsonl`: the app's own log lines (`run.input`), 18 unrelated
  questions, 3 lines without an input (a feedback line, 2 runs); the last one asks
  about an oil filter.
"""

from pathlib import Path

HERE = Path(__file__).parent
REFERENCE = HERE / "reference.jsonl"
ON_TOPIC = HERE / "on_topic_inputs.jsonl"
SHIFTED = HERE / "shifted_inputs.jsonl"
