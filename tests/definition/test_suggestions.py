"""Lint findings a person can act on: the nearest known name, rules in words, a or an."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact.definition.lint import lint_text
from kl_contact.definition.suggestions import closest, did_you_mean, with_article
from kl_contact.schemas import PATTERN_MEANINGS, SCHEMA_NAMES, load_schema

DEFAULT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def _findings(old: str, new: str) -> list[str]:
    assert old in DEFAULT
    return [str(f) for f in lint_text(DEFAULT.replace(old, new, 1), "w.yaml")]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("to: details", "to: detials", "ref.unknown_step: unknown step 'detials'"),
        ("{answer: category, equals: other}", "{answer: categroy, equals: other}", "'category'"),
        ("{channel: phone}\n", "{channel: phnoe}\n", "did you mean 'phone'?"),
        ("equals: other}", "equals: othre}", "did you mean 'other'?"),
        ("kind: articles", "kind: artciles", "did you mean 'articles'?"),
        ("        min_length: 5\n", "        min_lenght: 5\n", "did you mean 'min_length'?"),
        ("title: {ru: Форум, en: Forum}", "title: {ru: Форум, en: Forum, eng: x}", "'en'"),
    ],
)
def test_a_misspelt_name_gets_the_nearest_known_one(old: str, new: str, expected: str) -> None:
    found = _findings(old, new)
    assert any(expected in f and "hint: did you mean" in f for f in found), found


def test_a_key_slipped_under_a_text_is_told_to_move_out() -> None:
    found = _findings(
        "          en: I agree to the processing of my personal data to answer my request.\n",
        "          en: I agree to the processing of my personal data to answer my request.\n"
        "          required: true\n",
    )
    first = found[0]
    assert "schema.pattern: key is not a locale code" in first
    assert "(at steps[4].questions[5].label.required)" in first
    assert "a text's keys are locale codes (ru, en)" in first
    assert "if 'required' belongs to the question, move it one level out" in first
    assert "(?!" not in "".join(found)  # no regular expression is shown


def test_a_bad_id_is_explained_in_words() -> None:
    [finding] = _findings("  - id: faq\n", "  - id: FAQ\n")
    assert "not an id: a lowercase letter, then up to 63 lowercase letters" in finding
    assert "^[a-z]" not in finding


def test_an_en_entry() -> None:
    found = _findings("title: {ru: Форум, en: Forum}", "title: {ru: Форум}")
    assert any("hint: add an 'en' entry" in f for f in found), found
    assert with_article("'ru'") == "a 'ru'"
    assert with_article("email") == "an email"
    assert with_article("request") == "a request"


def _patterns(node: Any) -> set[str]:
    """Every ``pattern`` keyword in a schema (examples are data, not schema)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for key, value in node.items():
            if key != "examples":
                found |= _patterns(value)
    elif isinstance(node, list):
        for item in node:
            found |= _patterns(item)
    return found


def test_every_pattern_of_the_shipped_schemas_is_said_in_words() -> None:
    every = set().union(*(_patterns(load_schema(name)) for name in SCHEMA_NAMES))
    assert every, "the schemas have patterns"
    assert every - set(PATTERN_MEANINGS) == set()
    assert all("(?!" not in meaning for meaning in PATTERN_MEANINGS.values())
    assert json.dumps(PATTERN_MEANINGS)  # plain strings


@given(st.text(alphabet="abcdefghij_", min_size=3, max_size=12))
def test_a_name_is_never_suggested_for_itself(word: str) -> None:
    assert closest(word, [word]) is None
    assert did_you_mean(word, [word]) is None
    if len(word) >= 4:
        slipped = word[1] + word[0] + word[2:]  # two letters swapped
        if slipped != word:
            assert closest(slipped, [word, "zzzzzzzzzzzz"]) == word


@pytest.mark.parametrize("key", ["&n", "~", "12", "true"])
def test_a_text_keyed_by_null_or_a_number_gets_findings_not_a_crash(key: str) -> None:
    """Found by fuzz_definition: ``title: {&n: Tiny support}`` has a null key."""
    valid = (Path(__file__).parents[1] / "hostile" / "valid.yaml").read_text("utf-8")
    assert "title: {en: Tiny support}" in valid
    text = valid.replace("title: {en: Tiny support}", f"title: {{{key}: Tiny support}}", 1)
    findings = lint_text(text, "tiny.yaml")
    assert findings
    assert all(f.severity in {"error", "warning"} for f in findings)


def test_two_swapped_neighbours_in_a_short_name_are_still_suggested() -> None:
    assert closest("_aa_", ["a_a_", "zzzzzzzzzzzz"]) == "a_a_"
    assert closest("_ab_", ["b_a_"]) is None  # two letters apart: not a slip
