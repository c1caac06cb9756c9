"""Before any case runs: does the agent have every tool the eval set expects?

An eval set written for other tools (the example's, after `agent/tools.py` was
replaced) would otherwise run every case and fail the gate on trajectory scores,
which hides the cause. The check reads the tools from the compiled graph itself,
so it sees what the agent really has: `agent.tools.TOOLS` and whatever the wiring
adds (the knowledge search of a retrieval agent).
"""

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode

from .cases import EvalCase

HINT = (
    "hint: replace the example's eval cases in evals/ with cases for your own tools "
    "(see docs/evaluation.md), or correct the tool names these cases expect"
)


def graph_tools(graph: CompiledStateGraph[Any, Any]) -> set[str]:
    """The names of the tools a compiled graph's tool nodes can run."""
    names: set[str] = set()
    for node in graph.nodes.values():
        if isinstance(node.bound, ToolNode):
            names.update(node.bound.tools_by_name)
    return names


def _listed(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


class MissingToolsError(Exception):
    """Eval cases expect tools the agent does not have."""

    def __init__(self, eval_set: Path, missing: list[tuple[str, list[str]]]) -> None:
        self.eval_set = eval_set
        self.missing = missing
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per case, naming the tools it expects and the agent lacks."""
        return [
            f"{self.eval_set}: case {case} expects {_listed(tools)}, "
            f"which the agent does not have"
            for case, tools in self.missing
        ]


def check_tools(
    cases: Iterable[EvalCase], available: Collection[str], eval_set: Path
) -> None:
    """Raise `MissingToolsError` if a case's expected trajectory names a tool that
    is not in `available`."""
    missing: list[tuple[str, list[str]]] = []
    for case in cases:
        absent: list[str] = []
        for step in case.expected_trajectory:
            if step.name not in available and step.name not in absent:
                absent.append(step.name)
        if absent:
            missing.append((case.id, absent))
    if missing:
        raise MissingToolsError(eval_set, missing)
