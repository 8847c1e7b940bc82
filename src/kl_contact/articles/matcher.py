"""The built-in article matcher: BM25 over a catalog, shaped by the user's structured answers.

Articles are indexed once, one index per locale, with field weights (a word in the title
counts more than one in the keywords, the summary or the body). A search ranks articles of
the query's locale by three keys, in this order: whether the article is for the chosen
product (an article for another product never ranks above one for the chosen product),
whether it is for the chosen platform, and its BM25 score, raised for the chosen category.
Equal keys fall back to the article id, so the order depends on nothing but the inputs.
Each match says why it matched. The matcher never reads files and keeps no query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from kl_contact.articles.analysis import analyse, terms_with_words
from kl_contact.articles.index import ImpactIndex
from kl_contact.articles.model import Article, ArticleMatch, ArticleQuery

if TYPE_CHECKING:  # the definition imports channels, which must not need the matcher
    from kl_contact.definition.model import Workflow

__all__ = ["FIELD_WEIGHTS", "Bm25Matcher"]

FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "keywords": 2.0, "summary": 1.5, "body": 1.0}
"""How much one occurrence of a term counts in each field of an article."""


def _fields(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "keywords": " ".join(article.keywords),
        "summary": article.summary,
        "body": article.body,
    }


class _LocaleIndex:
    __slots__ = ("articles", "index")

    def __init__(self, articles: list[Article], weights: Mapping[str, float]) -> None:
        self.articles = articles
        documents: list[dict[str, float]] = []
        for article in articles:
            counts: dict[str, float] = {}
            for field, text in _fields(article).items():
                weight = weights.get(field, 0.0)
                if weight <= 0:
                    continue
                for term in analyse(text):
                    counts[term] = counts.get(term, 0.0) + weight
            documents.append(counts)
        self.index = ImpactIndex(documents)


class Bm25Matcher:
    """The default :class:`~kl_contact.articles.model.ArticleMatcher`: BM25 with filters.

    ``min_score`` drops weak matches (take it from the definition with :meth:`for_workflow`);
    ``category_boost`` multiplies the score of articles for the chosen category.

    >>> from kl_contact.articles.catalog import sample_catalog
    >>> matcher = Bm25Matcher(sample_catalog())
    >>> query = ArticleQuery(locale="en", text="activation code is not accepted", product="plus")
    >>> matcher.search(query, 1)[0].id
    'activation-code-invalid-en'
    """

    def __init__(
        self,
        articles: Iterable[Article],
        *,
        min_score: float = 0.0,
        category_boost: float = 1.5,
        field_weights: Mapping[str, float] = FIELD_WEIGHTS,
    ) -> None:
        if category_boost < 1.0:
            raise ValueError("category_boost must be at least 1")
        self.min_score = min_score
        self.category_boost = category_boost
        by_locale: dict[str, list[Article]] = {}
        for article in sorted(articles, key=lambda a: a.id):
            by_locale.setdefault(article.locale, []).append(article)
        self._locales = {
            locale: _LocaleIndex(group, field_weights) for locale, group in by_locale.items()
        }

    @classmethod
    def for_workflow(cls, articles: Iterable[Article], workflow: Workflow) -> Bm25Matcher:
        """A matcher with the ``min_score`` of the definition's ``articles:`` settings."""
        return cls(articles, min_score=workflow.articles.min_score)

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        """Up to ``limit`` matches for ``query``, best first."""
        group = self._locales.get(query.locale)
        if group is None or limit <= 0:
            return []
        words: dict[str, str] = {}
        weights: dict[str, float] = {}
        for term, word in terms_with_words(query.text):
            words.setdefault(term, word)
            weights[term] = weights.get(term, 0.0) + 1.0
        articles = group.articles
        category, product, platform = query.category, query.product, query.platform
        boost = self.category_boost

        def rank(doc: int) -> tuple[int, float]:
            article = articles[doc]
            tier = 2 * _other(product, article.products) + _other(platform, article.platforms)
            return tier, boost if category and category in article.categories else 1.0

        found = group.index.top(
            weights,
            limit,
            floor=self.min_score,
            rank=rank if (category or product or platform) else None,
            max_boost=boost if category else 1.0,
        )
        return [
            ArticleMatch(
                id=articles[doc].id,
                title=articles[doc].title,
                url=articles[doc].url,
                score=round(score, 4),
                summary=articles[doc].summary,
                reasons=_reasons(
                    articles[doc], query, words, functools.partial(group.index.has, doc=doc)
                ),
            )
            for doc, score in found
        ]


def _other(chosen: str | None, listed: tuple[str, ...]) -> int:
    return int(bool(chosen and listed and chosen not in listed))


def _reasons(
    article: Article,
    query: ArticleQuery,
    words: Mapping[str, str],
    contains: Callable[[str], bool],
) -> tuple[str, ...]:
    """Why ``article`` matched: ``field:word`` for each query word, then the answers.

    The body is the longest field and is not analysed again: a query word found in none of
    the other fields can only have matched there.
    """
    reasons: list[str] = []
    left = dict(words)
    fields = _fields(article)
    del fields["body"]
    for field, text in fields.items():
        present = set(analyse(text))
        for term in [t for t in left if t in present]:
            reasons.append(f"{field}:{left.pop(term)}")
    reasons.extend(f"body:{word}" for term, word in left.items() if contains(term))
    for name, chosen, listed in (
        ("product", query.product, article.products),
        ("platform", query.platform, article.platforms),
        ("category", query.category, article.categories),
    ):
        if chosen and chosen in listed:
            reasons.append(name)
        elif _other(chosen, listed) and name != "category":
            reasons.append(f"other_{name}")
    return tuple(reasons)
