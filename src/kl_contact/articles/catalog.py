"""Article catalogs: load and check them (YAML or JSON, ``catalog.schema.json``).

A catalog is configuration: a broken one raises :class:`~kl_contact.errors.DefinitionError`
with the file, line and column. :func:`sample_catalog` returns the catalog shipped with the
package (Russian and English), which the demo and the tests use: every ``*.yaml`` file of
``kl_contact/articles/sample/`` except :data:`SAMPLE_VOCABULARY`, which holds the synonyms
and brand aliases of that catalog rather than articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from kl_contact.articles.model import Article
from kl_contact.articles.vocabulary import Vocabulary, parse_vocabulary
from kl_contact.definition.document import load_yaml
from kl_contact.errors import DefinitionError

__all__ = [
    "SAMPLE_VOCABULARY",
    "load_catalog",
    "parse_catalog",
    "sample_catalog",
    "sample_vocabulary",
]

SAMPLE_VOCABULARY = "vocabulary.yaml"
"""The file of the sample folder that is not a catalog: its synonyms and brand aliases."""


def parse_catalog(text: str | bytes, source: str = "<string>") -> tuple[Article, ...]:
    """The articles of one catalog document."""
    from kl_contact.schemas import violations

    doc = load_yaml(text, source)
    for violation in violations("catalog", doc.data):
        raise doc.error(violation.message, code=f"schema.{violation.keyword}", path=violation.path)
    articles = []
    seen: set[str] = set()
    for index, raw in enumerate(doc.data["articles"]):
        if raw["id"] in seen:
            raise doc.error(
                f"duplicate article id {raw['id']!r}",
                code="id.duplicate",
                path=("articles", index, "id"),
            )
        seen.add(raw["id"])
        articles.append(
            Article(
                id=raw["id"],
                locale=raw["locale"],
                title=raw["title"],
                url=raw["url"],
                summary=raw.get("summary", ""),
                body=raw.get("body", ""),
                keywords=tuple(raw.get("keywords", ())),
                topic=raw.get("topic"),
                products=tuple(raw.get("products", ())),
                categories=tuple(raw.get("categories", ())),
                platforms=tuple(raw.get("platforms", ())),
                updated=raw.get("updated"),
            )
        )
    return tuple(articles)


def load_catalog(*paths: str | Path) -> tuple[Article, ...]:
    """The articles of one or more catalog files; ids must be unique across them."""
    return _merge((parse_catalog(Path(p).read_bytes(), source=str(p)), str(p)) for p in paths)


def _merge(parts: Iterable[tuple[tuple[Article, ...], str]]) -> tuple[Article, ...]:
    out: list[Article] = []
    seen: set[str] = set()
    for articles, source in parts:
        for article in articles:
            if article.id in seen:
                raise DefinitionError(
                    f"article id {article.id!r} is already defined in another catalog file",
                    code="id.duplicate",
                    source=source,
                )
            seen.add(article.id)
            out.append(article)
    return tuple(out)


_sample: tuple[Article, ...] | None = None


def sample_catalog() -> tuple[Article, ...]:
    """The sample catalog shipped with the package (Russian and English articles)."""
    global _sample
    if _sample is None:
        folder = resources.files("kl_contact.articles").joinpath("sample")
        files = sorted(
            (
                entry
                for entry in folder.iterdir()
                if entry.name.endswith(".yaml") and entry.name != SAMPLE_VOCABULARY
            ),
            key=lambda entry: entry.name,
        )
        _sample = _merge(
            (
                parse_catalog(
                    entry.read_bytes(), source=f"kl_contact/articles/sample/{entry.name}"
                ),
                entry.name,
            )
            for entry in files
        )
    return _sample


_sample_vocabulary: Vocabulary | None = None


def sample_vocabulary() -> Vocabulary:
    """The synonyms and brand aliases of the sample catalog (``sample/vocabulary.yaml``)."""
    global _sample_vocabulary
    if _sample_vocabulary is None:
        entry = resources.files("kl_contact.articles").joinpath("sample", SAMPLE_VOCABULARY)
        _sample_vocabulary = parse_vocabulary(
            entry.read_bytes(), source=f"kl_contact/articles/sample/{SAMPLE_VOCABULARY}"
        )
    return _sample_vocabulary
