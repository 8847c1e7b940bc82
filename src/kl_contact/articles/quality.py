"""How well a matcher finds the right articles: hit@3, MRR@5, recall@5 and zero-result rates.

A labelled query is what a user might type (plus, in the ``with_answers`` part, the
structured answers) and the ids of the articles that answer it. The labelled files
(``tests/articles/labelled/*.yaml``) have a ``queries`` list whose entries carry a ``part``
(``with_answers`` or ``free_text``) and, for free text written with typos, transliteration,
synonyms or brand spellings, a ``noise`` list; ``off_domain`` queries must find nothing.

:func:`evaluate` works with any matcher; ``python -m kl_contact.articles.quality [FILES...]``
prints the figures of the built-in matcher over the sample catalog, beside BM25 baselines
(bm25s and rank_bm25, when installed) indexing the same analysed tokens in the same run.
Only the command reads files, and only those it is given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs
import yaml

from kl_contact.articles.model import ArticleMatch, ArticleMatcher, ArticleQuery

__all__ = [
    "LabelledQuery",
    "Quality",
    "evaluate",
    "load_labelled",
    "load_queries",
    "main",
    "off_domain_found",
]


@attrs.frozen
class LabelledQuery:
    """A query, the ids of the articles that answer it, its part and its kinds of noise."""

    id: str
    query: ArticleQuery
    relevant: tuple[str, ...]
    part: str = "with_answers"
    noise: tuple[str, ...] = ()


@attrs.frozen
class Quality:
    """Figures of the first ``k`` matches over ``queries``.

    ``hit3`` is the share of queries with a relevant article among the first three;
    ``zero`` the share that found nothing at all; ``misses`` the ids of the queries with no
    relevant article among the first ``k``.
    """

    k: int
    queries: int
    mrr: float
    recall: float
    hit3: float = 0.0
    zero: float = 0.0
    misses: tuple[str, ...] = ()


def _query(raw: dict[str, object]) -> ArticleQuery:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value) if value else None

    return ArticleQuery(
        locale=str(raw["locale"]),
        text=str(raw.get("text") or ""),
        product=text("product"),
        category=text("category"),
        platform=text("platform"),
    )


def load_labelled(
    *paths: str | Path,
) -> tuple[tuple[LabelledQuery, ...], tuple[LabelledQuery, ...]]:
    """The labelled queries of the files, and their off-domain queries (nothing relevant).

    Queries without a relevant article (``unanswerable``, or not labelled yet) are left out.
    """
    labelled: list[LabelledQuery] = []
    off: list[LabelledQuery] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        for raw in data.get("queries") or ():
            if not raw.get("relevant"):
                continue
            labelled.append(
                LabelledQuery(
                    id=raw["id"],
                    query=_query(raw),
                    relevant=tuple(raw["relevant"]),
                    part=raw.get("part", "with_answers"),
                    noise=tuple(raw.get("noise") or ()),
                )
            )
        for raw in data.get("off_domain") or ():
            off.append(LabelledQuery(id=raw["id"], query=_query(raw), relevant=(), part="off"))
    return tuple(labelled), tuple(off)


def load_queries(*paths: str | Path) -> tuple[LabelledQuery, ...]:
    """The labelled queries of the files (see :func:`load_labelled`)."""
    return load_labelled(*paths)[0]


def evaluate(matcher: ArticleMatcher, queries: Iterable[LabelledQuery], k: int = 5) -> Quality:
    """Ask ``matcher`` for the first ``k`` matches of each query and score them."""
    reciprocal = recall = hits = zero = 0.0
    count = 0
    misses = []
    for labelled in queries:
        count += 1
        found = [match.id for match in matcher.search(labelled.query, k)][:k]
        relevant = set(labelled.relevant)
        ranks = [rank for rank, article in enumerate(found, start=1) if article in relevant]
        if ranks:
            reciprocal += 1.0 / ranks[0]
            hits += ranks[0] <= 3
        else:
            misses.append(labelled.id)
        zero += not found
        recall += len(relevant.intersection(found)) / len(relevant) if relevant else 1.0
    if not count:
        return Quality(k=k, queries=0, mrr=0.0, recall=0.0)
    return Quality(
        k=k,
        queries=count,
        mrr=reciprocal / count,
        recall=recall / count,
        hit3=hits / count,
        zero=zero / count,
        misses=tuple(misses),
    )


def off_domain_found(matcher: ArticleMatcher, queries: Iterable[LabelledQuery]) -> float:
    """The share of off-domain queries for which ``matcher`` found anything (should be 0)."""
    asked = list(queries)
    if not asked:
        return 0.0
    return sum(bool(matcher.search(q.query, 5)) for q in asked) / len(asked)


class _Baseline:
    """A BM25 library over the same analysed tokens (title, keywords, summary, body)."""

    def __init__(self, name: str, articles: Sequence[object]) -> None:
        from kl_contact.articles.analysis import analyse

        self.name = name
        self._by_locale: dict[str, tuple[list[ArticleMatch], object]] = {}
        groups: dict[str, list[ArticleMatch]] = {}
        tokens: dict[str, list[list[str]]] = {}
        for article in articles:
            locale = article.locale  # type: ignore[attr-defined]
            text = " ".join(
                (
                    article.title,  # type: ignore[attr-defined]
                    " ".join(article.keywords),  # type: ignore[attr-defined]
                    article.summary,  # type: ignore[attr-defined]
                    article.body,  # type: ignore[attr-defined]
                )
            )
            groups.setdefault(locale, []).append(
                ArticleMatch(id=article.id, title=article.title, url=article.url, score=0.0)  # type: ignore[attr-defined]
            )
            tokens.setdefault(locale, []).append(analyse(text) or ["-"])
        for locale, matches in groups.items():
            self._by_locale[locale] = (matches, self._model(tokens[locale]))

    def _model(self, corpus: list[list[str]]) -> object:
        if self.name == "bm25s":
            import bm25s  # type: ignore[import-not-found,import-untyped,unused-ignore]

            model = bm25s.BM25()
            model.index(corpus, show_progress=False)
            return model
        from rank_bm25 import BM25Okapi  # type: ignore[import-not-found,import-untyped,unused-ignore]

        return BM25Okapi(corpus)

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        from kl_contact.articles.analysis import analyse

        entry = self._by_locale.get(query.locale)
        terms = analyse(query.text)
        if entry is None or not terms:
            return []
        matches, model = entry
        if self.name == "bm25s":
            scores = list(model.get_scores(terms))  # type: ignore[attr-defined]
        else:
            scores = list(model.get_scores(terms))  # type: ignore[attr-defined]
        ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
        return [matches[i] for i in ranked[:limit]]


def _baselines(articles: Sequence[object]) -> list[tuple[str, ArticleMatcher]]:
    out: list[tuple[str, ArticleMatcher]] = []
    for name, module in (("bm25s", "bm25s"), ("rank_bm25", "rank_bm25")):
        try:
            __import__(module)
        except ImportError:
            continue
        out.append((name, _Baseline(name, articles)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures of the built-in matcher and the baselines over the sample catalog."""
    from kl_contact.articles.catalog import sample_catalog, sample_vocabulary
    from kl_contact.articles.matcher import Bm25Matcher

    files = list(argv if argv is not None else sys.argv[1:])
    if not files:
        files = sorted(str(p) for p in Path("tests/articles/labelled").glob("*.yaml"))
    if not files:
        print("no labelled query files given", file=sys.stderr)
        return 2
    queries, off = load_labelled(*files)
    catalog = sample_catalog()
    matchers: list[tuple[str, ArticleMatcher]] = [
        ("ours", Bm25Matcher(catalog, vocabulary=sample_vocabulary(), min_score=MIN_SCORE)),
        *_baselines(catalog),
    ]
    locales = sorted({q.query.locale for q in queries})
    parts: list[tuple[str, Callable[[LabelledQuery], bool]]] = [
        ("with_answers", lambda q: q.part == "with_answers"),
        ("free_text", lambda q: q.part == "free_text"),
        ("noisy", lambda q: q.part == "free_text" and bool(q.noise)),
    ]
    print(
        f"{'part':<13}{'locale':<7}{'count':>6}  " + "".join(f"{name:>28}" for name, _ in matchers)
    )
    print(f"{'':<26}  " + "".join(f"{'hit@3  MRR@5  zero':>28}" for _ in matchers))
    misses: list[str] = []
    for part, keep in parts:
        for locale in locales:
            chosen = [q for q in queries if q.query.locale == locale and keep(q)]
            if not chosen:
                continue
            cells = []
            for name, matcher in matchers:
                figures = evaluate(matcher, chosen)
                cells.append(f"{figures.hit3:>10.3f}{figures.mrr:>7.3f}{figures.zero:>6.3f}")
                if name == "ours" and part != "noisy":
                    misses.extend(figures.misses)
            print(f"{part:<13}{locale:<7}{len(chosen):>6}  " + "".join(f"{c:>28}" for c in cells))
    for locale in locales:
        asked = [q for q in off if q.query.locale == locale]
        if asked:
            cells = [f"{off_domain_found(m, asked):>28.3f}" for _, m in matchers]
            print(f"{'off_domain':<13}{locale:<7}{len(asked):>6}  " + "".join(cells))
    print("(off_domain: share of queries that found anything; should be 0)")
    if misses:
        print("no relevant article in the first 5:", ", ".join(misses))
    return 0


MIN_SCORE = 0.28
"""The threshold ``make quality`` runs the built-in matcher with (see docs/articles.md)."""


if __name__ == "__main__":
    sys.exit(main())
