"""The documentation site: every page reachable, the diagram the one `kl-contact graph` draws.

`make docs` builds the site with ``mkdocs build --strict``; these checks need no mkdocs.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from docs_diagram import PAGE, expected_page
from kl_contact import default_workflow, to_mermaid

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict[str, object]:
    class Loader(yaml.SafeLoader):
        """Reads mkdocs.yml, whose !!python/name tags name functions for mkdocs to import."""

    Loader.add_multi_constructor(
        "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
    )
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as fh:
        config: dict[str, object] = yaml.load(fh, Loader=Loader)
    return config


def _nav_pages(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in _nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in _nav_pages(value)]
    return []


def test_every_page_is_in_the_nav_or_listed_as_reachable() -> None:
    config = _config()
    listed = _nav_pages(config["nav"])
    for page in listed:
        assert (ROOT / "docs" / page).is_file(), page
    patterns = [p.strip().lstrip("/") for p in str(config["not_in_nav"]).splitlines() if p.strip()]
    regexes = [re.compile(re.escape(p).replace(r"\*", ".*") + "$") for p in patterns]
    for page in (ROOT / "docs").glob("*.md"):
        assert page.name in listed or any(r.match(page.name) for r in regexes), page.name


def test_the_site_covers_what_a_reader_needs() -> None:
    listed = _nav_pages(_config()["nav"])
    for page in [
        "quickstart.md",
        "concepts.md",
        "definition.md",
        "frontend.md",
        "recipes.md",
        "diagram.md",
        "api.md",
        "changelog.md",
    ]:
        assert page in listed
    assert "::: kl_contact" in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert '--8<-- "CHANGELOG.md"' in (ROOT / "docs" / "changelog.md").read_text(encoding="utf-8")


def test_the_diagram_page_is_drawn_from_the_default_workflow() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text == expected_page(text), (
        "docs/diagram.md is stale: run python tests/docs/docs_diagram.py"
    )
    assert to_mermaid(default_workflow()) in text
