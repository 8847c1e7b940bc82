"""The vocabulary file: checked by its schema, compiled to phrases that meet inflected forms."""

from __future__ import annotations

import pytest

from kl_contact.articles.analysis import terms_with_words
from kl_contact.articles.catalog import sample_vocabulary
from kl_contact.articles.vocabulary import Phrases, parse_vocabulary
from kl_contact.errors import DefinitionError

GOOD = """
format: 1
synonyms:
  ru:
    - [аккаунт, учетная запись, учётка]
  en:
    - [account, profile]
aliases:
  - {canonical: kaspersky, variants: [касперский, kasper]}
"""


def test_the_sample_vocabulary_loads() -> None:
    vocabulary = sample_vocabulary()
    assert vocabulary.synonyms["ru"]
    assert vocabulary.aliases


def test_phrases_meet_inflected_forms_and_aliases_come_first() -> None:
    phrases = Phrases(parse_vocabulary(GOOD), "ru")
    items = [(t, w, w) for t, w in terms_with_words("не помню учётной записи касперского")]
    got = {term: kinds for term, _, kinds in phrases.apply(items)}
    assert got["=аккаунт"] == ("synonym",)
    assert got["kasperski"] == ("alias",)
    assert len(phrases) == 5  # three synonyms, two alias spellings


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("format: 1\nsynonyms: {ru: [[one]]}\n", "schema.minItems"),
        ("format: 2\n", "schema.const"),
        ("format: 1\naliases: [{canonical: x}]\n", "schema.required"),
        ("format: 1\nsynonyms: {ru: [[и, а]]}\n", "synonym.empty"),
        ("format: 1\naliases: [{canonical: kaspersky, variants: [the]}]\n", "alias.empty"),
    ],
)
def test_a_broken_vocabulary_names_file_line_and_code(text: str, code: str) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_vocabulary(text, source="vocabulary.yaml")
    assert raised.value.code == code
    assert "vocabulary.yaml" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            "format: 1\naliases: [{canonical: the, variants: [kasper]}]\n",
            ("aliases", 0, "canonical"),
        ),
        (
            "format: 1\naliases: [{canonical: kaspersky, variants: [kasper]},"
            " {canonical: vpn, variants: [secure connection, a]}]\n",
            ("aliases", 1, "variants", 1),
        ),
        (
            "format: 1\nsynonyms: {en: [[scan, check removable drive usb stick slowly twice]]}\n",
            ("synonyms", "en", 0, 1),
        ),
    ],
)
def test_a_refused_phrase_is_pointed_at_where_it_stands(
    text: str, path: tuple[object, ...]
) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_vocabulary(text, source="vocabulary.yaml")
    assert raised.value.path == path


def test_a_phrase_of_six_words_is_the_longest_accepted() -> None:
    six = "check removable drive usb stick slowly"
    vocabulary = parse_vocabulary(
        f"format: 1\nsynonyms: {{en: [[scan, {six}]]}}\n"
        f"aliases: [{{canonical: kaspersky, variants: [{six}]}}]\n"
    )
    assert vocabulary.synonyms["en"] == (("scan", six),)
    assert vocabulary.aliases[0].variants == (six,)
