"""Article catalogs read from files: every field, refused duplicates and schema mistakes with
their place, several files merged; and the quality figures over labelled queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from kl_contact import Article, DefinitionError
from kl_contact.articles.catalog import load_catalog, parse_catalog
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import ArticleQuery
from kl_contact.articles.quality import LabelledQuery, Quality, evaluate, load_queries, main

FULL = """format: 1
articles:
  - id: scan-stops
    locale: en
    title: Scan stops halfway
    url: https://example.com/kb/scan-stops
    summary: Why a scan stops and how to finish it.
    body: Restart the scan after the update.
    keywords: [scan, stops]
    topic: scan-stops
    products: [plus]
    categories: [scan]
    platforms: [windows]
    updated: "2026-11-01"
  - id: plain
    locale: ru
    title: Просто статья
    url: https://example.com/kb/plain
"""


def test_every_field_of_an_article_is_read() -> None:
    full, plain = parse_catalog(FULL, source="kb.yaml")
    assert full == Article(
        id="scan-stops",
        locale="en",
        title="Scan stops halfway",
        url="https://example.com/kb/scan-stops",
        summary="Why a scan stops and how to finish it.",
        body="Restart the scan after the update.",
        keywords=("scan", "stops"),
        topic="scan-stops",
        products=("plus",),
        categories=("scan",),
        platforms=("windows",),
        updated="2026-11-01",
    )
    assert plain == Article(
        id="plain", locale="ru", title="Просто статья", url="https://example.com/kb/plain"
    )


def test_a_duplicate_id_in_one_file_is_refused_at_its_place() -> None:
    text = FULL.replace("  - id: plain\n", "  - id: scan-stops\n")
    with pytest.raises(DefinitionError) as excinfo:
        parse_catalog(text, source="kb.yaml")
    error = excinfo.value
    assert (error.code, error.source, error.path) == (
        "id.duplicate",
        "kb.yaml",
        ("articles", 1, "id"),
    )
    assert error.line == text.splitlines().index("  - id: scan-stops", 3) + 1
    assert "duplicate article id 'scan-stops'" in str(error)


def test_a_schema_mistake_is_refused_at_its_place() -> None:
    text = FULL.replace("    url: https://example.com/kb/plain\n", "")
    with pytest.raises(DefinitionError) as excinfo:
        parse_catalog(text, source="kb.yaml")
    error = excinfo.value
    assert error.code.startswith("schema.")
    assert error.path == ("articles", 1)
    assert "url" in str(error)


def test_several_files_merge_and_ids_stay_unique_across_them(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(FULL, "utf-8")
    second.write_text(FULL.replace("scan-stops", "other").replace("id: plain", "id: more"), "utf-8")
    assert [a.id for a in load_catalog(first, second)] == ["scan-stops", "plain", "other", "more"]
    with pytest.raises(DefinitionError) as excinfo:
        load_catalog(first, first)
    assert (excinfo.value.code, excinfo.value.source) == ("id.duplicate", str(first))
    assert "'scan-stops' is already defined in another catalog file" in str(excinfo.value)


def _query(text: str, relevant: tuple[str, ...]) -> LabelledQuery:
    return LabelledQuery(id=text, query=ArticleQuery(locale="en", text=text), relevant=relevant)


def test_quality_scores_the_first_five_matches() -> None:
    articles = [
        Article(
            id=f"a{n}",
            locale="en",
            title=f"scan number {n}",
            url=f"https://e.com/{n}",
            body="scan " * n,
        )
        for n in range(1, 8)
    ]
    matcher = Bm25Matcher(articles)
    found = [m.id for m in matcher.search(ArticleQuery(locale="en", text="scan"), 7)]
    sixth = found[5]
    quality = evaluate(matcher, [_query("scan", (found[1],)), _query("scan", (sixth,))])
    assert quality.k == 5
    assert quality.queries == 2
    assert quality.mrr == pytest.approx((1 / 2 + 0) / 2)
    assert quality.recall == pytest.approx(0.5)
    assert quality.misses == ("scan",)


def test_quality_of_no_queries_is_zero() -> None:
    assert evaluate(Bm25Matcher([]), []) == Quality(k=5, queries=0, mrr=0.0, recall=0.0)


def test_labelled_queries_are_read_with_their_answers(tmp_path: Path) -> None:
    path = tmp_path / "queries.yaml"
    path.write_text(
        "format: 1\nqueries:\n"
        "  - {id: q1, locale: en, text: scan stops, product: plus, category: scan,"
        " platform: windows, relevant: [a1]}\n"
        "  - {id: q2, locale: ru, relevant: [a2, a3]}\n",
        "utf-8",
    )
    first, second = load_queries(path)
    assert first.query == ArticleQuery(
        locale="en", text="scan stops", product="plus", category="scan", platform="windows"
    )
    assert (second.query.text, second.relevant) == ("", ("a2", "a3"))


def test_the_quality_report_prints_each_locale_and_the_misses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "queries.yaml"
    path.write_text(
        "format: 1\nqueries:\n"
        "  - {id: q-en, locale: en, text: activation code is not accepted,"
        " relevant: [activation-code-invalid-en]}\n"
        "  - {id: q-ru, locale: ru, text: xyzzy, relevant: [no-such-article]}\n",
        "utf-8",
    )
    assert main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # the BM25 baselines, when installed, print their columns after ours
    assert lines[0].split()[:4] == ["part", "locale", "count", "ours"]
    assert set(lines[0].split()[4:]) <= {"bm25s", "rank_bm25"}
    assert lines[1].split()[:3] == ["hit@3", "MRR@5", "zero"]
    assert lines[2].split()[:6] == ["with_answers", "en", "1", "1.000", "1.000", "0.000"]
    assert lines[3].split()[:6] == ["with_answers", "ru", "1", "0.000", "0.000", "1.000"]
    assert "no relevant article in the first 5: q-ru" in lines


def test_the_quality_report_needs_query_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert capsys.readouterr().err == "no labelled query files given\n"


def test_fields_left_out_of_the_weights_are_not_searched() -> None:
    articles = [
        Article(id="in-title", locale="en", title="Firewall blocks games", url="https://e.com/1"),
        Article(id="in-body", locale="en", title="Other", url="https://e.com/2", body="firewall"),
    ]
    query = ArticleQuery(locale="en", text="firewall")
    titles_only = Bm25Matcher(articles, field_weights={"title": 3.0})
    assert [m.id for m in titles_only.search(query, 5)] == ["in-title"]
    assert {m.id for m in Bm25Matcher(articles).search(query, 5)} == {"in-title", "in-body"}


def test_a_word_found_only_in_the_body_is_given_as_the_reason() -> None:
    articles = [
        Article(id="in-body", locale="en", title="Other", url="https://e.com/2", body="firewall")
    ]
    (match,) = Bm25Matcher(articles).search(ArticleQuery(locale="en", text="firewall"), 5)
    assert match.reasons == ("term:firewal",)  # the stem the catalog and the query share


def test_two_letter_words_are_terms_and_single_letters_are_not() -> None:
    from kl_contact.articles.analysis import analyse

    assert analyse("my tv x") == ["tv"]


def test_the_quality_report_reads_the_labelled_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tests" / "articles" / "labelled"
    folder.mkdir(parents=True)
    (folder / "en.yaml").write_text(
        "format: 1\nqueries:\n"
        "  - {id: q-en, locale: en, text: activation code is not accepted,"
        " relevant: [activation-code-invalid-en]}\n"
        "off_domain:\n  - {id: off-en, locale: en, text: who won the oscars}\n",
        "utf-8",
    )
    (folder / "notes.txt").write_text("not a query file", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[:3] == ["with_answers", "en", "1"]
    assert lines[3].split()[:4] == ["off_domain", "en", "1", "0.000"]
    # the line after the figures says what the off-domain figure means
    assert lines[4] == "(off_domain: share of queries that found anything; should be 0)"


class _Overlap:
    """A stand-in BM25 library: a document scores how many of the query's tokens it holds."""

    def __init__(self, corpus: list[list[str]] | None = None) -> None:
        self.corpus = corpus or []

    def index(self, corpus: list[list[str]], show_progress: bool = True) -> None:
        self.corpus = corpus

    def get_scores(self, terms: list[str]) -> list[float]:
        return [float(sum(t in doc for t in terms)) for doc in self.corpus]


