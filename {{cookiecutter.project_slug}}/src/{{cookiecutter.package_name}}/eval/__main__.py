"""`python -m <package>.eval`: run the eval set and gate on thresholds, compare
two runs, score captured production runs, or harvest candidate cases from them.
`--help` on each command lists its options."""

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from ..agent.guardrail_setup import guardrail_from_settings
{%- if cookiecutter.agent == "rag" %}
from ..knowledge.ingest import ingest
{%- endif %}
from ..runtime.wiring import open_runner
from ..settings import Settings
from .agents import Agent, LocalAgent, RemoteAgent
from .cases import EvalCase, EvalSetError, load_cases
from .compare import compare_runs, render
from .gate import Thresholds, check
from .guardrail_set import guardrail_rates, load_labelled
from .harness import CaseResult, EvalRun, run_eval
from .harvest import NEEDS_REVIEW
from .judge import Judge, LocalJudge
from .preflight import HINT, MissingToolsError, check_tools, graph_tools
from .production_cli import add_commands as add_production_commands
from .report import print_outcome, write_report
from .vertex_judge import VertexJudge


@dataclass(frozen=True)
class Overrides:
    """What replaces the settings' model and `agent.tools.TOOLS` in the agent under
    evaluation (tests evaluate a scripted model with their own tools)."""

    model: BaseChatModel | None = None
    tools: Sequence[BaseTool] | None = None


def main(
    argv: list[str] | None = None,
    *,
    model: BaseChatModel | None = None,
    tools: Sequence[BaseTool] | None = None,
) -> int:
    """The command line; `model` and `tools` are for tests (see `Overrides`)."""
    args = _parser().parse_args(argv)
    try:
        status: int = asyncio.run(args.command(args, Overrides(model, tools)))
        return status
    except MissingToolsError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        print(HINT, file=sys.stderr)
        return 2
    except (EvalSetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, overrides: Overrides) -> int:
    cases = load_cases(args.cases)
    if unreviewed := [case.id for case in cases if NEEDS_REVIEW in case.tags]:
        # Harvested from production and not yet reviewed: a placeholder rubric.
        print(
            f"warning: {len(unreviewed)} case(s) still tagged {NEEDS_REVIEW} "
            f"(review them, then remove the tag): {', '.join(unreviewed)}",
            file=sys.stderr,
        )
    thresholds = Thresholds.load(args.thresholds)
    labelled = load_labelled(Path(args.guardrail_set)) if args.guardrail_set else []
    run = await _evaluate(args, overrides, cases, args.prompt_version)
    if labelled:
        # The guardrail this project configures, on its own labelled set.
        guardrail = guardrail_from_settings(Settings())
        run.summary |= await guardrail_rates(guardrail, labelled)
    failures = check(run, thresholds)
    report = write_report(run, failures, args.out, thresholds)
    heading = f"judge: {run.lineage['judge']}; prompt: {run.lineage['prompt_version']}"
    return print_outcome(heading, run, report, failures)


async def _compare(args: argparse.Namespace, overrides: Overrides) -> int:
    cases = load_cases(args.cases)
    baseline = await _load_or_evaluate(args, overrides, cases, args.baseline)
    candidate = await _load_or_evaluate(args, overrides, cases, args.candidate)
    comparison = await compare_runs(baseline, candidate, cases, _judge(args))
    text = render(comparison, baseline, candidate)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.md").write_text(text)
    print(text)
    print(f"written: {args.out / 'compare.md'}")
    return 0


async def _load_or_evaluate(
    args: argparse.Namespace, overrides: Overrides, cases: list[EvalCase], spec: str
) -> EvalRun:
    """A results.json from an earlier run, or a prompt version to run now."""
    if (earlier := _load_run(Path(spec))) is not None:
        return earlier
    print(f"running the eval set with prompt version {spec!r}")
    run = await _evaluate(args, overrides, cases, spec)
    write_report(run, None, args.out / spec)
    return run


def _load_run(path: Path) -> EvalRun | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    run = EvalRun(data["lineage"], [CaseResult(**case) for case in data["cases"]])
    run.summary, run.by_tag = data["summary"], data["by_tag"]
    return run


