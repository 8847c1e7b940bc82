"""A query whose only structured answer is the platform still ranks articles for that platform
first (tests/definitions/platform-only.yaml and the built-in matcher)."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine
from kl_contact import Article, ArticleQuery, Bm25Matcher, FilterRule, Next, SearchArticles

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


def test_a_platform_only_query_raises_the_platform_or_keeps_only_it() -> None:
    query = platform_query()
    plain = ArticleQuery(locale="en", text=query.text)
    boosted = Bm25Matcher(ARTICLES).search(query, 5)
    before = {m.id: m for m in Bm25Matcher(ARTICLES).search(plain, 5)}
    # "boost" (the default) raises the fitting article without hiding the other one
    assert {m.id for m in boosted} == set(before)
    phone = next(m for m in boosted if m.id == "scan-on-a-phone")
    assert "platform" in phone.reasons
    assert "other_platform" in next(m for m in boosted if m.id != phone.id).reasons
    only = Bm25Matcher(ARTICLES, filters={"platform": FilterRule("only")}).search(query, 5)
    assert [m.id for m in only] == ["scan-on-a-phone"]
