"""A query that names no platform is read as being about the catalog's most common platform:
articles for it, or for every platform, come before articles for another platform whose words
fit only a little better, while words or an answer that name a platform still decide."""

from __future__ import annotations

import attrs

from kl_contact import Article, ArticleQuery, Bm25Matcher


def article(id: str, title: str, body: str, *platforms: str) -> Article:
    return Article(
        id=id,
        locale="en",
        title=title,
        url=f"https://example.com/kb/{id}",
        body=body,
        platforms=platforms,
    )


ARTICLES = (
    article("exclusions", "Adding exclusions", "Exclude a file from the scan.", "windows"),
    article(
        "exclusions-android",
        "Adding exclusions on Android",
        "Exclude an app from the scan on the phone: exclusions are kept per app.",
        "android",
    ),
    article("vpn", "Connecting the VPN", "Choose a server and connect.", "windows"),
    article("backup", "Backing up files", "Copy your files to the cloud.", "windows"),
)


def ids(matcher: Bm25Matcher, query: ArticleQuery) -> list[str]:
    return [match.id for match in matcher.search(query, 5)]


def test_a_query_without_a_platform_prefers_the_most_common_one() -> None:
    query = ArticleQuery(locale="en", text="exclusions")
    assert ids(Bm25Matcher(ARTICLES), query)[0] == "exclusions"
    # without the assumption the Android article's words win
    assert ids(Bm25Matcher(ARTICLES, assumed_platform=None), query)[0] == "exclusions-android"


def test_words_or_an_answer_naming_a_platform_still_decide() -> None:
    matcher = Bm25Matcher(ARTICLES)
    assert ids(matcher, ArticleQuery(locale="en", text="exclusions on android"))[0] == (
        "exclusions-android"
    )
    answered = ArticleQuery(locale="en", text="exclusions", platform="android")
    assert ids(matcher, answered)[0] == "exclusions-android"


def test_the_assumed_platform_can_be_named_and_leaves_the_relevance_alone() -> None:
    query = ArticleQuery(locale="en", text="exclusions")
    named = Bm25Matcher(ARTICLES, assumed_platform="android")
    assert ids(named, query)[0] == "exclusions-android"
    plain = {m.id: m.score for m in Bm25Matcher(ARTICLES, assumed_platform=None).search(query, 5)}
    assumed = {m.id: m.score for m in Bm25Matcher(ARTICLES).search(query, 5)}
    assert assumed == plain
    # a platform no article is for assumes nothing
    unknown = Bm25Matcher(ARTICLES, assumed_platform="symbian")
    assert ids(unknown, query) == ids(Bm25Matcher(ARTICLES, assumed_platform=None), query)


def test_another_answer_leaves_the_assumption_in_place() -> None:
    # a product answer says nothing of the platform: the most common one is still assumed
    for_plus = tuple(attrs.evolve(a, products=("plus",)) for a in ARTICLES)
    query = ArticleQuery(locale="en", text="exclusions", product="plus")
    assert ids(Bm25Matcher(for_plus), query)[0] == "exclusions"
    assert ids(Bm25Matcher(for_plus, assumed_platform=None), query)[0] == "exclusions-android"


def test_a_named_platform_the_catalog_knows_is_assumed() -> None:
    query = ArticleQuery(locale="en", text="exclusions")
    assert ids(Bm25Matcher(ARTICLES, assumed_platform="windows"), query)[0] == "exclusions"
