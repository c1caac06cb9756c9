"""The failure a tool raises when the model should read why and try again (an unknown
city, an id that does not exist). The graph hands any `ToolException` back to the model,
so tools may raise this or their own subclass, and `tools.py` can be replaced whole."""

from langchain_core.tools import ToolException


class ToolError(ToolException):
    """A tool failure the model should see and recover from."""
