"""Drift detection: how far recent production inputs are from the eval set's.

`python -m {{ cookiecutter.package_name }}.drift --help` (or `make drift`) reads the
inputs (a JSONL file or the BigQuery log sink), embeds them and the eval inputs,
compares the two distributions and exits 1 past the thresholds in `DriftSettings`.
"""

from ..dependency_groups import require_group

# The measures' arrays; the BigQuery client is imported only for a table (bigquery.py).
require_group("drift", "numpy")
