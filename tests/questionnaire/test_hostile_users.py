"""Hostile users: whatever is typed or uploaded, it is refused as an issue on its own
answer, or kept verbatim and never interpreted, and every other answer stays as given."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, NOW, PHONE, answer_effects, on_request_step, script, walk
from kl_contact import (
    Attachment,
    Engine,
    Send,
    Transition,
    UsageError,
    default_workflow,
    dump_session,
    load_session,
)
from kl_contact.channels.instructions import render_text
from kl_contact.limits import DEFAULT_LIMITS
from kl_contact.schemas import violations

ENGINE = Engine(default_workflow())


REQUEST = on_request_step(ENGINE)
GOOD: dict[str, Any] = dict(DETAILS, phone=PHONE)


def _send(field: str, value: Any) -> Transition:
    return ENGINE.handle(REQUEST.session, Send(dict(GOOD, **{field: value})), NOW)


def _codes(transition: Transition) -> dict[str | None, str]:
    return {issue.question: issue.code for issue in transition.session.issues}


REFUSED: list[tuple[str, Any, str]] = [
    ("name", "Jane\x00Roe", "answer.control_characters"),
    ("name", "Jane \u202eeoR", "answer.control_characters"),
    (
        "description",
        "Look: \u2066reversed\u2069 text in a long description.",
        "answer.control_characters",
    ),
    ("description", "x" * (DEFAULT_LIMITS.answer_length + 1), "answer.too_long"),
    ("email", "jane@example.org\r\nBcc: victim@example.org", "answer.control_characters"),
    ("email", "ja\u200bne.roe@example.org", "answer.invalid_email"),
    ("email", "jane.roe@exаmple.org", "answer.invalid_email"),  # Cyrillic а in the domain
    ("email", "јane.roe@example.org", "answer.invalid_email"),  # Cyrillic ј in the local part
    ("email", "jane.roe@exam\u00adple.org", "answer.invalid_email"),  # soft hyphen
    ("phone", "+44 20 7946\u200b 0958", "answer.invalid_phone"),
    ("phone", "+44 20 7946 0958\n", "answer.control_characters"),
]


@pytest.mark.parametrize(("field", "value", "code"), REFUSED)
def test_hostile_text_is_an_issue_on_its_answer_and_nothing_is_lost(
    field: str, value: str, code: str
) -> None:
    transition = _send(field, value)
    assert transition.session.status == "active"
    assert _codes(transition) == {field: code}
    assert transition.session.answers[field] == value  # kept as typed, to be corrected
    for other, given_value in GOOD.items():
        if other != field:
            assert transition.session.answers[other] == given_value
    assert transition.effects == ()


def test_russian_and_international_addresses_are_still_accepted() -> None:
    for address in ("ivan@пример.рф", "jane.roe@example.org", "o'neil+kl@mail.example.co.uk"):
        assert _codes(_send("email", address)) == {}


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "C:shot.png",
        "shot\u202egnp.exe",
        "shot.png\x00.exe",
        "CON.png",
        "nul",
        "shot.png.",
        "shot.png ",
        "",
        "x" * 300 + ".png",
    ],
)
def test_path_tricks_in_attachment_names_are_refused(name: str) -> None:
    files = (Attachment(name, "image/png", 1000), Attachment("fine.png", "image/png", 1000))
    transition = _send("screenshots", files)
    issues = [(i.code, i.path) for i in transition.session.issues]
    assert issues == [("attachment.bad_name", ("answers", "screenshots", 0))]
    assert transition.session.answers["screenshots"] == files
    assert transition.session.answers["email"] == GOOD["email"]


def test_a_thousand_attachments_or_options_are_refused_without_losing_answers() -> None:
    files = tuple(Attachment(f"f{i}.png", "image/png", 10) for i in range(1000))
    transition = _send("screenshots", files)
    assert "attachment.too_many" in {i.code for i in transition.session.issues}
    assert transition.session.answers["name"] == GOOD["name"]
    first = ENGINE.start(session_id="s-2", now=NOW, locale="en")
    session = first.session
    for event in script("email", "en")[:2]:
        session = ENGINE.handle(session, event, NOW).session
    from kl_contact import Next

    many = tuple(f"option-{i}" for i in range(1000))
    after = ENGINE.handle(session, Next({"product": many, "subject": "Hello there"}), NOW)
    assert after.session.answers["subject"] == "Hello there"
    assert {i.question: i.code for i in after.session.issues}["product"] == "answer.wrong_type"
    # past Limits.answer_items the event is no user's slip: it is refused whole, unread
    with pytest.raises(UsageError) as refused:
        ENGINE.handle(session, Next({"product": many * 10, "subject": "Hello there"}), NOW)
    assert refused.value.code == "limit.answer_items"


MARKUP = [
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "{request_number}{email}{0.__class__}",
    "%s%s%n",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("markup", MARKUP)
def test_script_and_html_are_kept_verbatim_and_never_interpreted(markup: str) -> None:
    """The library produces data, not markup: a frontend escapes on output. What it renders
    itself (instructions, placeholders) never expands what a user typed."""
    answers = dict(GOOD, description=f"It fails: {markup} every time I start it.")
    answers["name"] = markup
    transitions = walk(ENGINE, "phone", "en")
    session = transitions[5].session
    sent = ENGINE.handle(session, Send(answers), NOW + timedelta(minutes=1))
    confirmed = list(answer_effects(ENGINE, sent, NOW))[-1]
    ticket = confirmed.session.submission.ticket  # type: ignore[union-attr]
    assert ticket.contact.name == markup
    assert markup in ticket.description
    document = json.loads(json.dumps(dump_session(confirmed.session)))
    assert load_session(document) == confirmed.session
    assert not list(violations("session", document))
    instructions = confirmed.view.confirmation.instructions  # type: ignore[union-attr]
    text = render_text(instructions)
    assert markup not in text  # the instructions carry the address and number only
    assert GOOD["email"] in text


def test_placeholders_in_an_address_are_not_expanded_again() -> None:
    address = "{request_number}@example.org"
    answers = dict(GOOD, email=address)
    session = walk(ENGINE, "email", "en")[5].session
    sent = ENGINE.handle(session, Send(answers), NOW)
    confirmed = list(answer_effects(ENGINE, sent, NOW))[-1]
    text = render_text(confirmed.view.confirmation.instructions)  # type: ignore[union-attr]
    assert address in text


hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
) | st.sampled_from([m for _, m, _ in REFUSED if len(m) < 1000] + MARKUP)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(["description", "name", "email", "phone"]), value=hostile_text)
def test_any_text_in_any_field_keeps_the_other_answers(field: str, value: str) -> None:
    transition = _send(field, value)
    for other, given_value in GOOD.items():
        if other != field:
            assert transition.session.answers[other] == given_value
    assert transition.session.answers[field] == value
    assert set(_codes(transition)) <= {field}
    if transition.session.status == "submitting":
        assert _codes(transition) == {}
    assert not list(violations("session", dump_session(transition.session)))
