"""The retrieval agent's sample documents: rendered only for it, and the PDF
copied byte for byte.

The PDF is not in `_copy_without_render`: cookiecutter's copy-only path does not
skip a file whose conditional name renders empty, so the ReAct render would fail
on it. Cookiecutter copies files it detects as binary without rendering them;
these tests hold it to that.
"""

from pathlib import Path
from typing import Any

from helpers import TEMPLATE_ROOT, bake_or_fail

SAMPLES = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "knowledge"
PDF = SAMPLES / '{% if cookiecutter.agent == "rag" %}workshop.pdf{% endif %}'


def test_the_pdf_is_copied_byte_for_byte(cookies_session: Any) -> None:
    project = Path(bake_or_fail(cookies_session, {"agent": "rag"}).project_path)

    rendered = project / "knowledge" / "workshop.pdf"
    assert rendered.read_bytes() == PDF.read_bytes()
    assert sorted(p.name for p in (project / "knowledge").iterdir()) == [
        "returns.md",
        "shipping.txt",
        "warranty.html",
        "workshop.pdf",
    ]


def test_the_react_agent_gets_no_knowledge(cookies_session: Any) -> None:
    project = Path(bake_or_fail(cookies_session, {"agent": "react"}).project_path)

    assert not (project / "knowledge").exists()
    assert not (project / "src" / "my_agent" / "knowledge").exists()
    assert not (project / "docs" / "knowledge.md").exists()
    # A conditional folder name would have spilled its files into the parent.
    assert not (project / "src" / "my_agent" / "ingest.py").exists()
