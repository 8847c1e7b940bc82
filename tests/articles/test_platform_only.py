"""A query whose only structured answer is the platform still ranks articles for that platform
first (tests/definitions/platform-only.yaml and the built-in matcher)."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine
from kl_contact import Article, ArticleQuery, Bm25Matcher, Next, SearchArticles

# The Windows article matches the words better; the Android one is for the chosen platform.
ARTICLES = (
    Article(
        id="scan-stops-windows",
        locale="en",
        title="Scan stops halfway",
        url="https://example.com/kb/scan-windows",
        body="When a scan stops halfway, the scan resumes after a restart.",
        platforms=("windows",),
    ),
    Article(
        id="scan-on-a-phone",
        locale="en",
        title="Checking a phone",
        url="https://example.com/kb/scan-android",
        body="A scan of the phone may stop when the battery saver is on.",
        platforms=("android",),
    ),
)


def platform_query() -> ArticleQuery:
    engine = sample_engine("platform-only")
    t = at_step(engine)
    t = engine.handle(t.session, Next({"platform": "android", "subject": "Scan stops"}), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SearchArticles)
    return effect.query


def test_the_query_carries_the_platform_alone() -> None:
    query = platform_query()
    assert (query.product, query.category, query.platform) == (None, None, "android")
    assert query.text == "Scan stops"


def test_without_a_platform_the_words_decide() -> None:
    matches = Bm25Matcher(ARTICLES).search(ArticleQuery(locale="en", text="Scan stops"), 5)
    assert [m.id for m in matches] == ["scan-stops-windows", "scan-on-a-phone"]


def test_a_platform_only_query_ranks_the_platform_first() -> None:
    matches = Bm25Matcher(ARTICLES).search(platform_query(), 5)
    assert [m.id for m in matches] == ["scan-on-a-phone", "scan-stops-windows"]
    assert "platform" in matches[0].reasons
    assert "other_platform" in matches[1].reasons
