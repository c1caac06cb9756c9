{%- if cookiecutter.agent == "rag" -%}
"""The agent's own tools: none in the example, which answers from the knowledge base
(`search_knowledge`, wired in by `runtime/wiring.py`). Test the tools you add here."""

from langchain_core.tools import BaseTool

from {{ cookiecutter.package_name }}.agent.tools import TOOLS


def test_tools_describe_themselves_to_the_model() -> None:
    for tool in TOOLS:
        assert isinstance(tool, BaseTool)
        assert tool.description
{%- else -%}
"""The example tools: deterministic data, clear errors for the model."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from {{ cookiecutter.package_name }}.agent.tools import (
    TOOLS,
    ToolError,
    get_current_time,
    get_weather,
)


def test_weather_for_a_known_city_is_deterministic() -> None:
    first = get_weather.invoke({"city": "Paris"})
    assert first == "The weather in Paris is partly cloudy, 14°C."
    assert get_weather.invoke({"city": "  paris "}) == first


def test_unknown_city_names_the_cities_that_exist() -> None:
    with pytest.raises(ToolError, match=r"no data for 'Atlantis'.*Paris"):
        get_weather.invoke({"city": "Atlantis"})


def test_current_time_is_the_city_local_time() -> None:
    before = datetime.now(UTC)
    answer = get_current_time.invoke({"city": "Tokyo"})
    after = datetime.now(UTC)
    tokyo = ZoneInfo("Asia/Tokyo")
    expected = {
        f"The local time in Tokyo is {moment.astimezone(tokyo):%H:%M} (Asia/Tokyo)."
        for moment in (before, after)
    }
    assert answer in expected


def test_tools_describe_their_arguments_to_the_model() -> None:
    for tool in TOOLS:
        assert tool.description
        assert tool.args["city"]["type"] == "string"
{%- endif %}
