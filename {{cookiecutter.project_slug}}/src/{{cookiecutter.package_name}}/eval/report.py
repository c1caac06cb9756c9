"""Results on disk: `results.json` (with lineage), `report.md` and `report.html`
(report_html.py) with plots (per-metric bars, latency distribution), and for each
case what a diagnosis needs: its input, the expected and the actual tool calls, the
answer, the judge's explanation and the scores below their threshold."""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

from .case_view import (
    SCORES,
    columns_of,
    failing,
    fmt,
    low_scores,
    steps,
    verdict,
)
from .gate import Failure, Thresholds
from .harness import CaseResult, EvalRun
from .report_html import html_report


def write_report(
    run: EvalRun,
    failures: list[Failure] | None,
    out: Path,
    thresholds: Thresholds | None = None,
) -> Path:
    """Write the results and reports into `out`; return the HTML report's path.

    `failures` is None for a run that was not gated (e.g. one side of a comparison);
    `thresholds` marks each case's scores below them.
    """

    out.mkdir(parents=True, exist_ok=True)
    gate = (
        None
        if failures is None
        else {"passed": not failures, "failures": [str(f) for f in failures]}
    )
    body = {**run.to_json(), "gate": gate}
    (out / "results.json").write_text(json.dumps(body, indent=2, ensure_ascii=False))
    _plot_scores(run, out / "metrics.png")
    _plot_latency(run, out / "latency.png")
    low = {case.id: low_scores(case, thresholds) for case in run.cases}
    (out / "report.md").write_text(_markdown(run, failures, low))
    (out / "report.html").write_text(html_report(run, failures, low, out))
    return out / "report.html"


def print_outcome(
    heading: str, run: EvalRun, report: Path, failures: list[Failure]
) -> int:
    """The summary and the gate's verdict on the console; the exit status."""
    print(f"\n{heading}")
    for name, value in run.summary.items():
        print(f"  {name:34} {value}")
    print(f"report: {report}")
    if failures:
        print(f"\nGATE FAILED: {len(failures)} threshold(s) missed", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print("gate passed")
    return 0


def _plot_scores(run: EvalRun, path: Path) -> None:
    names = [name for name in SCORES if run.summary.get(name) is not None]
    figure, axes = plt.subplots(figsize=(8, 3.5))
    axes.barh(names, [run.summary[name] or 0.0 for name in names], color="#2563eb")
    axes.set_xlim(0, 1)
    axes.set_title("Mean score per metric")
    axes.invert_yaxis()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _plot_latency(run: EvalRun, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.hist([case.latency_ms for case in run.cases], bins=20, color="#16a34a")
    axes.set_xlabel("latency per case (ms)")
    axes.set_ylabel("cases")
    axes.set_title("Latency distribution")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _markdown(
    run: EvalRun, failures: list[Failure] | None, low: dict[str, dict[str, float]]
) -> str:
    columns = columns_of(run)
    lineage = "\n".join(f"- {key}: `{value}`" for key, value in run.lineage.items())
    summary = "\n".join(
        f"| {name} | {fmt(value)} |" for name, value in run.summary.items()
    )
    gate = verdict(failures) + "".join(f"\n- {f}" for f in failures or [])
    by_tag = "\n".join(
        f"| {tag} | " + " | ".join(fmt(scores.get(name)) for name in columns) + " |"
        for tag, scores in run.by_tag.items()
    )
    rows = "\n".join(
        f"| {case.id} | {'FAIL' if failing(case, low[case.id]) else 'pass'} | "
        f"{' '.join(case.tags)} | "
        + " | ".join(_md_score(case, name, low[case.id]) for name in columns)
        + f" | {case.latency_ms:.0f} | {case.error or ''} |"
        for case in run.cases
    )
    details = "\n".join(
        _md_case(case, low[case.id])
        for case in run.cases
        if failing(case, low[case.id])
    )
    return f"""# Evaluation report

Gate: **{gate}**

## Lineage

{lineage}

## Summary

| metric | value |
| --- | --- |
{summary}

![scores](metrics.png)
![latency](latency.png)

## By tag

| tag | {" | ".join(columns)} |
| --- | {" | ".join("---" for _ in columns)} |
{by_tag}

## Cases

Scores below their threshold are in bold; n/a: the metric does not apply.

| case | status | tags | {" | ".join(columns)} | latency ms | error |
| --- | --- | --- | {" | ".join("---" for _ in columns)} | --- | --- |
{rows}

## Failing cases

{details or "None."}
"""


def _md_score(case: CaseResult, name: str, low: dict[str, float]) -> str:
    value = fmt(case.metrics.get(name))
    return f"**{value}**" if name in low else value


def _md_case(case: CaseResult, low: dict[str, float]) -> str:
    below = ", ".join(
        f"{name} {fmt(case.metrics.get(name))} (needs {minimum})"
        for name, minimum in low.items()
    )
    return "\n".join(
        [
            f"### {case.id}",
            "",
            *(f"- input: {turn}" for turn in case.turns),
            f"- expected calls: {', '.join(steps(case.expected_trajectory)) or 'none'}",
            f"- actual calls: {', '.join(steps(case.tool_calls)) or 'none'}",
            f"- answer: {case.error or case.reply}",
            f"- judge: {case.judge_explanation or 'n/a'}",
            *(f"- feedback: {text}" for text in case.feedback),
            *([f"- trace: {case.trace}"] if case.trace else []),
            f"- below threshold: {below or 'none (the run failed)'}",
            "",
        ]
    )
