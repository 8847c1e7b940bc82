"""The impact index: its pruned top-k search returns exactly what scoring every document does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kl_contact.articles import index as index_module
from kl_contact.articles.index import ImpactIndex

WORDS = st.sampled_from([f"w{i}" for i in range(12)])
DOCS = st.lists(st.lists(WORDS, min_size=0, max_size=12), min_size=1, max_size=60)
QUERY = st.dictionaries(WORDS, st.integers(min_value=1, max_value=3), max_size=8)


def brute_force(
    index: ImpactIndex, query: dict[str, float], k: int, floor: float, boosts: list[float]
) -> list[tuple[int, float]]:
    ranked = sorted(
        (-raw * boosts[doc], doc)
        for doc, raw in index.scores(query).items()
        if raw * boosts[doc] >= floor and raw * boosts[doc] > 0
    )
    return [(doc, -negative) for negative, doc in ranked[:k]]


@settings(max_examples=300, deadline=None)
@given(
    DOCS,
    QUERY,
    st.integers(min_value=1, max_value=8),
    st.floats(min_value=0, max_value=4),
    st.booleans(),
    st.data(),
)
def test_top_matches_exhaustive_scoring(
    docs: list[list[str]],
    query: dict[str, int],
    k: int,
    floor: float,
    tiered: bool,
    data: st.DataObject,
) -> None:
    # small tiers make the tier logic run on small examples
    original = index_module._TIERED
    index_module._TIERED = 4 if tiered else original
    try:
        index = ImpactIndex.from_tokens(docs)
    finally:
        index_module._TIERED = original
    boosts = data.draw(
        st.lists(st.sampled_from([0.0, 1.0, 1.25, 1.5]), min_size=len(docs), max_size=len(docs))
    )
    weights = {term: float(count) for term, count in query.items()}
    want = brute_force(index, weights, k, floor, boosts)
    assert index.top(weights, k, floor=floor, boost=boosts, max_boost=1.5) == want
    plain = brute_force(index, weights, k, floor, [1.0] * len(docs))
    assert index.top(weights, k, floor=floor) == plain


def test_rarer_terms_weigh_more_and_repeats_saturate() -> None:
    index = ImpactIndex.from_tokens(
        [["scan", "rare"], ["scan"], ["scan", "scan", "scan", "scan"], ["other"]]
    )
    assert [doc for doc, _ in index.top({"rare": 1.0, "scan": 1.0}, 4)] == [0, 2, 1]
    one, many = index.scores({"scan": 1.0})[1], index.scores({"scan": 1.0})[2]
    assert one < many < 4 * one


def test_term_statistics() -> None:
    index = ImpactIndex.from_tokens([["scan", "rare"], ["scan"], ["other"]])
    assert index.document_frequency("scan") == 2
    assert index.document_frequency("zz") == 0
    assert "scan" in index
    assert "zz" not in index
    assert index.best_impact("rare") > index.best_impact("scan") > 0
    assert index.impact("rare", 0) == index.best_impact("rare")
    assert index.impact("rare", 1) == 0.0
    assert index.has("scan", 1)
    assert not index.has("zz", 1)


def test_nothing_shared_finds_nothing() -> None:
    index = ImpactIndex.from_tokens([["a1"], ["b1"]])
    assert index.top({"zz": 1.0}, 5) == []
    assert index.top({"a1": 1.0}, 0) == []
    assert index.top({"a1": 1.0}, 5, boost=[0.0, 1.0]) == []


# a few common words and a tail of rarer ones: every document has several of the common
# ones, so their lists are dense and long queries share many words with most documents
COMMON = [f"c{i}" for i in range(6)]
RARE = [f"r{i}" for i in range(30)]
DENSE_DOC = st.lists(
    st.one_of(st.sampled_from(COMMON), st.sampled_from(COMMON), st.sampled_from(RARE)),
    min_size=3,
    max_size=25,
)
LONG_QUERY = st.dictionaries(
    st.sampled_from(COMMON + RARE),
    st.sampled_from([0.7, 0.85, 1.0, 4 / 3, 1.5]),
    min_size=5,
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_long_queries_over_dense_lists_match_exhaustive_scoring(data: st.DataObject) -> None:
    docs = data.draw(st.lists(DENSE_DOC, min_size=20, max_size=300), label="docs")
    weights = data.draw(LONG_QUERY, label="query")
    k = data.draw(st.integers(min_value=1, max_value=10), label="k")
    # scan decides whether a list is intersected with the candidates or bisected for each
    scan = data.draw(st.sampled_from([0, 1, 10, 1_000]), label="scan")
    tiered = data.draw(st.sampled_from([4, 16, 128]), label="tiered")
    # fewer probes keep the bar low (every document met stays a candidate, unfiltered);
    # more score most candidates exactly (they leave the candidates early)
    probe = data.draw(st.sampled_from([0, 1, 16, 1_000]), label="probe")
    boosts = data.draw(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from([0.0, 1.0, 1.6]), min_size=len(docs), max_size=len(docs)),
        ),
        label="boosts",
    )
    original = index_module._TIERED, index_module._SCAN, index_module._PROBE
    index_module._TIERED = tiered
    try:
        index = ImpactIndex.from_tokens(docs)
        index_module._SCAN, index_module._PROBE = scan, probe
        found = index.top(weights, k, boost=boosts, max_boost=1.6 if boosts else 1.0)
    finally:
        index_module._TIERED, index_module._SCAN, index_module._PROBE = original
    assert found == brute_force(index, weights, k, 0.0, boosts or [1.0] * len(docs))


def test_a_bar_below_every_impact_read_still_completes_every_document() -> None:
    # "c" is in every document with one impact, so while the bar is below it no document
    # is filtered; the rarer words then decide, and "b" must be added to every document
    docs = [["a", "c"], ["a", "b", "c"], ["b", "c"], ["c"], ["c", "b"], ["a", "c"]] * 5
    index = ImpactIndex.from_tokens(docs)
    weights = {"a": 1.0, "b": 1.0, "c": 1.0}
    for k in (1, 3, 10, 30):
        assert index.top(weights, k) == brute_force(index, weights, k, 0.0, [1.0] * len(docs))
