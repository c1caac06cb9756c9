"""Neutral tools for tests that need the agent to call something: they know nothing
of the example domain, so replacing the example's tools breaks none of these tests."""

from langchain_core.tools import BaseTool, ToolException, tool

VALUES = {"alpha": "1", "beta": "2"}


@tool
def lookup(key: str) -> str:
    """Look up the value stored under a key.

    Args:
        key: The key, e.g. "alpha".
    """
    if key not in VALUES:
        raise ToolException(f"No value under {key!r}. Keys: {', '.join(VALUES)}.")
    return f"{key} = {VALUES[key]}"


@tool
def fail_hard(reason: str) -> str:
    """A tool with a bug: raises an unexpected exception.

    Args:
        reason: Put in the exception's message.
    """
    raise RuntimeError(reason)


TEST_TOOLS: list[BaseTool] = [lookup]
