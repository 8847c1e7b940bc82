"""Article search speed: the built-in matcher beside bm25s and rank_bm25 in the same run.

For synthetic catalogs of 1,000, 10,000 and 100,000 articles, and for queries of 2-4 and of
5-10 words, it prints the build time of the three, the memory (tracemalloc) the built-in
matcher and bm25s keep per article, the query latency (median and p95) of each and the
built-in matcher's speed-up over both, and how often the shipped pruned search returns the
same top 5 as the same matcher scoring every article. The libraries are handed the same
analysed tokens; the built-in matcher is measured through ``Bm25Matcher.search``, text
analysis included. Run by ``make bench`` (the ``bench`` extra installs bm25s, rank_bm25 and
numpy); sizes given as arguments replace the default three.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import bm25s
import numpy as np
from rank_bm25 import BM25Okapi

from kl_contact.articles.analysis import analyse
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import Article, ArticleQuery

SIZES = tuple(int(n) for n in sys.argv[1:]) or (1_000, 10_000, 100_000)
QUERIES = 200
OKAPI_QUERIES = 50
"""BM25Okapi takes about 0.1 s a query at 100,000 articles: fewer queries there."""
VOCABULARY = 30_000
SEED = 20261125


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    """Distinct made-up words that the English stemmer leaves recognisable."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "pa", "dor", "lin", "mar"]
    seen: set[str] = set()
    while len(seen) < count:
        seen.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(seen)


def catalog(size: int, rng: random.Random, words: list[str]) -> list[Article]:
    """Articles whose words follow a Zipf-like law with the stop-word head cut off."""
    weights = [1.0 / (rank + 50) for rank in range(len(words))]
    products = ["standard", "plus", "premium", "vpn", "safe_kids", "password_manager"]
    articles = []
    for number in range(size):
        drawn = rng.choices(words, weights, k=rng.randint(30, 90) + 6)
        articles.append(
            Article(
                id=f"a{number:06d}",
                locale="en",
                title=" ".join(drawn[:6]),
                body=" ".join(drawn[6:]),
                url=f"https://kb.example.com/a{number:06d}",
                products=(rng.choice(products),),
            )
        )
    return articles


def queries(
    articles: Sequence[Article], rng: random.Random, shortest: int, longest: int
) -> list[tuple[str, str]]:
    """Some words of a random article, as a user would recall them, and its product."""
    out = []
    for _ in range(QUERIES):
        article = articles[rng.randrange(len(articles))]
        words = article.body.split()
        out.append(
            (" ".join(rng.sample(words, rng.randint(shortest, longest))), article.products[0])
        )
    return out


def traced(fn: Callable[[], Any]) -> int:
    """The bytes still allocated (tracemalloc) by what ``fn`` builds, while it is alive."""
    gc.collect()
    tracemalloc.start()
    built = fn()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del built
    return size


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def latencies(run: Callable[[str], Any], texts: Sequence[str]) -> tuple[float, float, list[Any]]:
    """Median and 95th percentile in milliseconds, and each query's result."""
    samples, results = [], []
    for text in texts:
        start = time.perf_counter()
        results.append(run(text))
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.95)] * 1e3, results


def okapi_top(model: BM25Okapi, tokens: list[str]) -> list[int]:
    scores = model.get_scores(tokens)
    best = np.argsort(-scores, kind="stable")[:5]
    return [int(doc) for doc in best if scores[doc] > 0]


def bm25s_top(model: Any, tokens: list[str]) -> list[int]:
    scores = model.get_scores(tokens)
    best = np.argsort(-scores, kind="stable")[:5]
    return [int(doc) for doc in best if scores[doc] > 0]


