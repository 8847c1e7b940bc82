"""The labelled query set of tests/articles/labelled/ is well formed.

`make quality` measures the matcher on these files, so a mislabelled id, a query that the
questionnaire could never produce or a silently shrunken part would make its figures lie.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from kl_contact import default_workflow
from kl_contact.articles.catalog import sample_catalog
from kl_contact.articles.quality import load_queries
from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.definition.model import Question

FOLDER = Path(__file__).parent / "labelled"
LOCALES = ("ru", "en")
PARTS = {"with_answers", "free_text"}
NOISE = {"ru": {"typo", "translit", "synonym", "brand"}, "en": {"typo", "synonym", "brand"}}
QUERY_KEYS = {"id", "locale", "part", "text", "product", "category", "platform", "relevant"}
ANSWER_ROLES = ("product", "category", "platform")


def _document(locale: str) -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / f"{locale}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _questions() -> dict[str, Question]:
    by_role = {}
    for step in default_workflow().steps:
        for question in step.questions:
            if question.role is not None and str(question.role) in ANSWER_ROLES:
                by_role[str(question.role)] = question
    assert set(by_role) == set(ANSWER_ROLES)
    return by_role


@pytest.fixture(scope="module")
def catalog_ids() -> set[str]:
    return {article.id for article in sample_catalog()}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_file_has_the_parts_and_sizes_the_quality_report_relies_on(locale: str) -> None:
    data = _document(locale)
    assert data["format"] == 1
    queries = data["queries"]
    parts = Counter(q["part"] for q in queries)
    assert set(parts) == PARTS
    assert len(queries) >= 150
    assert parts["free_text"] >= 75
    assert parts["with_answers"] >= 50
    assert sum(1 for q in queries if q.get("noise")) >= 50
    assert len(data["off_domain"]) >= 15


@pytest.mark.parametrize("locale", LOCALES)
def test_every_query_is_shaped_like_the_loader_expects(locale: str) -> None:
    data = _document(locale)
    for query in [*data["queries"], *(data.get("unanswerable") or [])]:
        assert QUERY_KEYS <= set(query) <= QUERY_KEYS | {"noise"}, query["id"]
        assert query["locale"] == locale, query["id"]
        assert query["part"] in PARTS, query["id"]
        assert isinstance(query["text"], str), query["id"]
        assert query["text"].strip(), query["id"]
        noise = query.get("noise")
        if noise is not None:
            assert query["part"] == "free_text", query["id"]
            assert noise, query["id"]
            assert len(set(noise)) == len(noise), query["id"]
            assert set(noise) <= NOISE[locale], query["id"]
        if query["part"] == "free_text":
            assert all(query[role] is None for role in ANSWER_ROLES), query["id"]
            assert 2 <= len(query["text"].split()) <= 12, query["id"]
    for query in data["off_domain"]:
        assert set(query) == {"id", "locale", "text"}, query["id"]
        assert query["locale"] == locale, query["id"]
        assert query["text"].strip(), query["id"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_answers_are_ones_the_questionnaire_can_give(locale: str) -> None:
    questions = _questions()
    for query in _document(locale)["queries"]:
        answers = {role: query[role] for role in ANSWER_ROLES if query[role] is not None}
        context = ConditionContext(answers=answers, channel=None, locale=locale)
        for role, value in answers.items():
            offered = {
                option.id for option in questions[role].options if evaluate(option.when, context)
            }
            assert value in offered, (query["id"], role, value)
        if query["part"] == "with_answers":
            assert "category" in answers, query["id"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_relevant_article_exists_in_the_catalog(locale: str, catalog_ids: set[str]) -> None:
    data = _document(locale)
    for query in data["queries"]:
        relevant = query["relevant"]
        assert relevant, f"{query['id']} has no relevant article; list it as unanswerable"
        assert len(set(relevant)) == len(relevant), query["id"]
        assert all(article.endswith(f"-{locale}") for article in relevant), query["id"]
        missing = sorted(set(relevant) - catalog_ids)
        assert not missing, (query["id"], missing)
    for query in data.get("unanswerable") or []:
        assert query["relevant"] == [], query["id"]


def test_query_ids_are_unique_across_both_files() -> None:
    ids = [
        query["id"]
        for locale in LOCALES
        for key in ("queries", "unanswerable", "off_domain")
        for query in _document(locale).get(key) or []
    ]
    assert [qid for qid, count in Counter(ids).items() if count > 1] == []


def test_no_query_text_is_repeated_within_a_locale() -> None:
    for locale in LOCALES:
        data = _document(locale)
        texts = [
            " ".join(q["text"].casefold().split())
            for key in ("queries", "unanswerable", "off_domain")
            for q in data.get(key) or []
        ]
        assert [t for t, count in Counter(texts).items() if count > 1] == [], locale


def test_the_quality_loader_reads_the_files_unchanged() -> None:
    for locale in LOCALES:
        path = FOLDER / f"{locale}.yaml"
        raw = _document(locale)["queries"]
        loaded = load_queries(path)
        assert [q.id for q in loaded] == [q["id"] for q in raw]
        for labelled, query in zip(loaded, raw, strict=True):
            assert labelled.query.locale == locale
            assert labelled.query.text == query["text"]
            assert labelled.query.product == query["product"]
            assert labelled.query.category == query["category"]
            assert labelled.query.platform == query["platform"]
            assert labelled.relevant == tuple(query["relevant"])
