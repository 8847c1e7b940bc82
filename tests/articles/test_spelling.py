"""The typo index: bounded edits, nearest and most frequent word first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kl_contact.articles.spelling import Speller, edit_distance

VOCABULARY = {"программу": 5, "программа": 2, "activation": 3, "password": 4, "scan": 9}


def test_one_edit_of_each_kind_is_corrected() -> None:
    speller = Speller(VOCABULARY)
    assert speller.correct("прогамму") == ("программу", 1)  # deletion
    assert speller.correct("паssword") is None  # two scripts: too far
    assert speller.correct("pasword") == ("password", 1)
    assert speller.correct("passwrod") == ("password", 1)  # swapped neighbours
    assert speller.correct("actvation") == ("activation", 1)
    assert speller.correct("acctivatiion") == ("activation", 2)  # long words: two edits


def test_short_known_and_far_words_are_left_alone_and_four_letters_suffice() -> None:
    speller = Speller(VOCABULARY)
    assert speller.correct("scam") == ("scan", 1)  # four letters are enough
    assert speller.correct("password") is None  # known
    assert speller.correct("qqqqqqq") is None
    assert speller.correct("sca") is None  # too short
    assert "scan" in speller


@given(st.text(alphabet="abcde", max_size=8), st.text(alphabet="abcde", max_size=8))
def test_distance_is_symmetric_and_bounded(one: str, other: str) -> None:
    assert edit_distance(one, other) == edit_distance(other, one)
    assert edit_distance(one, other) <= 3
    assert (edit_distance(one, other) == 0) == (one == other)


_WORDS = st.text(alphabet="абвгxyz", min_size=3, max_size=7)


@given(st.dictionaries(_WORDS, st.integers(1, 5), min_size=1, max_size=12), _WORDS)
def test_a_short_word_gets_the_nearest_known_word_as_a_full_search_finds_it(
    vocabulary: dict[str, int], typed: str
) -> None:
    # Up to seven letters one edit is allowed: the index must find what comparing the typed
    # word with every known word finds, ties going to the more frequent, then the first.
    near = [
        (edit_distance(typed, word, 1), -count, word)
        for word, count in vocabulary.items()
        if edit_distance(typed, word, 1) <= 1
    ]
    expected = None
    if len(typed) >= 4 and typed not in vocabulary and near:
        distance, _, word = min(near)
        expected = (word, distance)
    assert Speller(vocabulary).correct(typed) == expected


def test_words_that_share_a_spelling_with_one_letter_deleted_are_all_candidates() -> None:
    # "scanned", "scanner" and "scannel" are all "scanne" with a letter deleted: each stays
    # a candidate, and the most frequent of the equally near ones wins, whatever the order
    assert Speller({"scanned": 3, "scanner": 1}).correct("scannex") == ("scanned", 1)
    assert Speller({"scanner": 1, "scanned": 3}).correct("scannex") == ("scanned", 1)
    assert Speller({"scannel": 1, "scanned": 3, "scanner": 1}).correct("scannex") == (
        "scanned",
        1,
    )
    assert Speller({"scanned": 1, "scannel": 1, "scanner": 4}).correct("scannex") == (
        "scanner",
        1,
    )


def test_swapping_the_first_two_letters_is_one_edit() -> None:
    assert edit_distance("rpogram", "program") == 1
    assert edit_distance("ba", "ab") == 1
    assert Speller({"program": 1}).correct("rpogram") == ("program", 1)
