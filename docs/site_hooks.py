"""Build hooks for the documentation site (mkdocs): publish the shipped schemas beside it.

Pages link to ``../schemas/NAME`` so that the links also work when the Markdown is read in
the repository; in the site those links point at copies of the same files, served with the
pages, so frontend teams can fetch the schemas and TypeScript declarations from the docs.
This module only adds files to the build; it never changes the schemas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


def on_files(files: Files, config: Any) -> Files:
    """Add every file of ``schemas/`` to the site under ``schemas/``."""
    for path in sorted(SCHEMAS.iterdir()):
        if path.is_file():
            files.append(File.generated(config, f"schemas/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point ``../schemas/`` links of a page at the published copies."""
    up = "../" * page.file.src_uri.count("/")
    return markdown.replace("](../schemas/", f"]({up}schemas/")
