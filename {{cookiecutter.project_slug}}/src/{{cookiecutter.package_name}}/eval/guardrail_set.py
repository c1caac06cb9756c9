"""The guardrail's labelled set (`evals/guardrail.jsonl`) and how the configured
guardrail does on it, category by category.

Each row is one user message (`text`) or the user's turns of one conversation
(`turns`), labelled `attack` or not and filed under a `category` (direct, indirect,
role-play, encoding, multilingual, multi-turn; benign-meta, benign-on-topic). A row
is caught when the guardrail finds something in any of its turns, each screened as
the graph screens it: with the turns before it (agent/guardrails.py `screen`).
`make eval` reports the rate per category and gates on the overall ones.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..agent.guardrails import Guardrail, screen
from .cases import EvalSetError


@dataclass(frozen=True)
class LabelledRow:
    category: str
    attack: bool
    turns: list[str]


def load_labelled(path: Path) -> list[LabelledRow]:
    """The rows of the labelled set; an EvalSetError naming the first bad line."""
    rows: list[LabelledRow] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            turns = data["turns"] if "turns" in data else [data["text"]]
            row = LabelledRow(str(data["category"]), bool(data["attack"]), turns)
        except (ValueError, KeyError, TypeError) as error:
            raise EvalSetError(
                f"{path}:{number}: not a labelled row ({error})"
            ) from error
        if not turns or not all(isinstance(turn, str) and turn for turn in turns):
            raise EvalSetError(f"{path}:{number}: a row needs text, or turns of text")
        rows.append(row)
    return rows


async def caught(guardrail: Guardrail, row: LabelledRow) -> bool:
    """Whether the guardrail finds something in a turn of the row."""
    for index, turn in enumerate(row.turns):
        decision = await screen(guardrail, "flag", [turn], row.turns[:index])
        if decision.reason:
            return True
    return False


async def guardrail_rates(
    guardrail: Guardrail, rows: list[LabelledRow]
) -> dict[str, float | None]:
    """The share of rows caught, per category (`guardrail_set_<category>`), and
    overall: attacks caught (`guardrail_set_block_rate`) and benign rows caught
    (`guardrail_set_false_positive_rate`)."""
    by_category: dict[str, list[bool]] = defaultdict(list)
    attacks: list[bool] = []
    benign: list[bool] = []
    for row in rows:
        found = await caught(guardrail, row)
        by_category[row.category].append(found)
        (attacks if row.attack else benign).append(found)
    rates = {
        f"guardrail_set_{category.replace('-', '_')}": _share(found)
        for category, found in sorted(by_category.items())
    }
    return {
        "guardrail_set_block_rate": _share(attacks),
        "guardrail_set_false_positive_rate": _share(benign),
        **rates,
    }


def _share(found: list[bool]) -> float | None:
    return round(sum(found) / len(found), 4) if found else None
