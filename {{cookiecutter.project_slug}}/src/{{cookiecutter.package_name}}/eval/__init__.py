"""Evaluation: run an eval set through the agent, score it, gate on thresholds.

`python -m <package>.eval --help` (or `make eval`, `make eval-compare`).
"""

from ..dependency_groups import require_group

# The harness's metrics, report chart, progress bar and HTTP client (`--url`).
require_group("eval", "httpx", "matplotlib", "rouge_score", "tqdm")
