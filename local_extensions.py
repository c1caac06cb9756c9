"""Jinja filters of this template (cookiecutter loads them through `_extensions`)."""

import json

from cookiecutter.utils import simple_filter


@simple_filter
def literal(value: object) -> str:
    """A double-quoted string literal that is valid in Python, TOML and JSON alike.

    Unlike Jinja's `tojson`, characters outside ASCII are kept as they are: `tojson`
    writes an emoji as a UTF-16 surrogate pair, which TOML rejects and Python
    decodes into two unprintable halves.
    """
    return json.dumps(str(value), ensure_ascii=False)
