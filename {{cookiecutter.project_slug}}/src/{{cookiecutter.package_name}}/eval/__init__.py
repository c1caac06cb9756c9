"""Evaluation: run an eval set through the agent, score it, gate on thresholds.

`python -m <package>.eval --help` (or `make eval`, `make eval-compare`).
"""
