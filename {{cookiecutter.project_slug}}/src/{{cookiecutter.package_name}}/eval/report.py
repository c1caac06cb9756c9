"""Results on disk: `results.json` (with lineage), `report.md` and `report.html`
with plots (per-metric bars, latency distribution)."""

import base64
import html
import json
from pathlib import Path
from string import Template

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

from .gate import Failure
from .grounding import GROUNDING_SCORES
from .harness import EvalRun

SCORES = (
    "trajectory_exact",
    "trajectory_in_order",
    "trajectory_any_order",
    "tool_precision",
    "tool_recall",
    "response_rouge_l",
    "rubric_score",
    *GROUNDING_SCORES,
)


def write_report(run: EvalRun, failures: list[Failure] | None, out: Path) -> Path:
    """Write the results and reports into `out`; return the HTML report's path.

    `failures` is None for a run that was not gated (e.g. one side of a comparison).
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
    (out / "report.md").write_text(_markdown(run, failures))
    (out / "report.html").write_text(_html(run, failures, out))
    return out / "report.html"


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


def _verdict(failures: list[Failure] | None) -> str:
    if failures is None:
        return "not gated"
    return "FAILED" if failures else "PASSED"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}" if value <= 1 else f"{value:.0f}"


def _columns(run: EvalRun) -> list[str]:
    """The scores the run has (grounding scores only for cases with labels)."""
    return [name for name in SCORES if name in run.summary]


def _markdown(run: EvalRun, failures: list[Failure] | None) -> str:
    columns = _columns(run)
    lineage = "\n".join(f"- {key}: `{value}`" for key, value in run.lineage.items())
    summary = "\n".join(
        f"| {name} | {_fmt(value)} |" for name, value in run.summary.items()
    )
    gate = _verdict(failures) + "".join(f"\n- {f}" for f in failures or [])
    by_tag = "\n".join(
        f"| {tag} | " + " | ".join(_fmt(scores.get(name)) for name in columns) + " |"
        for tag, scores in run.by_tag.items()
    )
    rows = "\n".join(
        f"| {case.id} | {' '.join(case.tags)} | "
        + " | ".join(_fmt(case.metrics.get(name)) for name in columns)
        + f" | {case.latency_ms:.0f} | {case.error or ''} |"
        for case in run.cases
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

| case | tags | {" | ".join(columns)} | latency ms | error |
| --- | --- | {" | ".join("---" for _ in columns)} | --- | --- |
{rows}
"""


def _html(run: EvalRun, failures: list[Failure] | None, out: Path) -> str:
    columns = _columns(run)

    def image(name: str) -> str:
        data = base64.b64encode((out / name).read_bytes()).decode()
        return f'<img alt="{name}" src="data:image/png;base64,{data}">'

    def cell(value: object) -> str:
        return f"<td>{html.escape(str(value))}</td>"

    lineage = "".join(
        f"<li>{html.escape(f'{k}: {v}')}</li>" for k, v in run.lineage.items()
    )
    summary = "".join(
        f"<tr>{cell(k)}{cell(_fmt(v))}</tr>" for k, v in run.summary.items()
    )
    failed = "".join(f"<li>{html.escape(str(f))}</li>" for f in failures or [])
    head = "".join(
        f"<th>{name}</th>" for name in ("case", "tags", *columns, "latency ms", "reply")
    )
    rows = "".join(
        "<tr>"
        + cell(case.id)
        + cell(" ".join(case.tags))
        + "".join(cell(_fmt(case.metrics.get(name))) for name in columns)
        + cell(f"{case.latency_ms:.0f}")
        + cell(case.error or case.reply)
        + "</tr>"
        for case in run.cases
    )
    by_tag = "".join(
        "<tr>"
        + cell(tag)
        + "".join(cell(_fmt(scores.get(n))) for n in columns)
        + "</tr>"
        for tag, scores in run.by_tag.items()
    )
    tag_head = "".join(f"<th>{name}</th>" for name in ("tag", *columns))
    verdict = _verdict(failures)
    return _PAGE.substitute(
        verdict=verdict,
        verdict_class=verdict.split()[0].lower(),
        failed=failed,
        lineage=lineage,
        summary=summary,
        images=image("metrics.png") + image("latency.png"),
        head=head,
        rows=rows,
        tag_head=tag_head,
        by_tag=by_tag,
    )


# $-placeholders keep the CSS braces single.
_PAGE = Template("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Evaluation report</title><style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #1d2430; }
table { border-collapse: collapse; margin: 12px 0; }
td, th { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; }
td { vertical-align: top; }
.passed { color: #166534; } .failed { color: #991b1b; }
</style></head><body>
<h1>Evaluation report</h1>
<p>Gate: <strong class="$verdict_class">$verdict</strong></p><ul>$failed</ul>
<h2>Lineage</h2><ul>$lineage</ul>
<h2>Summary</h2><table>$summary</table>
$images
<h2>By tag</h2><table><tr>$tag_head</tr>$by_tag</table>
<h2>Cases</h2><table><tr>$head</tr>$rows</table>
</body></html>
""")
