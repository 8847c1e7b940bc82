"""The threshold calibration make quality prints: the highest threshold that leaves no
labelled in-domain query without a result, and how it holds on queries it was not set on."""

from __future__ import annotations

from collections.abc import Sequence

from kl_contact.articles.model import ArticleMatch, ArticleQuery
from kl_contact.articles.quality import LabelledQuery, calibrate


class Fixed:
    """A matcher whose best match for a query has the relevance its text names."""

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        score = float(query.text)
        if not score:
            return []
        weaker = ArticleMatch(id="weaker", title="", url="https://x/2", score=score / 2)
        best = ArticleMatch(id="best", title="", url="https://x/1", score=score)
        return [weaker, best][:limit]


def labelled(*scores: float) -> list[LabelledQuery]:
    return [
        LabelledQuery(id=f"q{n}", query=ArticleQuery("en", str(s)), relevant=("best",))
        for n, s in enumerate(scores)
    ]


def test_the_threshold_is_the_weakest_best_match_rounded_down() -> None:
    queries = labelled(0.9, 0.347, 0.5, 0.62)
    off = labelled(0.2, 0.34, 0.0, 0.4)
    found = calibrate(Fixed(), queries, off, splits=3)
    assert found.threshold == 0.34
    # two of four off-domain queries reach 0.34
    assert found.off_found == 0.5
    assert len(found.splits) == 3


def test_each_half_sets_its_own_threshold_and_reports_the_other_half() -> None:
    queries = labelled(0.2, 0.8, 0.8, 0.8, 0.8, 0.8)
    found = calibrate(Fixed(), queries, [], splits=20, seed=1)
    thresholds = {threshold for threshold, _, _ in found.splits}
    # a half without the weak query sets 0.8 and leaves it (one of three) empty
    assert thresholds == {0.2, 0.8}
    for threshold, empty, off_found in found.splits:
        assert empty == (1 / 3 if threshold == 0.8 else 0.0)
        assert off_found == 0.0
    assert found.threshold == 0.2


def test_off_found_is_the_share_of_off_domain_queries_at_or_above_the_threshold() -> None:
    # one of four off-domain queries reaches 0.5: a quarter let through, not three quarters
    found = calibrate(Fixed(), labelled(0.5, 0.9), labelled(0.7, 0.1, 0.2, 0.0), splits=0)
    assert found.threshold == 0.5
    assert found.off_found == 0.25
