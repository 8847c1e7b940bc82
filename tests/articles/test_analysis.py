"""Normalisation and the second chances a query word gets: every case a user types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact.articles.analysis import analyse, normalise, transliterations, words
from kl_contact.articles.catalog import sample_catalog, sample_vocabulary
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import ArticleQuery

MATCHER = Bm25Matcher(sample_catalog(), vocabulary=sample_vocabulary())


def first(locale: str, text: str) -> list[str]:
    return [m.id for m in MATCHER.search(ArticleQuery(locale=locale, text=text), 3)]


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("ＶＰＮ", "vpn"),  # fullwidth letters (NFKC)
        ("ＫＡＳＰＥＲＳＫＹ", "kaspersky"),
        ("ЁЖИК Ёлка", "ежик елка"),  # case and ё
        ("STRASSE Straße", "strasse strasse"),  # full case folding
        ("приве\u0301т", "привет"),  # a combining stress mark
        ("cafe\u0301", "cafe"),  # a combining accent
        ("йод", "йод"),  # the breve of й stays
        ("wi\u2011fi", "wi-fi"),  # a non-breaking hyphen
    ],
)
def test_normalisation(typed: str, plain: str) -> None:
    assert normalise(typed) == plain


def test_a_combining_mark_no_longer_splits_a_word() -> None:
    assert list(words("приве\u0301т")) == ["привет"]
    assert analyse("ａｃｔｉｖａｔｉｏｎ") == analyse("activation")


def test_hyphenated_words_give_the_joined_word_and_its_parts() -> None:
    assert list(words("wi-fi vpn-сервис")) == ["wifi", "-wi", "-fi", "vpnсервис", "-vpn", "-сервис"]
    assert "wifi" in analyse("wi-fi")


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


def test_transliteration_both_ways() -> None:
    assert transliterations("aktivaciya")[0] == "активация"
    assert "kaspersky" in transliterations("касперский")
    assert transliterations("впн") == ["vpn"]
    assert transliterations("123") == []


@pytest.mark.parametrize(
    ("locale", "noisy", "clean"),
    [
        ("ru", "активироват прогамму", "активировать программу"),  # typos
        ("ru", "aktivaciya litsenzii", "активация лицензии"),  # Latin spelling of Russian
        ("ru", "касперский впн", "kaspersky vpn"),  # a brand in Cyrillic
        ("ru", "не могу войти в учётку", "не могу войти в учетную запись"),  # synonym
        ("en", "ｖｐｎ not connecting", "vpn not connecting"),  # fullwidth
        ("en", "pasword manger", "password manager"),  # typos
        ("en", "antivirusprogram", "antivirus program"),  # run together
        ("en", "wi-fi is slow with vpn", "wifi is slow with vpn"),  # hyphenated
    ],
)
def test_noisy_queries_find_what_clean_ones_find(locale: str, noisy: str, clean: str) -> None:
    found, wanted = first(locale, noisy), first(locale, clean)
    assert found
    assert found[0] in wanted


def test_off_domain_queries_find_nothing() -> None:
    assert first("en", "weather forecast") == []
    assert first("ru", "рецепт борща") == []


def test_explain_says_what_was_corrected_and_where_terms_matched() -> None:
    query = ArticleQuery(locale="ru", text="касперский впн не подключаеться", product="vpn")
    best = MATCHER.search(query, 1)[0]
    explained = MATCHER.explain(query, best.id)
    assert explained.relevance == best.score
    how = {name for term in explained.terms for name in term.how}
    assert "alias" in how
    assert "typo" in how
    scored = [term for term in explained.terms if term.score > 0]
    assert scored
    for term in scored:
        assert sum(f.score for f in term.fields) == pytest.approx(term.score)
        assert {f.field for f in term.fields} <= {"title", "keywords", "summary", "body"}
    assert sum(t.score for t in explained.terms) == pytest.approx(explained.bm25)
    (applied,) = explained.filters
    assert (applied.name, applied.mode) == ("product", "boost")
    assert explained.shown
    assert "касперский" not in repr(explained)
    missing = MATCHER.explain(query, "no-such-article")
    assert missing.relevance == 0.0
    assert not missing.shown


def test_the_compiled_stemmer_and_the_pure_one_give_the_same_stems() -> None:
    # With PyStemmer installed (the `fast` extra) snowballstemmer hands out its compiled
    # stemmers; an index built by one and a query stemmed by the other must still meet.
    import Stemmer as compiled  # type: ignore[import-not-found]  # the dev extra has it
    from snowballstemmer.english_stemmer import EnglishStemmer  # type: ignore[import-untyped]
    from snowballstemmer.russian_stemmer import RussianStemmer  # type: ignore[import-untyped]

    pure = {"en": EnglishStemmer(), "ru": RussianStemmer()}
    fast = {"en": compiled.Stemmer("english"), "ru": compiled.Stemmer("russian")}
    seen = {
        (article.locale, word)
        for article in sample_catalog()
        for word in words(f"{article.title} {article.body}")
    }
    assert len(seen) > 1000
    differ = [w for loc, w in seen if pure[loc].stemWord(w) != fast[loc].stemWord(w)]
    assert not differ, f"{len(differ)} words stem differently"


def test_a_latin_letter_without_a_cyrillic_spelling_is_kept_as_typed() -> None:
    import signal

    def stop(*_: object) -> None:
        raise TimeoutError("transliteration did not finish")

    # the transliteration reads its input left to right and must come to its end
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        assert transliterations("vpN")[0] == "впN"
        assert transliterations("Bk")[0] == "Bк"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
