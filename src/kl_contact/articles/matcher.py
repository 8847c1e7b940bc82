"""The built-in article matcher over an in-memory catalog.

It scores articles of the query's locale by the words they share with the query (title
words weigh more than body words), drops articles for another product or platform below
those for the chosen ones, boosts the chosen category, and breaks ties by article id so
the order never depends on anything but the inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kl_contact.articles.model import Article, ArticleMatch, ArticleQuery

__all__ = ["KeywordMatcher"]

_WORD = re.compile(r"\w+", re.UNICODE)


def _terms(text: str) -> set[str]:
    folded = text.lower().replace("ё", "е")
    return {word[:6] for word in _WORD.findall(folded) if len(word) > 2}


class KeywordMatcher:
    """A small, dependency-free matcher: shared word stems, weighted by field."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles = tuple(articles)
        self._index = [
            (a, _terms(a.title) | _terms(" ".join(a.keywords)), _terms(a.summary + " " + a.body))
            for a in self._articles
        ]

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        """Up to ``limit`` matches for ``query``, best first."""
        wanted = _terms(query.text)
        ranked = []
        for article, title_terms, body_terms in self._index:
            if article.locale != query.locale:
                continue
            score = 2.0 * len(wanted & title_terms) + 1.0 * len(wanted & body_terms)
            reasons = []
            if query.category and query.category in article.categories:
                score += 1.5
                reasons.append("category")
            if score <= 0:
                continue
            other_product = bool(
                query.product and article.products and query.product not in article.products
            )
            other_platform = bool(
                query.platform and article.platforms and query.platform not in article.platforms
            )
            if not other_product and query.product and article.products:
                reasons.append("product")
            tier = int(other_product) + int(other_platform)
            ranked.append((tier, -score, article.id, article, tuple(reasons)))
        ranked.sort(key=lambda item: item[:3])
        return [
            ArticleMatch(
                id=article.id,
                title=article.title,
                url=article.url,
                score=round(-neg_score, 4),
                summary=article.summary,
                reasons=reasons,
            )
            for _, neg_score, _, article, reasons in ranked[:limit]
        ]
