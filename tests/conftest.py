"""Point pytest-cookies at this template whatever directory pytest was started from."""

import sys

import pytest

from helpers import TEMPLATE_ROOT

# The template's Jinja filters (local_extensions.py) must be importable when
# pytest-cookies renders the context, before cookiecutter adds the template to
# sys.path itself.
sys.path.insert(0, str(TEMPLATE_ROOT))


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE_ROOT)
