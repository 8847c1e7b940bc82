"""What a reader sees is what counts, and what cannot be stored is refused on its own answer.

Zero-width and other invisible characters neither make a blank answer given nor make a
short one long enough; a lone surrogate (a JSON ``\\ud800`` escape, which no keyboard types)
is refused with ``answer.not_encodable`` before any file, letter or token has to hold it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conftest import DETAILS, NOW, PHONE, on_request_step
from kl_contact import Attachment, Engine, Send, default_workflow
from kl_contact._text import encodable, visible_length

ENGINE = Engine(default_workflow())

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\u2800"
"""Zero-width space, non-joiner and joiner, word joiner, byte order mark, soft hyphen, the
Mongolian vowel separator, the Hangul filler and the blank Braille pattern."""

LONE_SURROGATES = st.integers(min_value=0xD800, max_value=0xDFFF).map(chr)


REQUEST = on_request_step(ENGINE)
GOOD: dict[str, Any] = dict(DETAILS, phone=PHONE)


def _codes(**changed: Any) -> dict[str | None, str]:
    after = ENGINE.handle(REQUEST.session, Send(dict(GOOD, **changed)), NOW)
    return {issue.question: issue.code for issue in after.session.issues}


def _sprinkle(text: str, marks: list[tuple[int, str]]) -> str:
    out = list(text)
    for position, mark in sorted(marks, reverse=True):
        out.insert(position % (len(out) + 1), mark)
    return "".join(out)


invisible_marks = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10_000), st.sampled_from(INVISIBLE)),
    max_size=60,
)


@given(
    st.text(alphabet=st.characters(categories=["L", "N"]), max_size=40),
    invisible_marks,
)
def test_invisible_characters_never_change_the_visible_length(
    text: str, marks: list[tuple[int, str]]
) -> None:
    assert visible_length(_sprinkle(text, marks)) == visible_length(text) == len(text)


@given(st.sampled_from(["description", "name"]), st.integers(min_value=0, max_value=30),
       invisible_marks)  # fmt: skip
def test_a_text_counts_as_long_as_what_a_reader_sees(
    field: str, visible: int, marks: list[tuple[int, str]]
) -> None:
    """The description needs 20 visible characters; the name needs one."""
    plain = "x" * visible
    assert _codes(**{field: _sprinkle(plain, marks)}).get(field) == _codes(**{field: plain}).get(
        field
    )


def test_zero_width_characters_alone_are_no_answer() -> None:
    assert _codes(name="\u200b\u200d\u2060")["name"] == "answer.required"
    assert _codes(description="\u200b" * 40)["description"] == "answer.required"
    assert _codes(description="\u200b" * 40 + "too short")["description"] == "answer.too_short"


@given(
    st.sampled_from(["description", "name", "email"]),
    st.text(max_size=20),
    LONE_SURROGATES,
    st.text(max_size=20),
)
def test_a_lone_surrogate_is_refused_on_its_own_answer(
    field: str, before: str, surrogate: str, after: str
) -> None:
    value = before + surrogate + after + " a long enough description"
    assert not encodable(value)
    transition = ENGINE.handle(REQUEST.session, Send(dict(GOOD, **{field: value})), NOW)
    codes = {issue.question: issue.code for issue in transition.session.issues}
    assert codes[field] == "answer.not_encodable"
    assert transition.session.answers[field] == value  # kept, for the user to correct
    assert transition.session.submission is None  # and nothing was sent anywhere
    assert {k: transition.session.answers[k] for k in GOOD if k != field} == {
        k: v for k, v in GOOD.items() if k != field
    }


def test_an_attachment_name_with_a_lone_surrogate_is_a_bad_name() -> None:
    files = (Attachment("screen\udc80.png", "image/png", 100),)
    assert _codes(screenshots=files)["screenshots"] == "attachment.bad_name"


def _seen_one_by_one(text: str) -> int:
    """The definition, character by character: drop what prints as nothing, then the blanks
    at either end."""
    import unicodedata

    kept = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
        and ch not in "\u115f\u1160\u3164\uffa0\u2800\u180e"
    )
    return len(kept.strip())


@given(
    st.text(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(list("\n\r\t \u00a0\u2028\u3000" + INVISIBLE)),
        ),
        max_size=40,
    )
)
def test_the_quick_count_of_typed_text_agrees_with_the_definition(text: str) -> None:
    """Multi-line answers with tabs, spaces of every kind and invisible marks are counted as
    the character-by-character rule counts them."""
    assert visible_length(text) == _seen_one_by_one(text)
