"""The `production` and `harvest` commands of `python -m <package>.eval`: score
captured production runs and gate on thresholds (`make eval-production`), and turn
the bad ones into candidate eval cases (`make eval-harvest`). docs/evaluation.md
tells the whole loop."""

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..settings import BIGQUERY_TABLE, Settings
from .captured import CapturedRuns, read_bigquery, read_file, write_scores
from .gate import Failure, Thresholds, check
from .harness import EvalRun
from .harvest import NEEDS_REVIEW, harvest, write_candidates
from .judge import Judge
from .production import sample, score_runs, worst
from .report import print_outcome, write_report

ChooseJudge = Callable[[argparse.Namespace], Judge]


async def _production(args: argparse.Namespace, _: Any) -> int:
    settings = Settings()
    thresholds = Thresholds.load(args.thresholds)
    evaluation = await _score(args, _read(args, settings))
    failures = check(evaluation, thresholds)
    report = write_report(evaluation, failures, args.out, thresholds)
    if args.scores_table:
        write_scores(
            args.scores_table,
            score_rows(evaluation, failures, thresholds),
            endpoint=settings.capture_bigquery_endpoint,
        )
        print(f"scores: {args.scores_table}")
    heading = f"{evaluation.lineage['source']}: {len(evaluation.cases)} runs scored"
    return print_outcome(heading, evaluation, report, failures)


async def _harvest(args: argparse.Namespace, _: Any) -> int:
    captured = _read(args, Settings())
    lowest = None
    if args.lowest:
        lowest = worst((await _score(args, captured)).cases, args.lowest)
    cases = harvest(captured, lowest)
    if not cases:
        print("nothing to harvest: no thumbs-down among the runs read")
        return 0
    write_candidates(cases, args.out)
    print(f"{len(cases)} candidate case(s), tagged {NEEDS_REVIEW}: {args.out}")
    print(
        "Review each one: correct its expected tools, write its rubric (and a "
        "reference), remove the needs-review tag, then move it into evals/."
    )
    return 0


async def _score(args: argparse.Namespace, captured: CapturedRuns) -> EvalRun:
    try:
        rubric = args.rubric.read_text("utf-8").strip()
    except OSError as error:
        raise ValueError(
            f"{args.rubric}: the rubric cannot be read ({error})"
        ) from None
    runs = sample(captured, args.sample, args.seed)
    return await score_runs(
        captured,
        runs,
        args.choose_judge(args),
        rubric,
        concurrency=args.concurrency,
    )


def _read(args: argparse.Namespace, settings: Settings) -> CapturedRuns:
    if args.bigquery_table:
        return read_bigquery(
            args.bigquery_table,
            days=args.days,
            limit=args.limit,
            endpoint=settings.capture_bigquery_endpoint,
        )
    return read_file(args.runs or settings.captured_runs_path)


def score_rows(
    evaluation: EvalRun, failures: list[Failure], thresholds: Thresholds
) -> list[dict[str, Any]]:
    """One row a metric, for the scores table (modules/environment/capture.tf)."""
    missed = {failure.metric for failure in failures}
    lineage = evaluation.lineage
    return [
        {
            "evaluated_at": lineage["timestamp"],
            "metric": metric,
            "value": value,
            "minimum": thresholds.min.get(metric),
            "maximum": thresholds.max.get(metric),
            "passed": metric not in missed,
            "runs_scored": lineage["runs_scored"],
            "source": lineage["source"],
            "prompt_versions": lineage["prompt_versions"],
        }
        for metric, value in evaluation.summary.items()
    ]


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(text)


def _table(text: str) -> str:
    # The name is spliced into the query: only a well-formed one gets there.
    if not re.match(BIGQUERY_TABLE, text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not PROJECT.DATASET.TABLE (e.g. my-project.my_dataset.runs)"
        )
    return text


def add_commands(
    commands: Any, choose_judge: ChooseJudge, judging: argparse.ArgumentParser
) -> None:
    """Add `production` and `harvest` to the eval command line; `judging` is the
    parent parser of the judge's options, shared with the other commands."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    source = argparse.ArgumentParser(add_help=False, parents=[judging])
    where = source.add_mutually_exclusive_group()
    where.add_argument(
        "--runs",
        type=Path,
        metavar="FILE.jsonl",
        help="captured runs (default: CAPTURE_RUNS=local's file in DATA_DIR)",
    )
    where.add_argument(
        "--bigquery-table",
        type=_table,
        metavar="PROJECT.DATASET.TABLE",
        help="read CAPTURE_RUNS=bigquery's table instead",
    )
    source.add_argument(
        "--days",
        type=_positive,
        default=1,
        help="BigQuery: how many days back (default 1)",
    )
    source.add_argument(
        "--limit",
        type=_positive,
        default=20000,
        help="BigQuery: at most this many records, the newest (default 20000)",
    )
    source.add_argument(
        "--sample",
        type=_positive,
        default=200,
        help="score this many runs, drawn at random (default 200)",
    )
    source.add_argument("--seed", type=int, default=0, help="the draw's seed")
    source.add_argument(
        "--rubric",
        type=Path,
        default=Path("evals/production_rubric.md"),
        help="what the judge holds every answer to",
    )
    source.add_argument(
        "--concurrency", type=int, default=4, help="runs judged at once (default 4)"
    )
    production = commands.add_parser(
        "production",
        parents=[source],
        help="score captured production runs, gate on thresholds (exit 1 if missed)",
    )
    production.add_argument(
        "--thresholds",
        type=Path,
        default=Path("evals/production_thresholds.json"),
        help="thresholds file",
    )
    production.add_argument(
        "--scores-table",
        type=_table,
        metavar="PROJECT.DATASET.TABLE",
        help="also append one row per metric to this BigQuery table",
    )
    production.add_argument(
        "--out",
        type=Path,
        default=Path("eval-results") / f"production-{stamp}",
        help="report folder",
    )
    production.set_defaults(command=_production, choose_judge=choose_judge)
    harvest_command = commands.add_parser(
        "harvest",
        parents=[source],
        help="thumbs-down runs (and --lowest N) as candidate cases to review",
    )
    harvest_command.add_argument(
        "--lowest",
        type=_count,
        default=0,
        metavar="N",
        help="also the N lowest-scored runs of the sample (default 0)",
    )
    harvest_command.add_argument(
        "--out",
        type=Path,
        default=Path("eval-results") / f"candidates-{stamp}.jsonl",
        help="where the candidates go (JSONL, the eval set's format)",
    )
    harvest_command.set_defaults(command=_harvest, choose_judge=choose_judge)