@pytest.mark.parametrize(("installed", "missing"), [("rank_bm25", "bm25s"), ("bm25s", "rank_bm25")])
def test_the_quality_report_puts_a_baseline_beside_the_matcher(
    installed: str,
    missing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys
    import types

    library = types.SimpleNamespace(BM25Okapi=_Overlap, BM25=_Overlap)
    monkeypatch.setitem(sys.modules, missing, None)  # not installed
    monkeypatch.setitem(sys.modules, installed, library)
    path = tmp_path / "queries.yaml"
    path.write_text(
        "format: 1\nqueries:\n"
        "  - {id: q-en, locale: en, text: activation code is not accepted,"
        " relevant: [activation-code-invalid-en]}\n",
        "utf-8",
    )
    assert main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[3:] == ["ours", installed]
    cells = lines[2].split()
    assert cells[:3] == ["with_answers", "en", "1"]
    # the baseline found something (zero 0.000) for the query
    assert cells[-1] == "0.000"


def test_the_sample_vocabulary_is_the_shipped_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources

    from kl_contact.articles import catalog
    from kl_contact.articles.vocabulary import parse_vocabulary

    monkeypatch.setattr(catalog, "_sample_vocabulary", None)  # read it again
    shipped = resources.files("kl_contact.articles").joinpath("sample", "vocabulary.yaml")
    assert catalog.sample_vocabulary() == parse_vocabulary(shipped.read_bytes())
