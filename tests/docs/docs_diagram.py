"""Keeps the default workflow's diagram in docs/diagram.md what `kl-contact graph` draws.

The page embeds the Mermaid text of :func:`kl_contact.to_mermaid` for the shipped definition
between two markers; tests/docs/test_docs_site.py fails when they differ, and
``python tests/docs/docs_diagram.py`` rewrites the block.
"""

from __future__ import annotations

import re
from pathlib import Path

from kl_contact import default_workflow, to_mermaid

PAGE = Path(__file__).resolve().parents[2] / "docs" / "diagram.md"
BLOCK = re.compile(r"(<!-- diagram:start -->\n)(.*?)(<!-- diagram:end -->)", re.S)


def expected_page(text: str) -> str:
    """``text`` (the page) with its diagram block drawn from the default workflow."""
    fence = "```mermaid\n" + to_mermaid(default_workflow()) + "```\n"
    return BLOCK.sub(lambda m: m.group(1) + fence + m.group(3), text)


if __name__ == "__main__":
    PAGE.write_text(expected_page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
