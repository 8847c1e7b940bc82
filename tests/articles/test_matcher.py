"""The built-in matcher: quality on the labelled set, answers that shape the ranking, reasons."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_contact import default_workflow
from kl_contact.articles.analysis import analyse
from kl_contact.articles.catalog import sample_catalog
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import Article, ArticleMatcher, ArticleQuery, FilterRule
from kl_contact.articles.quality import evaluate, load_queries

HERE = Path(__file__).parent
QUERY_FILES = sorted(HERE.glob("labelled/*.yaml"))
CATALOG = sample_catalog()
BY_ID = {article.id: article for article in CATALOG}


@pytest.fixture(scope="module")
def matcher() -> Bm25Matcher:
    return Bm25Matcher(CATALOG)


def test_labelled_set_is_large_enough_and_resolves() -> None:
    queries = load_queries(*QUERY_FILES)
    assert len(queries) >= 300
    assert {q.query.locale for q in queries} == {"ru", "en"}
    for labelled in queries:
        for article in labelled.relevant:
            assert BY_ID[article].locale == labelled.query.locale


def test_evaluate_counts_ranks_and_misses() -> None:
    class Fixed:
        def search(self, query: ArticleQuery, limit: int) -> list[object]:
            from kl_contact.articles.model import ArticleMatch

            ids = ["x", "y", "z"] if query.text == "one" else ["q"]
            return [ArticleMatch(id=i, title=i, url="u", score=1.0) for i in ids]

    from kl_contact.articles.quality import LabelledQuery

    queries = [
        LabelledQuery("a", ArticleQuery(locale="en", text="one"), ("y", "w")),
        LabelledQuery("b", ArticleQuery(locale="en", text="two"), ("x",)),
    ]
    quality = evaluate(Fixed(), queries)  # type: ignore[arg-type]
    assert quality.mrr == pytest.approx((1 / 2 + 0) / 2)
    assert quality.recall == pytest.approx((1 / 2 + 0) / 2)
    assert quality.misses == ("b",)
    assert evaluate(Fixed(), []).queries == 0  # type: ignore[arg-type]


def test_it_is_an_article_matcher(matcher: Bm25Matcher) -> None:
    assert isinstance(matcher, ArticleMatcher)


PRODUCTS = sorted({p for a in CATALOG for p in a.products})
PLATFORMS = sorted({p for a in CATALOG for p in a.platforms})
CATEGORIES = sorted({c for a in CATALOG for c in a.categories})
TEXTS = [q.query.text for q in load_queries(*QUERY_FILES)]


def test_inflected_russian_and_english_forms_find_the_same_article(matcher: Bm25Matcher) -> None:
    for locale, one, other in [
        ("ru", "код активации не подходит", "коды активация не подходят"),
        ("en", "activation code not accepted", "activating codes was not accepting"),
    ]:
        first = matcher.search(ArticleQuery(locale=locale, text=one), 1)
        second = matcher.search(ArticleQuery(locale=locale, text=other), 1)
        assert first[0].id == second[0].id == f"activation-code-invalid-{locale}"


def test_case_and_yo_fold_and_stop_words_drop() -> None:
    assert analyse("ЁЛКА ёлка елка") == analyse("елка елка елка")
    assert analyse("the and of а и в") == []
    assert analyse("Kaspersky VPN не подключается") == analyse("kaspersky vpn подключение")[
        :2
    ] + analyse("не подключается")


def test_ties_break_by_article_id_and_min_score_drops_weak_matches() -> None:
    twins = [
        Article(id=name, locale="en", title="Scan is slow", url=f"https://kb.example/{name}")
        for name in ("b-twin", "a-twin", "c-twin")
    ]
    other = Article(id="other", locale="en", title="Firewall rules", url="https://kb.example/o")
    matcher = Bm25Matcher([*twins, other])
    found = matcher.search(ArticleQuery(locale="en", text="slow scan"), 5)
    assert [m.id for m in found] == ["a-twin", "b-twin", "c-twin"]
    assert matcher.search(ArticleQuery(locale="en", text="slow scan"), 0) == []
    assert matcher.search(ArticleQuery(locale="de", text="slow scan"), 5) == []
    assert all(0 < m.score <= 1 for m in found)
    # a one-word match of a two-word query is less relevant than a full match
    half = matcher.search(ArticleQuery(locale="en", text="slow firewall"), 5)
    assert half
    assert all(m.score < 1 for m in half)
    strict = Bm25Matcher([*twins, other], min_score=0.999)
    assert [m.id for m in strict.search(ArticleQuery(locale="en", text="slow scan"), 5)] == [
        "a-twin",
        "b-twin",
        "c-twin",
    ]
    assert strict.search(ArticleQuery(locale="en", text="slow firewall"), 5) == []


def test_min_score_comes_from_the_definition() -> None:
    workflow = default_workflow()
    matcher = Bm25Matcher.for_workflow(CATALOG, workflow)
    assert matcher.min_score == workflow.articles.min_score > 0
    found = matcher.search(ArticleQuery(locale="en", text="licence expired renew"), 50)
    assert found
    assert all(m.score >= workflow.articles.min_score for m in found)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["ru", "en", "de"]), st.integers(-2, 8))
def test_any_text_gives_a_short_ranked_list(
    matcher: Bm25Matcher, text: str, locale: str, limit: int
) -> None:
    found = matcher.search(ArticleQuery(locale=locale, text=text, product="plus"), limit)
    assert len(found) <= max(limit, 0)
    assert all(m.score > 0 for m in found)
    assert all(m.score <= 1 for m in found)
    assert analyse(text) == analyse(text.lower().replace("ё", "е"))


def test_words_of_a_query_are_not_kept(matcher: Bm25Matcher) -> None:
    from kl_contact.articles import analysis

    word = "зюзюкинский"
    matcher.search(ArticleQuery(locale="ru", text=f"{word} активация"), 3)
    assert word not in analysis._stems


def test_repeated_words_saturate(matcher: Bm25Matcher) -> None:
    once = matcher.find(ArticleQuery(locale="en", text="vpn"), 5).matches
    many = matcher.find(ArticleQuery(locale="en", text="vpn vpn vpn vpn vpn vpn"), 5).matches
    assert [m.id for m in once] == [m.id for m in many]
    explained = matcher.explain(ArticleQuery(locale="en", text="vpn " * 20), once[0].id)
    (term,) = explained.terms
    assert 1 < term.weight < 2


def test_unknown_answers_are_issues_and_not_applied(matcher: Bm25Matcher) -> None:
    query = ArticleQuery(locale="en", text="vpn does not connect", product="no-such-product")
    result = matcher.find(query, 5)
    (issue,) = result.issues
    assert issue.code == "articles.unknown_filter"
    assert issue.path == ("query", "product")
    assert "no-such-product" not in issue.message
    plain = matcher.find(ArticleQuery(locale="en", text="vpn does not connect"), 5)
    assert [m.id for m in result.matches] == [m.id for m in plain.matches]
    assert matcher.find(ArticleQuery(locale="en", text="vpn", product="vpn"), 5).issues == ()


def test_only_filters_leave_other_articles_out() -> None:
    only = Bm25Matcher(CATALOG, filters={"product": FilterRule("only")})
    found = only.search(ArticleQuery(locale="en", text="password", product="vpn"), 20)
    assert found
    for match in found:
        products = BY_ID[match.id].products
        assert not products or "vpn" in products
    with pytest.raises(ValueError, match="unknown filters"):
        Bm25Matcher(CATALOG, filters={"colour": FilterRule()})
    with pytest.raises(ValueError, match="factor"):
        FilterRule("boost", 0.5)


def test_category_threshold_overrides_the_definition_one() -> None:
    query = ArticleQuery(locale="en", text="vpn slow", category="vpn")
    loose = Bm25Matcher(CATALOG, min_score=0.0).search(query, 50)
    strict = Bm25Matcher(CATALOG, min_score=0.0, category_min_score={"vpn": 0.9}).search(query, 50)
    assert loose
    assert len(strict) < len(loose)
    assert all(m.score >= 0.9 for m in strict)
    other = ArticleQuery(locale="en", text="vpn slow", category="scan")
    assert Bm25Matcher(CATALOG, category_min_score={"vpn": 0.9}).search(other, 50)


def test_pruned_and_exhaustive_search_agree(matcher: Bm25Matcher) -> None:
    for labelled in load_queries(*QUERY_FILES)[:80]:
        pruned = matcher.find(labelled.query, 5)
        full = matcher.find(labelled.query, 5, prune=False)
        assert pruned == full


def test_demotion_lowers_a_rejected_article_within_bounds() -> None:
    query = ArticleQuery(locale="en", text="vpn does not connect")
    first = Bm25Matcher(CATALOG).search(query, 5)
    demoted = Bm25Matcher(CATALOG, demotions={first[0].id: 0.01}).search(query, 5)
    assert demoted[0].id != first[0].id
    explained = Bm25Matcher(CATALOG, demotions={first[0].id: 0.01}).explain(query, first[0].id)
    assert explained.demotion == 0.5  # never below the bound
    by_category = Bm25Matcher(CATALOG, category_demotions={"vpn": {first[0].id: 0.5}})
    assert by_category.search(query, 1)[0].id == first[0].id
    assert by_category.search(attrs.evolve(query, category="vpn"), 1)[0].id != first[0].id


def test_quality_on_the_labelled_parts_stays_at_its_measurement() -> None:
    """Measured with threshold 0.30 (docs/articles.md); the floors sit just below."""
    from kl_contact.articles.catalog import sample_vocabulary
    from kl_contact.articles.quality import MIN_SCORE, load_labelled, off_domain_found

    queries, off = load_labelled(*QUERY_FILES)
    tuned = Bm25Matcher(CATALOG, vocabulary=sample_vocabulary(), min_score=MIN_SCORE)
    for locale in ("ru", "en"):
        free = [q for q in queries if q.query.locale == locale and q.part == "free_text"]
        noisy = [q for q in free if q.noise]
        answered = [q for q in queries if q.query.locale == locale and q.part == "with_answers"]
        assert evaluate(tuned, free).hit3 >= 0.95, locale
        assert evaluate(tuned, free).mrr >= 0.9, locale
        assert evaluate(tuned, noisy).hit3 >= 0.93, locale
        assert evaluate(tuned, answered).hit3 >= 0.92, locale
        for part in (free, answered):
            assert evaluate(tuned, part).zero == 0.0, locale
        assert off_domain_found(tuned, [q for q in off if q.query.locale == locale]) <= 0.06


def test_quality_command_prints_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    from kl_contact.articles.quality import main

    assert main([str(p) for p in QUERY_FILES]) == 0
    out = capsys.readouterr().out
    for part in ("with_answers", "free_text", "noisy", "off_domain"):
        assert part in out
    assert "hit@3" in out
    assert main([]) in (0, 2)


def test_an_article_with_one_word_of_several_is_a_weaker_match_and_explain_agrees() -> None:
    twins = [
        Article(id="both", locale="en", title="Quarantine restore", body="", url="https://x/1"),
        Article(id="one", locale="en", title="Quarantine", body="", url="https://x/2"),
        Article(id="other", locale="en", title="Restore", body="", url="https://x/3"),
    ]
    matcher = Bm25Matcher(twins)
    found = {m.id: m.score for m in matcher.search(ArticleQuery("en", "quarantine restore"), 3)}
    assert found["both"] > found["one"]
    for article_id, score in found.items():
        explained = matcher.explain(ArticleQuery("en", "quarantine restore"), article_id)
        assert explained.relevance == score


def test_a_guessed_word_counts_less_than_a_word_read_as_typed() -> None:
    matcher = Bm25Matcher(CATALOG)
    typed = matcher.search(ArticleQuery("en", "quarantine restore"), 1)
    guessed = matcher.search(ArticleQuery("en", "quarantine restroe"), 1)
    assert typed
    assert guessed
    assert typed[0].id == guessed[0].id
    assert guessed[0].score < typed[0].score


@pytest.mark.parametrize(
    ("locale", "text"),
    [("en", "who won the oscars"), ("en", "symptoms of the flu"), ("ru", "гороскоп на неделю")],
)
def test_a_query_with_one_catalog_word_of_two_finds_nothing_at_the_default_threshold(
    locale: str, text: str
) -> None:
    matcher = Bm25Matcher.for_workflow(CATALOG, default_workflow())
    assert matcher.search(ArticleQuery(locale, text), 5) == []


def test_an_unknown_answer_lists_the_values_the_catalog_knows(matcher: Bm25Matcher) -> None:
    query = ArticleQuery(locale="en", text="vpn", platform="symbian")
    (issue,) = matcher.find(query, 5).issues
    assert issue.params == {"filter": "platform", "known": ", ".join(PLATFORMS)}
    # a locale without articles knows no value at all
    (other,) = matcher.find(attrs.evolve(query, locale="de"), 5).issues
    assert other.params == {"filter": "platform", "known": ""}


def test_a_word_every_article_has_is_found_by_both_searches() -> None:
    # a word in every article has a tiny weight, and its BM25 score stays far below 1
    same = [
        Article(id=f"a{n}", locale="en", title=f"Kaspersky topic{n}", url=f"https://x/{n}")
        for n in range(3)
    ]
    matcher = Bm25Matcher(same, assumed_platform=None)
    query = ArticleQuery(locale="en", text="kaspersky")
    pruned = matcher.find(query, 5)
    assert [m.id for m in pruned.matches] == ["a0", "a1", "a2"]
    assert matcher.find(query, 5, prune=False) == pruned


def test_a_typo_as_close_to_a_catalog_word_as_to_a_vocabulary_word_ties_alphabetically() -> None:
    # a word the articles use once and a word only the vocabulary has count the same, so
    # the tie goes to the first by name ("routera", an alias of "modem")
    from kl_contact.articles.vocabulary import parse_vocabulary

    vocabulary = parse_vocabulary("format: 1\naliases: [{canonical: modem, variants: [routera]}]\n")
    articles = [
        Article(id="modem", locale="en", title="Modem setup", url="https://x/1", body="lights"),
        Article(id="routerx", locale="en", title="Routerx setup", url="https://x/2", body="cable"),
    ]
    matcher = Bm25Matcher(articles, vocabulary=vocabulary, assumed_platform=None)
    assert [m.id for m in matcher.search(ArticleQuery("en", "routerb"), 5)] == ["modem"]
    # a catalog word used twice is the more frequent one and wins the same tie
    twice = [articles[0], attrs.evolve(articles[1], body="routerx cable")]
    matcher = Bm25Matcher(twice, vocabulary=vocabulary, assumed_platform=None)
    assert [m.id for m in matcher.search(ArticleQuery("en", "routerb"), 5)] == ["routerx"]


FILTERED = [
    Article(
        id="fits", locale="en", title="Quarantine restore", url="https://x/1", products=("plus",)
    ),
    Article(
        id="other", locale="en", title="Quarantine restore", url="https://x/2", products=("vpn",)
    ),
    Article(id="any", locale="en", title="Quarantine", url="https://x/3"),
]


@pytest.mark.parametrize(
    ("rule", "effects"),
    [
        (FilterRule("boost", 1.6), {"fits": 1.6, "other": 1.0, "any": 1.6}),
        (FilterRule("only"), {"fits": 1.0, "other": 0.0, "any": 1.0}),
    ],
)
def test_explain_gives_each_answer_its_effect_on_the_article(
    rule: FilterRule, effects: dict[str, float]
) -> None:
    matcher = Bm25Matcher(FILTERED, filters={"product": rule}, assumed_platform=None)
    query = ArticleQuery(locale="en", text="quarantine", product="plus")
    for article_id, effect in effects.items():
        (applied,) = matcher.explain(query, article_id).filters
        assert (applied.name, applied.mode) == ("product", rule.mode)
        assert applied.fits == (article_id != "other")
        assert applied.effect == effect


def test_explain_says_which_query_words_each_term_came_from_and_the_threshold() -> None:
    matcher = Bm25Matcher(FILTERED, min_score=0.25, assumed_platform=None)
    explained = matcher.explain(ArticleQuery(locale="en", text="restore the quarantine"), "fits")
    # "the" is a stop word: the words are numbered as read, without it
    assert {term.term: term.positions for term in explained.terms} == {
        analyse("restore")[0]: (0,),
        analyse("quarantine")[0]: (1,),
    }
    assert explained.threshold == 0.25
    assert explained.shown
