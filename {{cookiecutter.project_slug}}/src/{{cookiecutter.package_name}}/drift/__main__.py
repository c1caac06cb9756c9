"""`python -m {{ cookiecutter.package_name }}.drift`: are recent production
inputs still like the eval set's? Embeds both and compares their distributions.

Exit status: 0 within the thresholds, 1 drift detected (the report names the
measure), 2 the check could not run (bad usage, no inputs, a service failure).
Embeddings and thresholds come from DRIFT_* variables (.env.example lists them).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from ..eval.cases import EvalSetError
from .bigquery import read_bigquery
from .compare import compare
from .embeddings import EmbeddingError, backend_from_settings, embed
from .report import DriftReport
from .settings import DriftSettings
from .sources import InputError, Inputs, read_input_file, read_reference

USAGE_ERROR = 2
DEFAULT_DAYS = 7


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _check(args)
    except (InputError, EvalSetError, EmbeddingError) as error:
        print(f"error: {error}", file=sys.stderr)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        print(f"error: drift settings: {problems}", file=sys.stderr)
    return USAGE_ERROR


def _check(args: argparse.Namespace) -> int:
    settings = DriftSettings()
    inputs = _production_inputs(args, settings)
    reference = read_reference(args.reference)
    backend = backend_from_settings(settings)
    production_vectors = embed(backend, inputs.texts, "production inputs")
    reference_vectors = embed(backend, reference, "eval inputs")
    report = DriftReport(
        inputs=inputs,
        reference=reference,
        reference_source=str(args.reference),
        embeddings=backend.description,
        comparison=compare(
            production_vectors, reference_vectors, settings.neighbour_quantile
        ),
        thresholds=settings.thresholds,
    )
    print(report.render())
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report.as_json(), indent=2, ensure_ascii=False)
        args.report.write_text(text + "\n", "utf-8")
        print(f"report: {args.report}")
    return 1 if report.failed else 0


def _production_inputs(args: argparse.Namespace, settings: DriftSettings) -> Inputs:
    if args.inputs is not None:
        if args.days is not None:
            raise InputError("--days applies to --bigquery-table only")
        return read_input_file(args.inputs, args.limit)
    return read_bigquery(
        args.bigquery_table,
        days=args.days or DEFAULT_DAYS,
        limit=args.limit,
        endpoint=settings.bigquery_endpoint,
    )


class _Parser(argparse.ArgumentParser):
    """Usage mistakes end with one line and status 2, not the whole usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"error: {message} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"python -m {__package__}",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--inputs",
        type=Path,
        metavar="FILE.jsonl",
        help="production inputs: JSON lines with `input`, `run.input` (the app's "
        "`run finished` log line) or `jsonPayload.run.input` (a Cloud Logging export)",
    )
    source.add_argument(
        "--bigquery-table",
        metavar="PROJECT.DATASET.TABLE",
        help="read the `run finished` lines of the log sink's table instead",
    )
    parser.add_argument(
        "--days",
        type=_positive,
        metavar="N",
        help=f"BigQuery: how many days back to read (default {DEFAULT_DAYS})",
    )
    parser.add_argument(
        "--limit",
        type=_positive,
        default=5000,
        metavar="N",
        help="at most this many inputs, the most recent (default 5000)",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path("evals/default.jsonl"),
        metavar="PATH",
        help="the eval set, whose inputs are the reference "
        "(default evals/default.jsonl)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="also write the report as JSON there (it quotes user inputs)",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
