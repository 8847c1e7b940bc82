"""Personal data never shows in repr, str, logs or exception messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, NOW, PHONE, QUESTION_ANSWERS, walk
from kl_contact import (
    Answer,
    Attachment,
    ChooseChannel,
    Continue,
    Engine,
    JsonEngine,
    Next,
    Revalidation,
    Send,
    TicketRejected,
    UsageError,
    default_workflow,
    dump_session,
    load_event,
    load_session,
)
from kl_contact.messages import MESSAGES

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
    # The built-in phone hints quote the same fictional number the fixtures type.
    hints = [text for texts in MESSAGES.values() for text in texts.values() if PHONE in text]
    for hint in hints:
        strings = [s.replace(hint, "") for s in strings]
    leaks = sorted({s[:40] for s in strings if any(secret in s for secret in SECRETS)})
    assert leaks == [], "\n".join(leaks)


# ---------------------------------------------------------------- one known person, everywhere

PERSON = {"name": "Jane Roe", "email": "Jane.Roe@Example.ORG", "phone": "+44 20 7946 0958"}
FORMS = (
    "Jane Roe",
    "Jane.Roe@Example.ORG",
    "Jane.Roe@example.org",  # as normalised for the ticket
    "+44 20 7946 0958",
    "+442079460958",  # E.164
    "2079460958",
)


def _clean(text: str) -> None:
    for form in FORMS:
        assert form.lower() not in text.lower(), form


def _person_walk(engine: Engine) -> list[Any]:
    from conftest import NOW, answer_effects
    from kl_contact import ChooseChannel, Continue, Escalate

    answers = {
        "description": "The application says the code is invalid though I bought it.",
        "screenshots": (Attachment("Jane Roe passport.png", "image/png", 1000),),
        "consent": True,
        **PERSON,
    }
    events: list[Any] = [
        Continue(),
        ChooseChannel("phone"),
        Next({"product": "plus", "platform": "windows", "category": "activation",
              "subject": "Code rejected"}),
        Escalate(),
        Send(dict(answers, email="Jane Roe@")),  # a mistake first: the e-mail is refused
        Send(answers),
    ]  # fmt: skip
    transitions = [engine.start(session_id="pii-1", now=NOW, locale="en")]
    for event in events:
        transitions.append(engine.handle(transitions[-1].session, event, NOW))
        transitions.extend(answer_effects(engine, transitions[-1], NOW))
    return transitions


def _exceptions(engine: Engine, final: Any) -> list[BaseException]:
    """Every way a host can get an exception while holding this person's data."""
    from kl_contact import load_event, load_session
    from kl_contact._convert import converter

    caught: list[BaseException] = []
    session_doc = converter.unstructure(final.session)
    broken_sessions = [
        dict(session_doc, answers=dict(session_doc["answers"], email={"v": PERSON["email"]})),
        dict(session_doc, created_at=PERSON["email"]),
        dict(session_doc, channel=[PERSON["name"]]),
    ]
    for document in broken_sessions:
        with pytest.raises(UsageError) as excinfo:
            load_session(document)
        caught.append(excinfo.value)
    with pytest.raises(UsageError) as excinfo:
        load_event({"type": "send", "answers": {"phone": {"typed": PERSON["phone"]}}})
    caught.append(excinfo.value)
    with pytest.raises(UsageError) as excinfo:  # an event the confirmation does not take
        engine.handle(final.session, Send(dict(PERSON)), final.session.updated_at)
    caught.append(excinfo.value)
    return caught


