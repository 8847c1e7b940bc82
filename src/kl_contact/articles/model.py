"""Articles, queries and matches: the data the articles step exchanges with a matcher.

The engine never searches by itself. It emits a ``SearchArticles`` effect holding an
:class:`ArticleQuery`; the host answers with :class:`ArticleMatch` values from any
:class:`ArticleMatcher` (the built-in one or its own search service).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import attrs

from kl_contact.errors import ValidationIssue

__all__ = [
    "FILTER_NAMES",
    "AppliedFilter",
    "Article",
    "ArticleMatch",
    "ArticleMatcher",
    "ArticleQuery",
    "ArticleSearch",
    "Explanation",
    "FieldContribution",
    "FilterMode",
    "FilterRule",
    "TermContribution",
]


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


FilterMode = Literal["boost", "only"]
"""How a structured answer shapes a search: raise the articles for it, or show only those."""

FILTER_NAMES = ("product", "category", "platform")
"""The answers of an :class:`ArticleQuery` that filter a search."""


@attrs.frozen
class FilterRule:
    """What one answer does to a search.

    ``"boost"`` multiplies the score of the articles for the chosen value (and of those
    listing no value, which apply to all) by ``factor``; ``"only"`` leaves every other
    article out.
    """

    mode: FilterMode = "boost"
    factor: float = attrs.field(default=1.3)

    @factor.validator
    def _check_factor(self, _attribute: object, value: float) -> None:
        if not 1.0 <= value <= 4.0:
            raise ValueError("a filter's factor must be between 1 and 4")


@attrs.frozen
class FieldContribution:
    """How much one field of an article added for one term of the query."""

    field: str
    score: float


@attrs.frozen
class TermContribution:
    """One term of the query and what it added to an article's score.

    ``how`` says how the query's words became the term: ``"exact"``, ``"typo"``,
    ``"translit"``, ``"split"`` (a run-together word), ``"alias"`` or ``"synonym"``
    (several may apply). ``positions`` are the positions of the query's words it came
    from, counted over the words that carry meaning (``analysis.words``, parts of
    hyphenated words left out), so an explanation never holds what the user typed.
    """

    term: str
    weight: float
    score: float
    how: tuple[str, ...] = ()
    fields: tuple[FieldContribution, ...] = ()
    positions: tuple[int, ...] = ()


@attrs.frozen
class AppliedFilter:
    """One answer and what it did to the article: ``effect`` is its factor (0 = left out)."""

    name: str
    mode: FilterMode
    fits: bool
    effect: float


@attrs.frozen
class Explanation:
    """Why an article got its score for a query: terms, fields, corrections and filters.

    ``bm25`` is the raw score before filters; ``relevance`` the normalised 0-1 score a
    threshold compares; ``unknown_words`` counts the query's words no article has, even
    after correction.
    """

    article_id: str
    relevance: float
    bm25: float
    terms: tuple[TermContribution, ...] = ()
    filters: tuple[AppliedFilter, ...] = ()
    demotion: float = 1.0
    unknown_words: int = 0
    threshold: float = 0.0

    @property
    def shown(self) -> bool:
        """Whether the article clears the threshold (and would be shown)."""
        return self.relevance >= self.threshold and self.relevance > 0


@attrs.frozen
class ArticleSearch:
    """The result of a search: the matches, and the issues with the query's answers.

    An answer naming a product, category or platform the catalog does not know is not
    applied; it comes back as an issue with code ``articles.unknown_filter``.
    """

    matches: tuple[ArticleMatch, ...] = ()
    issues: tuple[ValidationIssue, ...] = ()