def measure(size: int, rng: random.Random, words: list[str]) -> list[dict[str, float]]:
    articles = catalog(size, rng, words)
    matcher, build = timed(lambda: Bm25Matcher(articles))
    memory = traced(lambda: Bm25Matcher(articles))
    tokens = [analyse(f"{a.title} {a.body}") for a in articles]
    okapi, okapi_build = timed(lambda: BM25Okapi(tokens))

    def make_bm25s() -> Any:
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        return model

    theirs, bm25s_build = timed(make_bm25s)
    bm25s_memory = traced(make_bm25s)
    rows = []
    for shortest, longest in ((2, 4), (5, 10)):
        asked = queries(articles, rng, shortest, longest)
        texts = [text for text, _ in asked]
        by_text = {text: analyse(text) for text in texts}
        ours_median, ours_p95, ours_found = latencies(
            lambda text: matcher.search(ArticleQuery(locale="en", text=text), 5), texts
        )
        product_of = dict(asked)
        product_median, _, _ = latencies(
            lambda text: matcher.search(
                ArticleQuery(locale="en", text=text, product=product_of[text]),  # noqa: B023
                5,
            ),
            texts,
        )
        bm25s_median, bm25s_p95, _ = latencies(
            lambda text: bm25s_top(theirs, by_text[text]),  # noqa: B023
            texts,
        )
        okapi_texts = texts[: OKAPI_QUERIES if size > 10_000 else len(texts)]
        okapi_median, okapi_p95, _ = latencies(
            lambda text: okapi_top(okapi, by_text[text]),  # noqa: B023
            okapi_texts,
        )
        # the shipped (pruned) search against the same matcher scoring every article
        agreed = 0
        for text, found in zip(texts, ours_found, strict=True):
            exhaustive = matcher.find(ArticleQuery(locale="en", text=text), 5, prune=False)
            agreed += [m.id for m in found] == [m.id for m in exhaustive.matches]
        rows.append(
            {
                "size": size,
                "words": f"{shortest}-{longest}",
                "build_s": build,
                "bm25s_build_s": bm25s_build,
                "okapi_build_s": okapi_build,
                "memory": memory / size,
                "bm25s_memory": bm25s_memory / size,
                "median_ms": ours_median,
                "p95_ms": ours_p95,
                "product_median_ms": product_median,
                "bm25s_median_ms": bm25s_median,
                "bm25s_p95_ms": bm25s_p95,
                "okapi_median_ms": okapi_median,
                "okapi_p95_ms": okapi_p95,
                "agreement": agreed / len(texts),
            }
        )
    return rows


def main() -> int:
    rng = random.Random(SEED)
    words = pseudo_words(rng, VOCABULARY)
    header = (
        f"{'articles':>9} {'words':>5} {'build s':>8} {'bm25s s':>8} {'okapi s':>8} "
        f"{'B/art':>7} {'bm25s B':>8} {'p50 ms':>7} {'p95':>7} {'+prod':>7} "
        f"{'bm25s p50':>10} {'p95':>7} {'okapi p50':>10} {'p95':>8} {'x okapi':>8} "
        f"{'x bm25s':>8} {'agree':>6}"
    )
    print(f"{QUERIES} queries per size and length, top 5, Python {sys.version.split()[0]}")
    print(header)
    rows = []
    for size in SIZES:
        for row in measure(size, rng, words):
            rows.append(row)
            print(
                f"{row['size']:>9,} {row['words']:>5} {row['build_s']:>8.2f} "
                f"{row['bm25s_build_s']:>8.2f} {row['okapi_build_s']:>8.2f} "
                f"{row['memory']:>7,.0f} {row['bm25s_memory']:>8,.0f} "
                f"{row['median_ms']:>7.3f} {row['p95_ms']:>7.3f} {row['product_median_ms']:>7.3f} "
                f"{row['bm25s_median_ms']:>10.3f} {row['bm25s_p95_ms']:>7.3f} "
                f"{row['okapi_median_ms']:>10.3f} {row['okapi_p95_ms']:>8.3f} "
                f"{row['okapi_median_ms'] / row['median_ms']:>7.1f}x "
                f"{row['bm25s_median_ms'] / row['median_ms']:>7.1f}x {row['agreement']:>6.1%}",
                flush=True,
            )
    checks = [("pruned top 5 == exhaustive top 5", all(r["agreement"] == 1.0 for r in rows))]
    for row in rows:
        if row["size"] == 10_000:
            checks.append(
                (
                    f">= 20x BM25Okapi at 10,000 ({row['words']} words)",
                    row["okapi_median_ms"] / row["median_ms"] >= 20,
                )
            )
        if row["size"] == 100_000:
            checks.append(
                (
                    f"p50 < 2 ms and p95 < 5 ms at 100,000 ({row['words']} words)",
                    row["median_ms"] < 2.0 and row["p95_ms"] < 5.0,
                )
            )
    for name, met in checks:
        print(f"{'met' if met else 'NOT met'}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
