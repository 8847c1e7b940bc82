"""The shipped sample catalog: every file of the folder loads, and its articles are complete,
paired across locales and tagged only with what the default workflow asks."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import yaml

from kl_contact import default_workflow
from kl_contact.articles.analysis import analyse
from kl_contact.articles.catalog import SAMPLE_VOCABULARY, parse_catalog, sample_catalog

FOLDER = resources.files("kl_contact.articles").joinpath("sample")
CATALOG_FILES = sorted(
    (e for e in FOLDER.iterdir() if e.name.endswith(".yaml") and e.name != SAMPLE_VOCABULARY),
    key=lambda e: e.name,
)
CATALOG = sample_catalog()
URL_PREFIX = {
    "en": "https://support.kaspersky.com/kb/",
    "ru": "https://support.kaspersky.ru/kb/",
}


def test_every_catalog_file_of_the_folder_is_loaded() -> None:
    assert CATALOG_FILES
    from_files = [a.id for entry in CATALOG_FILES for a in parse_catalog(entry.read_bytes())]
    assert sorted(from_files) == sorted(a.id for a in CATALOG)


def test_the_vocabulary_file_is_not_read_as_articles() -> None:
    assert FOLDER.joinpath(SAMPLE_VOCABULARY).is_file()
    vocabulary = yaml.safe_load(FOLDER.joinpath(SAMPLE_VOCABULARY).read_text(encoding="utf-8"))
    assert "articles" not in vocabulary


def test_each_topic_has_one_article_per_locale() -> None:
    per_topic = Counter((a.topic, a.locale) for a in CATALOG)
    topics = {a.topic for a in CATALOG}
    assert all(per_topic[(t, loc)] == 1 for t in topics for loc in ("en", "ru"))
    for article in CATALOG:
        assert article.id == f"{article.topic}-{article.locale}"


def test_there_are_at_least_300_articles_per_locale() -> None:
    per_locale = Counter(a.locale for a in CATALOG)
    assert per_locale["en"] >= 300
    assert per_locale["ru"] >= 300


def test_articles_use_only_the_default_workflow_answers() -> None:
    questions = default_workflow().questions()
    allowed = {
        field: {o.id for o in questions[field].options}
        for field in ("product", "category", "platform")
    }
    for article in CATALOG:
        assert set(article.products) <= allowed["product"], article.id
        assert set(article.categories) <= allowed["category"], article.id
        assert set(article.platforms) <= allowed["platform"], article.id
        assert article.categories, article.id


def test_articles_are_complete_and_link_to_their_locale_site() -> None:
    for article in CATALOG:
        assert article.url.startswith(URL_PREFIX[article.locale]), article.id
        assert article.summary.strip(), article.id
        assert article.keywords, article.id
        assert 40 <= len(article.body.split()) <= 300, article.id
    assert len({a.title for a in CATALOG}) == len(CATALOG)


def test_the_vocabulary_declares_synonyms_per_locale_and_brand_aliases() -> None:
    vocabulary = yaml.safe_load(FOLDER.joinpath(SAMPLE_VOCABULARY).read_text(encoding="utf-8"))
    assert vocabulary["format"] == 1
    for locale in ("ru", "en"):
        groups = vocabulary["synonyms"][locale]
        assert len(groups) >= 60, locale
        assert all(len(set(group)) == len(group) >= 2 for group in groups), locale
        owner: dict[tuple[str, ...], int] = {}
        for index, group in enumerate(groups):
            for phrase in group:
                terms = tuple(analyse(phrase))
                assert terms, f"{phrase!r} is only stop words"
                assert owner.setdefault(terms, index) == index, f"{phrase!r} is in two groups"
    variants = [v for alias in vocabulary["aliases"] for v in alias["variants"]]
    assert len(variants) == len(set(variants)), "a variant names two canonical forms"
    assert any("касперский" in alias["variants"] for alias in vocabulary["aliases"])
