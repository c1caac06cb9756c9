{%- if cookiecutter.agent == "rag" -%}
"""Tools the agent can call besides the knowledge base: add your own here.

A tool is a function decorated with `@tool` (from `langchain_core.tools`): its typed
arguments and its docstring are what the model reads. Raise `ToolError` (from
`.tool_errors`) with a message the model can act on, e.g. an unknown order number.
List each tool in `TOOLS`.

The knowledge search (`search_knowledge`, in `retrieval.py`) is not listed here:
the wiring in `runtime/wiring.py` adds it to these, so replacing this file keeps it.
"""

from langchain_core.tools import BaseTool

TOOLS: list[BaseTool] = []
{%- else -%}
"""Tools the agent can call: typed functions whose docstrings the model reads.

The data is a small offline table so that everything runs without a network.
This is the place to plug in real APIs: keep the signatures and docstrings,
replace the lookups, and raise `ToolError` with a message the model can act on.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from langchain_core.tools import BaseTool, tool

from .tool_errors import ToolError

_CITIES: dict[str, tuple[str, int, str]] = {
    # city: (IANA time zone, temperature in °C, conditions)
    "amsterdam": ("Europe/Amsterdam", 11, "light rain"),
    "berlin": ("Europe/Berlin", 9, "overcast"),
    "london": ("Europe/London", 12, "drizzle"),
    "new york": ("America/New_York", 7, "clear skies"),
    "paris": ("Europe/Paris", 14, "partly cloudy"),
    "san francisco": ("America/Los_Angeles", 16, "fog clearing to sun"),
    "sao paulo": ("America/Sao_Paulo", 24, "thunderstorms"),
    "singapore": ("Asia/Singapore", 31, "humid with showers"),
    "sydney": ("Australia/Sydney", 22, "sunny"),
    "tokyo": ("Asia/Tokyo", 13, "clear skies"),
}


def _lookup(city: str) -> tuple[str, tuple[str, int, str]]:
    """The city's canonical name and data; matching ignores case and spacing."""
    key = " ".join(city.lower().replace("ã", "a").split())
    if key not in _CITIES:
        known = ", ".join(name.title() for name in sorted(_CITIES))
        raise ToolError(f"I have no data for {city!r}. Cities I know: {known}.")
    return key.title(), _CITIES[key]


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: The city name, e.g. "Paris" or "New York".
    """
    name, (_, celsius, conditions) = _lookup(city)
    return f"The weather in {name} is {conditions}, {celsius}°C."


@tool
def get_current_time(city: str) -> str:
    """Get the current local time in a city.

    Args:
        city: The city name, e.g. "Tokyo" or "San Francisco".
    """
    name, (zone, _, _) = _lookup(city)
    now = datetime.now(UTC).astimezone(ZoneInfo(zone))
    return f"The local time in {name} is {now:%H:%M} ({zone})."


TOOLS: list[BaseTool] = [get_weather, get_current_time]
{%- endif %}