def test_a_known_person_never_shows_in_repr_str_exceptions_or_logs(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from kl_contact import JsonEngine, revalidate_answers, revalidate_ticket
    from kl_contact._convert import converter

    transitions = _person_walk(engine)
    refused = transitions[6]
    assert [i.code for i in refused.session.issues] == ["answer.invalid_email"]
    assert refused.session.answers["name"] == PERSON["name"]  # kept though refused
    final = transitions[-1]
    assert final.view.kind == "confirmation"
    ticket = final.session.submission.ticket
    assert (ticket.contact.name, ticket.contact.email, ticket.contact.phone) == (
        "Jane Roe",
        "Jane.Roe@example.org",
        "+442079460958",
    )  # the data is there, normalised ...

    objects: list[Any] = [ticket, ticket.contact, *ticket.answers, *ticket.attachments]
    for t in transitions:
        objects += [t, t.session, t.view, *t.view.questions, *t.session.issues, *t.effects]
        objects += [t.session.submission] if t.session.submission else []
    submitted = {"channel": "phone", "locale": "en",
                 "answers": converter.unstructure(dict(final.session.answers))}  # fmt: skip
    checked = revalidate_answers(engine.workflow, submitted, ticket_id="t-1", now=ticket.created_at)
    assert checked.ok
    assert checked.ticket is not None
    objects += [checked, checked.ticket, revalidate_ticket(engine.workflow, ticket)]
    objects += [revalidate_answers(engine.workflow, dict(submitted, locale=PERSON["email"]))]
    bad_ticket = dict(converter.unstructure(ticket), created_at="2026-13-45T10:00:00Z")
    objects += [revalidate_ticket(engine.workflow, bad_ticket)]
    objects += [ticket.redacted(), ticket.contact.redacted()]
    errors = _exceptions(engine, final)
    wire = JsonEngine(engine)
    reply = wire.handle({"session": converter.unstructure(final.session),
                         "event": {"type": "send", "answers": dict(PERSON)},
                         "now": final.session.updated_at.isoformat()})  # fmt: skip
    assert reply["ok"] is False

    log = logging.getLogger("kl_contact.test.pii")
    with caplog.at_level(logging.DEBUG):
        for obj in objects:
            _clean(repr(obj))  # ... but no repr, str or format shows it
            _clean(str(obj))
            _clean(f"{obj}")
            log.info("object %r / %s", obj, obj)
            log.debug("as extra", extra={"ticket": obj})
        for error in errors:
            _clean(str(error))
            _clean(repr(error))
            try:
                raise error
            except UsageError:
                log.exception("the host failed")
        log.warning("reply %s", reply["error"])
    for record in caplog.records:
        _clean(record.getMessage())
    _clean(caplog.text)  # formatted lines, tracebacks included
    assert len(caplog.records) == 2 * len(objects) + len(errors) + 1

    # the redacted copy is safe to log whole, as JSON
    _clean(json.dumps(converter.unstructure(ticket.redacted()), ensure_ascii=False))
    # and issue messages and parameters never quote what was typed
    for obj in objects:
        if isinstance(obj, Revalidation):
            for issue in obj.issues:
                _clean(issue.message + json.dumps(dict(issue.params)))


PROBES = st.builds(
    lambda local, domain: f"{local}.probe@{domain}.example",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
)


@settings(max_examples=30, deadline=None)
@given(PROBES)
def test_refusals_keep_a_clients_keys_and_values_in_redacted_fields(probe: str) -> None:
    """An answer key, a locale or a channel a client made up is never in a message: the
    refusal names it in ``path`` or ``params``, which its repr does not show."""
    engine = Engine(default_workflow())
    wire = JsonEngine(engine)
    started = engine.start(session_id="s-1", now=NOW, locale="en")
    document = dump_session(started.session)
    refusals: list[tuple[dict[str, Any], Any]] = [
        (wire.start({"session_id": "s-2", "now": NOW.isoformat(), "locale": probe}), None),
        (
            wire.handle(
                {"session": document, "event": {"type": "answer", "answers": {probe: {"x": 1}}},
                 "now": NOW.isoformat()}
            ),
            None,
        ),
    ]  # fmt: skip
    for reply, _ in refusals:
        assert reply["ok"] is False
        assert probe not in json.dumps(reply["error"])
    errors = []
    for call in (
        lambda: engine.start(session_id="s-3", now=NOW, locale=probe),
        lambda: engine.handle(
            engine.handle(started.session, Continue(), NOW).session, ChooseChannel(probe), NOW
        ),
        lambda: load_event({"type": "answer", "answers": {probe: {"x": 1}}}),
    ):
        with pytest.raises(UsageError) as refused:
            call()
        errors.append(refused.value)
    for error in errors:
        assert probe not in str(error)
        assert probe not in repr(error)
        assert probe not in " ".join(map(str, error.args))
    assert errors[0].params == {"locale": probe}
    assert errors[1].params == {"channel": probe}
    assert probe in errors[2].path


def test_an_attachments_repr_shows_neither_its_name_nor_its_declared_type() -> None:
    shown = repr(Attachment("maria-passport.png", "application/x-maria", 1200))
    assert "maria" not in shown
    assert "1200" in shown


def test_a_question_view_repr_says_whether_it_is_answered_not_what(engine: Engine) -> None:
    from kl_contact import Answer, ChooseChannel, Continue

    t = engine.start(session_id="s-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"subject": "My secret subject"}), NOW)
    assert repr(t.view.question("subject")) == (
        "QuestionView(id='subject', type='text', answered=True)"
    )
    assert repr(t.view.question("product")) == (
        "QuestionView(id='product', type='single_choice', answered=False)"
    )


# ---------------------------------------------------------------- a licence key, everywhere

KEY = "QWERT-12345-ASDFG-67890"


def test_a_licence_key_never_shows_in_a_repr_a_log_or_a_redacted_ticket(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from conftest import NOW, answer_effects, sample_engine
    from kl_contact import ChooseChannel, dump_ticket, erase_personal_data

    engine = sample_engine("licence-key")
    transitions = [engine.start(session_id="key-1", now=NOW, prefill={"key": KEY})]
    events: list[Any] = [
        Next({"key": KEY.lower(), "problem": "activation"}),  # a mistake first
        Next({"key": KEY, "problem": "activation"}),
        ChooseChannel("email"),
    ]
    for event in events:
        transitions.append(engine.handle(transitions[-1].session, event, NOW))
    request = transitions[-1].view.questions
    send = {q.id: "x" * 20 for q in request if q.type in {"text", "long_text"}}
    send.update({"email": "key.owner@example.com"})
    send.update({q.id: True for q in request if q.type == "consent"})
    transitions.append(engine.handle(transitions[-1].session, Send(send), NOW))
    transitions.extend(answer_effects(engine, transitions[-1], NOW))
    final = transitions[-1].session
    assert final.submission is not None
    ticket = final.submission.ticket
    assert ticket.licence_key == KEY  # the data is there ...
    with caplog.at_level(logging.DEBUG):
        for produced in transitions:
            for value in _reachable(produced):
                logging.getLogger("kl_contact.test").info("value: %r / %s", value, value)
    assert KEY not in caplog.text  # ... but in no repr, str or log line
    assert KEY.lower() not in caplog.text
    assert KEY not in json.dumps(dump_ticket(ticket.redacted()))
    assert KEY not in json.dumps(dump_session(erase_personal_data(engine.workflow, final)))


def test_a_booked_callback_keeps_the_phone_out_of_reprs_and_redacted_copies(
    engine: Engine,
) -> None:
    from datetime import UTC, datetime

    from kl_contact import Escalate, EstimateWait, RequestCallback, WaitEstimated

    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the phone line is closed
    t = engine.start(session_id="pd-cb", now=saturday, locale="en")
    t = engine.handle(t.session, Continue(), saturday)
    (ask,) = [e for e in t.effects if isinstance(e, EstimateWait)]
    t = engine.handle(t.session, WaitEstimated(ask.estimate_id, "chat", 4), saturday)
    phone = next(c for c in t.view.channels if c.id == "phone")
    assert phone.callback is not None
    t = engine.handle(t.session, RequestCallback("phone", phone.callback.slots[0].id), saturday)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), saturday)
    t = engine.handle(t.session, Escalate(), saturday)
    t = engine.handle(t.session, Send(dict(DETAILS, phone=PHONE)), saturday)
    ticket = t.session.submission.ticket  # type: ignore[union-attr]
    assert ticket.callback is not None
    assert ticket.callback.phone == "+442079460958"
    for obj in (t.session, t.view, ticket, ticket.callback, *t.effects):
        assert "7946" not in repr(obj)
        assert "7946" not in str(obj)
    assert "7946" not in json.dumps(attrs.asdict(ticket.redacted()), default=str)
