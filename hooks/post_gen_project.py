"""Only what Jinja cannot do: remove the folders that unselected options left
empty (their files render with empty names and are skipped), and print next steps."""

import os
from pathlib import Path

NEXT_STEPS = """
Your project is ready. Next steps:

    cd {{ cookiecutter.project_slug }}
    make install   # create the virtual environment with uv
    make test      # run the test suite, offline, no Google Cloud credentials needed
{%- if cookiecutter.agent == "rag" %}
    make ingest    # load the sample documents of knowledge/ into the knowledge base
{%- endif %}
    make dev       # start the server with auto-reload
{%- if cookiecutter.session_store == "sqlite" %}

Note: session_store=sqlite keeps conversations on the instance; they are lost when
it restarts. Fine for a demo or development, not for production.
{%- endif %}
"""


def remove_empty_folders(root: Path) -> None:
    """Delete folders with nothing in them, deepest first."""
    for folder, _, _ in os.walk(root, topdown=False):
        path = Path(folder)
        if path != root and not any(path.iterdir()):
            path.rmdir()


if __name__ == "__main__":
    remove_empty_folders(Path.cwd())
    print(NEXT_STEPS)
