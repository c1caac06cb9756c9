"""Who this agent says it is to other agents (A2A's card, the MCP tool): the
project's description and version, from pyproject.toml as installed."""

from functools import cache
from importlib.metadata import PackageNotFoundError, metadata

from ..settings import AGENT_NAME


@cache
def about() -> tuple[str, str]:
    """The project's description and version (read once)."""
    try:
        project = metadata(AGENT_NAME)
    except PackageNotFoundError:  # run from a source tree not installed
        return AGENT_NAME, "0.0.0"
    return project["Summary"] or AGENT_NAME, project["Version"]