async def _evaluate(
    args: argparse.Namespace,
    overrides: Overrides,
    cases: list[EvalCase],
    prompt_version: str | None,
) -> EvalRun:
    judge, concurrency = _judge(args), args.concurrency

    async def run(agent: Agent) -> EvalRun:
        return await run_eval(
            agent,
            cases,
            judge,
            eval_set=args.cases,
            concurrency=concurrency,
            show_progress=not args.no_progress,
        )

    if args.url:
        # A deployed agent does not list its tools: its trajectory scores show a
        # case that expects one it lacks.
        remote = RemoteAgent(args.url)
        try:
            return await run(remote)
        finally:
            await remote.close()
    changes: dict[str, object] = {
        # Conversations go to a scratch database; tool approval is a human's step.
        "require_tool_approval": False,
        "local_model_token_delay_ms": 0,
        # The eval's own runs are not production's.
        "capture_runs": "off",
    }
    if prompt_version:
        changes["system_prompt_version"] = prompt_version
    with tempfile.TemporaryDirectory(prefix="eval-") as scratch:
        settings = Settings(**changes, data_dir=Path(scratch))  # type: ignore[arg-type]
        async with open_runner(
            settings, model=overrides.model, tools=overrides.tools
        ) as runner:
            # Before any case runs (and any model call): the tools the cases expect.
            check_tools(cases, graph_tools(runner.graph), args.cases)
{%- if cookiecutter.agent == "rag" %}
            # The agent answers from the knowledge as the repository has it now
            # (KNOWLEDGE_SOURCE), ingested into the scratch store; the open knowledge
            # base sees a new ingestion at its next search.
            await ingest(settings, progress=False)
{%- endif %}
            return await run(LocalAgent(runner))


def _judge(args: argparse.Namespace) -> Judge:
    """The judge `--judge` names; `auto` is Vertex AI when evaluating Gemini."""
    settings = Settings()
    choice = args.judge
    if choice == "auto":
        choice = "vertex" if settings.model_provider == "vertex" else "local"
    if choice == "local":
        return LocalJudge()
    if not settings.google_cloud_project:
        raise ValueError("--judge vertex needs GOOGLE_CLOUD_PROJECT (and credentials)")
    return VertexJudge(
        settings.google_cloud_project,
        settings.google_cloud_location,
        settings.vertex_base_url,
    )


def _parser() -> argparse.ArgumentParser:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # The judge's options, shared by every command that scores answers.
    judging = argparse.ArgumentParser(add_help=False)
    judging.add_argument(
        "--judge",
        choices=["auto", "local", "vertex"],
        default="auto",
        help="rubric judge; auto: vertex when MODEL_PROVIDER=vertex, else local",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[judging])
    common.add_argument(
        "--cases",
        type=Path,
        default=Path("evals/default.jsonl"),
        help="eval set (JSONL)",
    )
    common.add_argument(
        "--out", type=Path, default=Path("eval-results") / stamp, help="output folder"
    )
    common.add_argument(
        "--concurrency", type=int, default=4, help="cases run at once (default 4)"
    )
    common.add_argument("--no-progress", action="store_true", help="no progress bar")
    common.add_argument(
        "--url",
        help="evaluate a deployed agent at this URL (its /stream; bearer token from "
        "EVAL_ID_TOKEN) instead of the agent in this process",
    )
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}", description=__doc__
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        parents=[common],
        help="evaluate and gate on thresholds (exit 1 if missed)",
    )
    run.add_argument(
        "--thresholds",
        type=Path,
        default=Path("evals/thresholds.json"),
        help="thresholds file",
    )
    run.add_argument(
        "--guardrail-set",
        default="evals/guardrail.jsonl",
        help="the guardrail's labelled set, rated per category ('' to skip)",
    )
    run.add_argument(
        "--prompt-version",
        help="system prompt version (default: SYSTEM_PROMPT_VERSION)",
    )
    run.set_defaults(command=_run)
    compare = commands.add_parser(
        "compare", parents=[common], help="compare two runs: deltas and win rate"
    )
    compare.add_argument("baseline", help="a results.json, or a prompt version to run")
    compare.add_argument("candidate", help="a results.json, or a prompt version to run")
    compare.set_defaults(command=_compare)
    add_production_commands(commands, _judge, judging)
    return parser


if __name__ == "__main__":
    sys.exit(main())
