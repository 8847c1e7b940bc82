"""How well a matcher finds the right articles: MRR@k and recall@k over labelled queries.

A labelled query is what a user might type plus the structured answers, and the ids of the
articles that answer it. :func:`evaluate` works with any matcher; ``python -m
kl_contact.articles.quality [FILES...]`` prints the figures of the built-in matcher over
the sample catalog (by default for ``tests/articles/queries-*.yaml``). Only the command
reads files, and only those it is given.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
import yaml

from kl_contact.articles.model import ArticleMatcher, ArticleQuery

__all__ = ["LabelledQuery", "Quality", "evaluate", "load_queries", "main"]


@attrs.frozen
class LabelledQuery:
    """A query and the ids of the articles that answer it."""

    id: str
    query: ArticleQuery
    relevant: tuple[str, ...]


@attrs.frozen
class Quality:
    """Mean reciprocal rank and mean recall of the first ``k`` matches over ``queries``.

    ``misses`` are the ids of the queries with no relevant article among the first ``k``.
    """

    k: int
    queries: int
    mrr: float
    recall: float
    misses: tuple[str, ...] = ()


def load_queries(*paths: str | Path) -> tuple[LabelledQuery, ...]:
    """The labelled queries of YAML files shaped like ``tests/articles/queries-*.yaml``."""
    out = []
    for path in paths:
        for raw in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["queries"]:
            out.append(
                LabelledQuery(
                    id=raw["id"],
                    query=ArticleQuery(
                        locale=raw["locale"],
                        text=raw.get("text", ""),
                        product=raw.get("product"),
                        category=raw.get("category"),
                        platform=raw.get("platform"),
                    ),
                    relevant=tuple(raw["relevant"]),
                )
            )
    return tuple(out)


def evaluate(matcher: ArticleMatcher, queries: Iterable[LabelledQuery], k: int = 5) -> Quality:
    """Ask ``matcher`` for the first ``k`` matches of each query and score them."""
    reciprocal = recall = 0.0
    count = 0
    misses = []
    for labelled in queries:
        count += 1
        found = [match.id for match in matcher.search(labelled.query, k)][:k]
        relevant = set(labelled.relevant)
        ranks = [rank for rank, article in enumerate(found, start=1) if article in relevant]
        if ranks:
            reciprocal += 1.0 / ranks[0]
        else:
            misses.append(labelled.id)
        recall += len(relevant.intersection(found)) / len(relevant) if relevant else 1.0
    if not count:
        return Quality(k=k, queries=0, mrr=0.0, recall=0.0)
    return Quality(
        k=k, queries=count, mrr=reciprocal / count, recall=recall / count, misses=tuple(misses)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print MRR@5 and recall@5 of the built-in matcher over the sample catalog."""
    from kl_contact.articles.catalog import sample_catalog
    from kl_contact.articles.matcher import Bm25Matcher

    files = list(argv if argv is not None else sys.argv[1:])
    if not files:
        files = sorted(str(p) for p in Path("tests/articles").glob("queries-*.yaml"))
    if not files:
        print("no labelled query files given", file=sys.stderr)
        return 2
    queries = load_queries(*files)
    matcher = Bm25Matcher(sample_catalog())
    quality = evaluate(matcher, queries)
    by_locale = {
        locale: evaluate(matcher, [q for q in queries if q.query.locale == locale])
        for locale in sorted({q.query.locale for q in queries})
    }
    print(f"{'queries':<10}{'count':>6}{'MRR@5':>8}{'recall@5':>10}")
    for name, figures in [("all", quality), *by_locale.items()]:
        print(f"{name:<10}{figures.queries:>6}{figures.mrr:>8.3f}{figures.recall:>10.3f}")
    if quality.misses:
        print("no relevant article in the first 5:", ", ".join(quality.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
