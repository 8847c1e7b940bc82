"""The impact index: its pruned top-k search returns exactly what scoring every document does."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kl_contact.articles.index import ImpactIndex

WORDS = st.sampled_from([f"w{i}" for i in range(12)])
DOCS = st.lists(st.lists(WORDS, min_size=0, max_size=12), min_size=1, max_size=40)
QUERY = st.dictionaries(WORDS, st.integers(min_value=1, max_value=3), max_size=5)


def brute_force(
    index: ImpactIndex,
    query: dict[str, float],
    k: int,
    floor: float,
    tiers: list[int],
    boosts: list[float],
) -> list[tuple[int, float]]:
    ranked = sorted(
        (tiers[doc], -raw * boosts[doc], doc)
        for doc, raw in index.scores(query).items()
        if raw * boosts[doc] >= floor and raw > 0
    )
    return [(doc, -negative) for _, negative, doc in ranked[:k]]


@settings(max_examples=300, deadline=None)
@given(
    DOCS,
    QUERY,
    st.integers(min_value=1, max_value=8),
    st.floats(min_value=0, max_value=4),
    st.data(),
)
def test_top_matches_exhaustive_scoring(
    docs: list[list[str]], query: dict[str, int], k: int, floor: float, data: st.DataObject
) -> None:
    index = ImpactIndex.from_tokens(docs)
    tiers = data.draw(st.lists(st.integers(0, 3), min_size=len(docs), max_size=len(docs)))
    boosts = data.draw(
        st.lists(st.sampled_from([1.0, 1.5]), min_size=len(docs), max_size=len(docs))
    )
    weights = {term: float(count) for term, count in query.items()}
    got = index.top(
        weights, k, floor=floor, rank=lambda doc: (tiers[doc], boosts[doc]), max_boost=1.5
    )
    want = brute_force(index, weights, k, floor, tiers, boosts)
    assert [doc for doc, _ in got] == [doc for doc, _ in want]
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert math.isclose(a, b, rel_tol=1e-9)


def test_rarer_terms_weigh_more_and_repeats_saturate() -> None:
    index = ImpactIndex.from_tokens(
        [["scan", "rare"], ["scan"], ["scan", "scan", "scan", "scan"], ["other"]]
    )
    assert [doc for doc, _ in index.top({"rare": 1.0, "scan": 1.0}, 4)] == [0, 2, 1]
    one, many = index.scores({"scan": 1.0})[1], index.scores({"scan": 1.0})[2]
    assert one < many < 4 * one


def test_nothing_shared_finds_nothing() -> None:
    index = ImpactIndex.from_tokens([["a1"], ["b1"]])
    assert index.top({"zz": 1.0}, 5) == []
    assert index.top({"a1": 1.0}, 0) == []
