"""Personal data never shows in repr, str, logs or exception messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import attrs
import pytest

from conftest import DETAILS, NOW, PHONE, walk
from kl_contact import (
    Answer,
    Engine,
    JsonEngine,
    Next,
    Send,
    TicketRejected,
    UsageError,
    dump_session,
    load_session,
)

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


def _reachable(obj: object, seen: set[int] | None = None) -> list[object]:
    """``obj`` and every attrs value inside it (through tuples, lists and mappings)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    found: list[object] = []
    if attrs.has(type(obj)):
        found.append(obj)
        for field in attrs.fields(type(obj)):
            found += _reachable(getattr(obj, field.name), seen)
    elif isinstance(obj, tuple | list):
        for item in obj:
            found += _reachable(item, seen)
    elif isinstance(obj, Mapping):
        for item in obj.values():
            found += _reachable(item, seen)
    return found


def _walks_with_mistakes(engine: Engine) -> Iterator[object]:
    """Every transition, effect and error of walks that use the known contact details,
    including wrong answers, refused events, a rejected ticket and forged documents."""
    for channel in ("email", "chat", "phone"):
        for locale in ("en", "ru"):
            transitions = walk(engine, channel, locale, session_id=f"pii-{channel}-{locale}")
            yield from transitions
            on_request = transitions[5].session
            wrong = dict(DETAILS, email=DETAILS["name"], phone=DETAILS["email"])
            yield engine.handle(on_request, Send(wrong), NOW)
            yield engine.handle(on_request, Answer({"name": DETAILS["name"] + "\n"}), NOW)
            sent = engine.handle(on_request, Send(dict(DETAILS, phone=PHONE)), NOW)
            submission = sent.session.submission
            assert submission is not None
            yield engine.handle(sent.session, TicketRejected(submission.id, "unavailable"), NOW)
            for event in (Send(dict(DETAILS)), Next({"subject": DETAILS["name"]})):
                try:
                    engine.handle(transitions[-1].session, event, NOW)
                except UsageError as error:
                    yield error
            forged = dump_session(on_request)
            forged["step"] = DETAILS["email"]
            request = {"session": forged, "event": {"type": "back"}, "now": NOW.isoformat()}
            yield JsonEngine(engine).handle(request)["error"]
            bad_event = {"type": "send", "answers": {DETAILS["email"]: 12}}
            request = {"session": dump_session(on_request), "event": bad_event, "now": "x"}
            yield JsonEngine(engine).handle(request)["error"]
            try:
                load_session({"id": DETAILS["email"], "answers": DETAILS})
            except UsageError as error:
                yield error


def test_no_string_the_library_produces_for_people_holds_contact_details(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Every repr and str of every value, every log record and every exception message."""
    strings: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for produced in _walks_with_mistakes(engine):
            if isinstance(produced, BaseException):
                strings += [str(produced), repr(produced)]
            elif isinstance(produced, dict):
                strings.append(str(produced.get("message", "")))
            else:
                for value in _reachable(produced):
                    strings += [repr(value), str(value)]
    strings += [record.getMessage() for record in caplog.records]
    assert len(strings) > 1000
    leaks = sorted({s[:40] for s in strings if any(secret in s for secret in SECRETS)})
    assert leaks == [], "\n".join(leaks)
