"""Point pytest-cookies at this template whatever directory pytest was started from;
in the newest-releases mode, let uv resolve up to now."""

import os
import sys
from datetime import UTC, datetime

import pytest

from helpers import TEMPLATE_ROOT

# The template's Jinja filters (local_extensions.py) must be importable when
# pytest-cookies renders the context, before cookiecutter adds the template to
# sys.path itself.
sys.path.insert(0, str(TEMPLATE_ROOT))


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE_ROOT)


# `make test-newest` (and the scheduled job): resolve the newest releases instead of
# the date pinned in the generated pyproject.toml, to find what breaks before users do.
NEWEST_RELEASES = os.environ.get("TEST_NEWEST_RELEASES") == "1"


@pytest.fixture(autouse=True)
def newest_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the newest-releases mode, uv resolves up to now: in the post-generation
    hook's `uv lock` and in every command of the baked project."""
    if NEWEST_RELEASES:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        monkeypatch.setenv("UV_EXCLUDE_NEWER", now)
