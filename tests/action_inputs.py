"""Checks the `with:` of every pinned action against the inputs its action.yml
declares at that commit, recorded in tests/schemas/actions.json.

actionlint knows the inputs of popular actions by tag, not by commit, so a typo in
the `with:` of an action pinned to a SHA goes unnoticed there; GitHub itself only
warns about it at run time, and the input is then ignored.

To record a new pin: read the action.yml at that commit and add an entry
`owner/repo@sha` with its tag, all its input names, and the required ones
(`required: true` without a `default`).
"""

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

ACTIONS_FILE = Path(__file__).parent / "schemas" / "actions.json"


@cache
def recorded_actions() -> dict[str, dict[str, Any]]:
    document = json.loads(ACTIONS_FILE.read_text(encoding="utf-8"))
    return {key: value for key, value in document.items() if "@" in key}


def steps_using_actions(workflow: dict[str, Any]) -> Iterator[tuple[str, dict]]:
    """(job name, step) for every step that runs an action of another repository."""
    for name, job in (workflow.get("jobs") or {}).items():
        for step in job.get("steps") or []:
            uses = str(step.get("uses", ""))
            if uses and not uses.startswith(("./", "docker://")):
                yield name, step


def check_action_inputs(workflow: dict[str, Any], label: str) -> list[str]:
    """Every `with:` key unknown to the pinned action, and every required input
    missing, as one message each."""
    problems = []
    for job, step in steps_using_actions(workflow):
        uses = str(step["uses"])
        where = f"{label}: job {job}, {step.get('name') or step.get('id') or uses}"
        action = recorded_actions().get(uses)
        if action is None:
            problems.append(
                f"{where}: {uses} is not in {ACTIONS_FILE.name}: record the inputs "
                "of its action.yml at that commit"
            )
            continue
        given = set((step.get("with") or {}).keys())
        for name in sorted(given - set(action["inputs"])):
            problems.append(
                f"{where}: `{name}` is not an input of {uses.split('@')[0]} "
                f"{action['tag']} (it has: {', '.join(action['inputs'])})"
            )
        for name in sorted(set(action["required"]) - given):
            problems.append(f"{where}: required input `{name}` is missing")
    return problems
