"""Article search speed: the built-in matcher against rank_bm25's BM25Okapi in the same run.

For synthetic catalogs of 1,000, 10,000 and 100,000 articles it prints the index build time,
the memory the index takes per article, the query latency (median and p95) of both, their
ratio, and how often the two agree on the top 5 when they index the same tokens.
Run by ``make bench`` (which installs the ``bench`` extra for rank_bm25 and numpy); sizes
given as arguments replace the default three.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from kl_contact.articles.analysis import analyse
from kl_contact.articles.index import ImpactIndex
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import Article, ArticleQuery

SIZES = tuple(int(n) for n in sys.argv[1:]) or (1_000, 10_000, 100_000)
QUERIES = 200
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


def queries(articles: Sequence[Article], rng: random.Random) -> list[tuple[str, str]]:
    """Two to four words of a random article, as a user would recall them, and its product."""
    out = []
    for _ in range(QUERIES):
        article = articles[rng.randrange(len(articles))]
        words = article.body.split()
        out.append((" ".join(rng.sample(words, rng.randint(2, 4))), article.products[0]))
    return out


def rss() -> int:
    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


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


def measure(size: int, rng: random.Random, words: list[str]) -> dict[str, float]:
    articles = catalog(size, rng, words)
    asked = queries(articles, rng)
    texts = [text for text, _ in asked]
    product_of = dict(asked)
    before = rss()
    matcher, build = timed(lambda: Bm25Matcher(articles))
    memory = (rss() - before) / size
    tokens = [analyse(f"{a.title} {a.body}") for a in articles]
    query_tokens = [analyse(text) for text in texts]
    okapi, okapi_build = timed(lambda: BM25Okapi(tokens))
    same, _ = timed(lambda: ImpactIndex.from_tokens(tokens))

    ours_median, ours_p95, _ = latencies(
        lambda text: matcher.search(ArticleQuery(locale="en", text=text), 5), texts
    )
    # the same queries with the product chosen: only one article in six fits it
    product_median, _, _ = latencies(
        lambda text: matcher.search(
            ArticleQuery(locale="en", text=text, product=product_of[text]), 5
        ),
        texts,
    )
    by_text = dict(zip(texts, query_tokens, strict=True))
    okapi_median, okapi_p95, okapi_tops = latencies(
        lambda text: okapi_top(okapi, by_text[text]), texts
    )

    agreement = []
    for qt, theirs in zip(query_tokens, okapi_tops, strict=True):
        if theirs:
            ours = [doc for doc, _ in same.top({t: float(qt.count(t)) for t in set(qt)}, 5)]
            agreement.append(len(set(ours) & set(theirs)) / len(theirs))
    return {
        "size": size,
        "build_s": build,
        "okapi_build_s": okapi_build,
        "bytes_per_article": memory,
        "median_ms": ours_median,
        "p95_ms": ours_p95,
        "product_median_ms": product_median,
        "okapi_median_ms": okapi_median,
        "okapi_p95_ms": okapi_p95,
        "agreement": statistics.fmean(agreement) if agreement else 1.0,
    }


def main() -> int:
    rng = random.Random(SEED)
    words = pseudo_words(rng, VOCABULARY)
    header = (
        f"{'articles':>9} {'build s':>8} {'okapi s':>8} {'B/article':>10} "
        f"{'ours p50 ms':>12} {'p95':>7} {'+product':>9} {'okapi p50 ms':>13} {'p95':>7} "
        f"{'speed-up':>9} {'top-5 agree':>12}"
    )
    rows = []
    print(f"{QUERIES} queries per size, top 5, pure Python {sys.version.split()[0]}")
    print(header)
    for size in SIZES:
        row = measure(size, rng, words)
        rows.append(row)
        print(
            f"{row['size']:>9,} {row['build_s']:>8.2f} {row['okapi_build_s']:>8.2f} "
            f"{row['bytes_per_article']:>10,.0f} {row['median_ms']:>12.3f} {row['p95_ms']:>7.3f} "
            f"{row['product_median_ms']:>9.3f} "
            f"{row['okapi_median_ms']:>13.3f} {row['okapi_p95_ms']:>7.3f} "
            f"{row['okapi_median_ms'] / row['median_ms']:>8.1f}x {row['agreement']:>11.1%}",
            flush=True,
        )
    by_size = {int(row["size"]): row for row in rows}
    checks = [("top-5 agreement >= 95%", all(row["agreement"] >= 0.95 for row in rows))]
    if 10_000 in by_size:
        ten = by_size[10_000]
        speed_up = ten["okapi_median_ms"] / ten["median_ms"]
        checks.append(("queries >= 20x BM25Okapi at 10,000", speed_up >= 20))
    if 100_000 in by_size:
        checks.append(("median < 2 ms at 100,000", by_size[100_000]["median_ms"] < 2.0))
    for name, met in checks:
        print(f"{'met' if met else 'NOT met'}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
