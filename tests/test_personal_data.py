"""Personal data never shows in repr, str, logs or exception messages."""

from __future__ import annotations

import logging

import pytest

from conftest import DETAILS, PHONE, walk
from kl_contact import Engine, Next, Send, UsageError

SECRETS = (DETAILS["name"], DETAILS["email"], PHONE)


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_reprs_of_sessions_tickets_events_and_views_hide_contact_details(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    transitions = walk(engine, "phone", "en")
    final = transitions[-1]
    ticket = final.session.submission.ticket  # type: ignore[union-attr]
    assert ticket.contact.email == DETAILS["email"]  # the data is there ...
    objects: list[object] = [final.session, final.view, ticket, ticket.contact, ticket.redacted()]
    objects += [e for t in transitions for e in t.effects]
    objects += [Send(dict(DETAILS, phone=PHONE)), Next({"subject": DETAILS["name"]})]
    objects += list(ticket.answers)
    with caplog.at_level(logging.DEBUG):
        for obj in objects:
            logging.getLogger("kl_contact.test").info("object: %r / %s", obj, obj)
            _assert_clean(repr(obj))  # ... but not in any repr
            _assert_clean(str(obj))
    _assert_clean(caplog.text)
    redacted = ticket.redacted()
    _assert_clean(repr(redacted.__dict__ if hasattr(redacted, "__dict__") else ""))
    for answer in redacted.answers:
        _assert_clean(str(answer.value))
    assert redacted.contact.email == "<redacted>"


def test_exception_messages_hold_no_user_text(engine: Engine) -> None:
    final = walk(engine, "email", "en")[-1]
    with pytest.raises(UsageError) as excinfo:
        engine.handle(final.session, Send(dict(DETAILS)), final.session.updated_at)
    _assert_clean(str(excinfo.value))
