"""`report.html`: one self-contained page (plots inlined) for a person diagnosing a
run: the gate, lineage, summary, scores by tag, then every case with its status,
its scores (those below their threshold marked), and, unfolded, its input, the
expected and actual tool calls side by side, the answer and the judge's
explanation. Filters by tag and status; failing cases first."""

import base64
import html
from pathlib import Path
from string import Template

from .case_view import columns_of, failing, fmt, steps, verdict
from .gate import Failure
from .harness import CaseResult, EvalRun


def html_report(
    run: EvalRun,
    failures: list[Failure] | None,
    low: dict[str, dict[str, float]],
    out: Path,
) -> str:
    columns = columns_of(run)

    def image(name: str) -> str:
        data = base64.b64encode((out / name).read_bytes()).decode()
        return f'<img alt="{name}" src="data:image/png;base64,{data}">'

    lineage = "".join(f"<li>{_e(f'{k}: {v}')}</li>" for k, v in run.lineage.items())
    summary = "".join(
        f"<tr><td>{_e(k)}</td><td>{fmt(v)}</td></tr>" for k, v in run.summary.items()
    )
    failed = "".join(f"<li>{_e(str(f))}</li>" for f in failures or [])
    head = "".join(
        f"<th>{_e(name)}</th>"
        for name in ("case", "status", "tags", *columns, "latency ms")
    )
    # Failing cases first, each group in the eval set's order.
    ordered = sorted(run.cases, key=lambda case: not failing(case, low[case.id]))
    rows = "".join(_row(case, columns, low[case.id]) for case in ordered)
    by_tag = "".join(
        f"<tr><td>{_e(tag)}</td>"
        + "".join(f"<td>{fmt(scores.get(n))}</td>" for n in columns)
        + "</tr>"
        for tag, scores in run.by_tag.items()
    )
    tags = sorted({tag for case in run.cases for tag in case.tags})
    shown = verdict(failures)
    return _PAGE.substitute(
        verdict=shown,
        verdict_class=shown.split()[0].lower(),
        failed=failed,
        lineage=lineage,
        summary=summary,
        images=image("metrics.png") + image("latency.png"),
        tag_options="".join(f"<option>{_e(tag)}</option>" for tag in tags),
        head=head,
        rows=rows,
        tag_head="".join(f"<th>{_e(name)}</th>" for name in ("tag", *columns)),
        by_tag=by_tag,
    )


def _e(text: str) -> str:
    return html.escape(text)


def _row(case: CaseResult, columns: list[str], low: dict[str, float]) -> str:
    """The case's scores, then a row the width of the table with its details (the
    filters show or hide both)."""
    status = "failing" if failing(case, low) else "passing"
    scores = "".join(
        f'<td class="low" title="needs {low[name]}">{fmt(case.metrics.get(name))}</td>'
        if name in low
        else f"<td>{fmt(case.metrics.get(name))}</td>"
        for name in columns
    )
    shared = f'data-status="{status}" data-tags="{_e(" ".join(case.tags))}"'
    width = len(columns) + 4
    return (
        f'<tr class="case {status}" {shared}>'
        f"<td>{_e(case.id)}</td><td>{status}</td><td>{_e(' '.join(case.tags))}</td>"
        f"{scores}<td>{case.latency_ms:.0f}</td></tr>"
        f'<tr class="case detail" {shared}><td colspan="{width}">'
        f"{_details(case)}</td></tr>"
    )


def _details(case: CaseResult) -> str:
    def listed(items: list[str]) -> str:
        if not items:
            return "<p class='muted'>none</p>"
        return (
            "<ol>" + "".join(f"<li><code>{_e(i)}</code></li>" for i in items) + "</ol>"
        )

    turns = "".join(f"<li>{_e(turn)}</li>" for turn in case.turns)
    answer = case.error or case.reply
    judge = case.judge_explanation or "n/a"
    return (
        "<details><summary>input, calls, answer, judge</summary><div class='unfolded'>"
        f"<h4>Input</h4><ol>{turns}</ol>"
        "<table class='calls'><tr><th>expected calls</th><th>actual calls</th></tr>"
        f"<tr><td>{listed(steps(case.expected_trajectory))}</td>"
        f"<td>{listed(steps(case.tool_calls))}</td></tr></table>"
        f"<h4>Answer</h4><pre>{_e(answer)}</pre>"
        f"<h4>Judge</h4><p>{_e(judge)}</p>{_production(case)}</div></details>"
    )


def _production(case: CaseResult) -> str:
    """A production run's feedback and trace (eval/production.py)."""
    parts = []
    if case.feedback:
        items = "".join(f"<li>{_e(text)}</li>" for text in case.feedback)
        parts.append(f"<h4>Feedback</h4><ul>{items}</ul>")
    if case.trace and case.trace.startswith("https://"):
        parts.append(f'<h4>Trace</h4><p><a href="{_e(case.trace)}">open</a></p>')
    elif case.trace:
        parts.append(f"<h4>Trace</h4><p><code>{_e(case.trace)}</code></p>")
    return "".join(parts)


# $-placeholders keep the CSS and script braces single.
_PAGE = Template("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Evaluation report</title><style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #1d2430; }
table { border-collapse: collapse; margin: 12px 0; }
td, th { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; }
td { vertical-align: top; }
.passed { color: #166534; } .failed { color: #991b1b; }
tr.failing > td:nth-child(2) { color: #991b1b; font-weight: 600; }
td.low { background: #fee2e2; color: #991b1b; font-weight: 600; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 60em; }
.muted { color: #6b7280; } .calls td { border: none; }
tr.detail > td { border-top: none; background: #f9fafb; }
.unfolded { max-width: 80em; } .unfolded h4 { margin: 8px 0 4px; }
tr[hidden] { display: none; }
</style></head><body>
<h1>Evaluation report</h1>
<p>Gate: <strong class="$verdict_class">$verdict</strong></p><ul>$failed</ul>
<h2>Lineage</h2><ul>$lineage</ul>
<h2>Summary</h2><table>$summary</table>
$images
<h2>By tag</h2><table><tr>$tag_head</tr>$by_tag</table>
<h2>Cases</h2>
<p>Scores below their threshold are marked; n/a: the metric does not apply.</p>
<p><label>Tag <select id="tag"><option value="">all</option>$tag_options</select>
</label> <label>Status <select id="status"><option value="">all</option>
<option>failing</option><option>passing</option></select></label></p>
<table id="cases"><tr>$head</tr>$rows</table>
<script>
const tag = document.getElementById("tag");
const status = document.getElementById("status");
function show() {
  for (const row of document.querySelectorAll("tr.case")) {
    const tags = row.dataset.tags.split(" ");
    row.hidden = (tag.value !== "" && !tags.includes(tag.value))
      || (status.value !== "" && row.dataset.status !== status.value);
  }
}
tag.addEventListener("change", show);
status.addEventListener("change", show);
</script>
</body></html>
""")
