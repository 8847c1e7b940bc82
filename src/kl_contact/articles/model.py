"""Articles, queries and matches: the data the articles step exchanges with a matcher.

The engine never searches by itself. It emits a ``SearchArticles`` effect holding an
:class:`ArticleQuery`; the host answers with :class:`ArticleMatch` values from any
:class:`ArticleMatcher` (the built-in one or its own search service).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["Article", "ArticleMatch", "ArticleMatcher", "ArticleQuery"]


@attrs.frozen
class Article:
    """One knowledge-base article of a catalog.

    Empty ``products``, ``categories`` or ``platforms`` mean the article applies to all.
    ``topic`` links the translations of one article.
    """

    id: str
    locale: str
    title: str
    url: str
    summary: str = ""
    body: str = ""
    keywords: tuple[str, ...] = ()
    topic: str | None = None
    products: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    updated: str | None = None


@attrs.frozen(repr=False)
class ArticleQuery:
    """What to search for: the user's own words plus the structured answers."""

    locale: str
    text: str = ""
    product: str | None = None
    category: str | None = None
    platform: str | None = None
    channel: str | None = None

    def __repr__(self) -> str:
        return (
            f"ArticleQuery(locale={self.locale!r}, text=<{len(self.text)} chars>, "
            f"product={self.product!r}, category={self.category!r}, platform={self.platform!r})"
        )


@attrs.frozen
class ArticleMatch:
    """One suggested article, with its score and why it matched."""

    id: str
    title: str
    url: str
    score: float
    summary: str = ""
    reasons: tuple[str, ...] = ()


@runtime_checkable
class ArticleMatcher(Protocol):
    """Anything that turns a query into ranked matches, best first."""

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        """Return at most ``limit`` matches for ``query``, best first."""
        ...
