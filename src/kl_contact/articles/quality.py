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

import math
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs
import yaml

from kl_contact.articles.model import ArticleMatch, ArticleMatcher, ArticleQuery

__all__ = [
    "Calibration",
    "LabelledQuery",
    "Quality",
    "calibrate",
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


@attrs.frozen
class Calibration:
    """A threshold set on labelled queries, and how it holds on queries it was not set on.

    ``threshold`` is the highest (to 0.01) that leaves no in-domain query without a result;
    ``off_found`` the share of off-domain queries that still find something at it. Each
    entry of ``splits`` is ``(threshold, empty, off_found)``: the threshold the same rule
    sets on one random half of the in-domain queries, the share of the other half it
    leaves without a result, and the share of off-domain queries it lets through.
    """

    threshold: float
    off_found: float
    splits: tuple[tuple[float, float, float], ...] = ()


def _best(matcher: ArticleMatcher, queries: Iterable[LabelledQuery]) -> list[float]:
    return [max((m.score for m in matcher.search(q.query, 5)), default=0.0) for q in queries]


def _rule(best: Sequence[float]) -> float:
    return math.floor(min(best, default=0.0) * 100 + 1e-9) / 100


def _share(best: Sequence[float], threshold: float, *, above: bool) -> float:
    if not best:
        return 0.0
    return sum((score >= threshold) == above for score in best) / len(best)


def calibrate(
    matcher: ArticleMatcher,
    queries: Sequence[LabelledQuery],
    off: Sequence[LabelledQuery],
    *,
    splits: int = 5,
    seed: int = 0,
) -> Calibration:
    """The threshold of ``matcher`` (built with none) for ``queries``, checked on halves.

    The matcher's scores must be relevances from 0 to 1; off-domain queries only report.
    """
    best = _best(matcher, queries)
    noise = _best(matcher, off)
    threshold = _rule(best)
    rng = random.Random(seed)
    held: list[tuple[float, float, float]] = []
    for _ in range(splits):
        order = list(range(len(best)))
        rng.shuffle(order)
        half = len(order) // 2
        chosen = _rule([best[i] for i in order[:half]])
        rest = [best[i] for i in order[half:]]
        held.append((chosen, _share(rest, chosen, above=False), _share(noise, chosen, above=True)))
    return Calibration(
        threshold=threshold, off_found=_share(noise, threshold, above=True), splits=tuple(held)
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
    free = Bm25Matcher(catalog, vocabulary=sample_vocabulary())
    calibration = calibrate(free, queries, off)
    thresholds = [t for t, _, _ in calibration.splits]
    empty = [e for _, e, _ in calibration.splits]
    leaked = [o for _, _, o in calibration.splits]
    print(
        f"threshold {MIN_SCORE:.2f}; calibrated on all in-domain queries "
        f"{calibration.threshold:.2f} (off_domain {calibration.off_found:.3f}); "
        f"on {len(thresholds)} random halves {min(thresholds):.2f}-{max(thresholds):.2f}, "
        f"leaving {min(empty):.3f}-{max(empty):.3f} of the other half empty "
        f"(off_domain {min(leaked):.3f}-{max(leaked):.3f})"
    )
    return 0


MIN_SCORE = 0.30
"""The threshold ``make quality`` runs the built-in matcher with (see docs/articles.md)."""


if __name__ == "__main__":
    sys.exit(main())
