"""Booking a call back while the phone line is closed: the offer, refusals, ticket, confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, PHONE, QUESTION_ANSWERS, receipt_for
from kl_contact import (
    Back,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Next,
    RequestCallback,
    Send,
    SubmitTicket,
    TicketAccepted,
    Transition,
    UsageError,
    default_workflow,
    dump_session,
    dump_ticket,
    dump_transition,
    load_event,
    load_session,
    registration_email,
)
from kl_contact.schemas import violations

SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
"""15:00 in Moscow on a Saturday: the default workflow's phone line is closed."""
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
"""13:00 in Moscow on a Wednesday: the phone line is open."""


def channel_choice(engine: Engine, now: datetime, locale: str = "en") -> Transition:
    first = engine.start(session_id="cb-1", now=now, locale=locale, time_zone="Europe/Moscow")
    return engine.handle(first.session, Continue(), now)


def phone_view(transition: Transition):  # type: ignore[no-untyped-def]
    return next(c for c in transition.view.channels if c.id == "phone")


def booked(engine: Engine, index: int = 0, locale: str = "en") -> Transition:
    t = channel_choice(engine, SATURDAY, locale)
    slot = phone_view(t).callback.slots[index]
    return engine.handle(t.session, RequestCallback("phone", slot.id), SATURDAY)


def to_confirmation(engine: Engine, t: Transition, now: datetime) -> Transition:
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), now)
    t = engine.handle(t.session, Escalate(), now)
    t = engine.handle(t.session, Send({**DETAILS, "phone": PHONE}), now)
    (submit,) = [e for e in t.effects if isinstance(e, SubmitTicket)]
    receipt = receipt_for("phone")
    return engine.handle(t.session, TicketAccepted(submit.submission_id, receipt), now)


def test_a_closed_line_offers_its_slots_as_a_question_in_the_users_words(engine: Engine) -> None:
    t = channel_choice(engine, SATURDAY)
    phone = phone_view(t)
    assert (phone.open, phone.choosable) == (False, False)
    offer = phone.callback
    assert offer is not None
    assert offer.text == "Phone is closed now. We can call you back: choose a time."
    question = offer.question
    assert (question.type, question.required, question.label) == (
        "single_choice",
        True,
        "Time of the call",
    )
    assert [o.id for o in question.options] == [s.id for s in offer.slots]
    assert question.options[0].label == "2026-11-30 09:00–09:30 (UTC+03:00)"
    assert "request_callback" in t.view.action_types
    action = next(a for a in t.view.actions if a.type == "request_callback")
    assert [(f.name, f.source) for f in action.fields] == [
        ("channel", "/channels/*/id"),
        ("slot", "/channels/*/callback/slots/*/id"),
    ]
    # the other channels offer none, and an open line offers none either
    assert [c.id for c in t.view.channels if c.callback is not None] == ["phone"]
    assert phone_view(channel_choice(engine, WEDNESDAY)).callback is None
    russian = phone_view(channel_choice(engine, SATURDAY, "ru")).callback
    assert russian is not None
    assert russian.text.startswith("Линия «Телефон» сейчас закрыта")
    assert russian.question.options[0].label == "30.11.2026 09:00–09:30 (UTC+03:00)"


def test_booking_a_slot_chooses_the_channel_and_goes_on(engine: Engine) -> None:
    t = booked(engine, index=2)
    assert t.view.step == "question"
    assert t.session.channel == "phone"
    booking = t.session.callback
    assert booking is not None
    assert (booking.channel, booking.slot, booking.time_zone) == (
        "phone",
        "20261130T0700Z",
        "Europe/Moscow",
    )
    assert booking.starts_at == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert booking.ends_at - booking.starts_at == timedelta(minutes=30)
    assert "+44" not in repr(t.session)


@pytest.mark.parametrize(
    ("now", "channel", "slot", "code", "path"),
    [
        (SATURDAY, "phone", "20261127T0600Z", "callback.slot_passed", ("slot",)),
        (SATURDAY, "phone", "20261130T0610Z", "callback.slot_unknown", ("slot",)),
        (SATURDAY, "phone", "20270130T0600Z", "callback.slot_unknown", ("slot",)),  # too far
        (SATURDAY, "phone", "tomorrow morning", "callback.slot_unknown", ("slot",)),
        (SATURDAY, "email", "20261130T0600Z", "callback.unavailable", ("channel",)),
        (WEDNESDAY, "phone", "20261125T1100Z", "callback.unavailable", ("channel",)),
    ],
)
def test_a_slot_that_is_not_offered_is_an_issue_and_nothing_moves(
    engine: Engine,
    now: datetime,
    channel: str,
    slot: str,
    code: str,
    path: tuple[str, ...],
) -> None:
    t = channel_choice(engine, now)
    refused = engine.handle(t.session, RequestCallback(channel, slot), now)
    assert [(i.code, i.path, i.severity) for i in refused.view.issues] == [(code, path, "error")]
    assert slot not in refused.view.issues[0].message  # nothing the user sent is echoed
    assert refused.view.step == "channel"
    assert (refused.session.channel, refused.session.callback) == (None, None)


def test_refusals_are_worded_in_both_locales_and_again_on_a_change_of_locale(
    engine: Engine,
) -> None:
    t = channel_choice(engine, SATURDAY)
    refused = engine.handle(t.session, RequestCallback("email", "x"), SATURDAY)
    assert refused.view.issues[0].message == "A callback on E-mail cannot be booked now."
    russian = engine.handle(refused.session, ChangeLocale("ru"), SATURDAY)
    assert [i.message for i in russian.view.issues] == [
        "Обратный звонок по каналу «Электронная почта» сейчас не заказать."
    ]
    late = engine.handle(t.session, RequestCallback("phone", "20261127T0600Z"), SATURDAY)
    again = engine.handle(late.session, ChangeLocale("ru"), SATURDAY)
    assert [i.message for i in again.view.issues] == [
        "Это время звонка уже прошло. Выберите другое."
    ]


def test_an_undeclared_channel_is_the_hosts_mistake(engine: Engine) -> None:
    t = channel_choice(engine, SATURDAY)
    with pytest.raises(UsageError) as refused:
        engine.handle(t.session, RequestCallback("pigeon", "20261130T0600Z"), SATURDAY)
    assert refused.value.code == "channel.unknown"


def test_choosing_a_channel_afterwards_drops_the_callback(engine: Engine) -> None:
    t = booked(engine)
    back = engine.handle(t.session, Back(), SATURDAY)
    assert back.session.callback is not None  # going back alone keeps it
    chosen = engine.handle(back.session, ChooseChannel("email"), SATURDAY)
    assert (chosen.session.channel, chosen.session.callback) == ("email", None)


def test_the_ticket_carries_the_callback_with_the_phone_redacted_in_logs(engine: Engine) -> None:
    t = booked(engine)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), SATURDAY)
    t = engine.handle(t.session, Escalate(), SATURDAY)
    t = engine.handle(t.session, Send({**DETAILS, "phone": PHONE}), SATURDAY)
    (submit,) = [e for e in t.effects if isinstance(e, SubmitTicket)]
    callback = submit.ticket.callback
    assert callback is not None
    assert callback.phone == "+442079460958" == submit.ticket.contact.phone
    assert callback.starts_at == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert callback.time_zone == "Europe/Moscow"
    # the callback's next steps use no engineers' number: none is asked of the receipt
    assert submit.receipt_fields == ()
    assert "7946" not in repr(submit.ticket)
    assert submit.ticket.redacted().callback.phone == "<redacted>"  # type: ignore[union-attr]
    document = dump_ticket(submit.ticket)
    assert list(violations("ticket", document)) == []
    assert document["callback"]["starts_at"] == "2026-11-30T09:00:00+03:00"


def test_the_confirmation_and_the_letter_say_when_the_engineer_calls(engine: Engine) -> None:
    done = to_confirmation(engine, booked(engine), SATURDAY)
    assert done.view.kind == "confirmation"
    instructions = done.view.confirmation.instructions  # type: ignore[union-attr]
    texts = [s.text for s in instructions.steps]
    assert texts[1] == (
        "An engineer calls you on 2026-11-30 09:00 (UTC+03:00) at +442079460958. "
        "Keep your request number INC-000042 at hand."
    )
    action = instructions.steps[1].action
    assert action is not None
    assert action.kind == "wait_callback"
    assert action.callback_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC) - timedelta(hours=3)
    assert action.callback_until == action.callback_at + timedelta(minutes=30)
    assert "7946" not in repr(action)
    assert list(violations("transition", dump_transition(done))) == []
    email = next(e for e in done.effects if type(e).__name__ == "SendRegistrationEmail")
    letter = registration_email(engine.workflow, email.ticket, email.receipt, sender="s@x.test")
    assert "2026-11-30 09:00 (UTC+03:00)" in str(letter.get_body(("plain",)).get_content())


def test_sending_after_the_booked_slot_began_asks_for_another(engine: Engine) -> None:
    t = booked(engine)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), SATURDAY)
    t = engine.handle(t.session, Escalate(), SATURDAY)
    monday = datetime(2026, 11, 30, 6, 5, tzinfo=UTC)  # the first slot has begun
    late = engine.handle(t.session, Send({**DETAILS, "phone": PHONE}), monday)
    assert [(i.code, i.path) for i in late.view.issues] == [("callback.slot_passed", ("callback",))]
    assert late.session.status == "active"
    assert late.effects == ()


def test_the_booking_survives_the_wire(engine: Engine) -> None:
    t = booked(engine)
    document = dump_session(t.session)
    assert list(violations("session", document)) == []
    assert load_session(document) == t.session
    event = load_event({"type": "request_callback", "channel": "phone", "slot": "x"})
    assert event == RequestCallback("phone", "x")


def test_two_users_in_other_time_zones_read_the_same_slots_in_their_own(engine: Engine) -> None:
    labels = {}
    for zone in ("Europe/Moscow", "Europe/Berlin", "Asia/Tokyo"):
        first = engine.start(session_id="z", now=SATURDAY, locale="en", time_zone=zone)
        t = engine.handle(first.session, Continue(), SATURDAY)
        offer = phone_view(t).callback
        assert offer is not None
        labels[zone] = offer.question.options[0].label
        assert offer.slots[0].id == "20261130T0600Z"  # the same slot for all three
    assert labels == {
        "Europe/Moscow": "2026-11-30 09:00–09:30 (UTC+03:00)",
        "Europe/Berlin": "2026-11-30 07:00–07:30 (UTC+01:00)",
        "Asia/Tokyo": "2026-11-30 15:00–15:30 (UTC+09:00)",
    }


@settings(max_examples=150, deadline=None)
@given(
    slot=st.one_of(
        st.text(max_size=40),
        st.datetimes(datetime(2026, 11, 1), datetime(2026, 12, 31), timezones=st.just(UTC)).map(
            lambda d: d.strftime("%Y%m%dT%H%MZ")
        ),
    ),
    channel=st.sampled_from(["email", "chat", "phone"]),
)
def test_any_slot_sent_books_an_offered_one_or_leaves_one_issue(slot: str, channel: str) -> None:
    engine = ENGINE
    t = channel_choice(engine, SATURDAY)
    moved = engine.handle(t.session, RequestCallback(channel, slot), SATURDAY)
    phone = phone_view(t)
    offered = {s.id for s in phone.callback.slots} if channel == "phone" else set()
    if slot in offered:
        assert moved.session.callback is not None
        assert moved.session.callback.slot == slot
        assert moved.view.issues == ()
    else:
        (issue,) = moved.view.issues
        assert issue.code in {
            "callback.unavailable",
            "callback.slot_unknown",
            "callback.slot_passed",
        }
        assert moved.session.callback is None
        assert moved.view.step == "channel"


ENGINE = Engine(default_workflow())


def test_sending_as_the_booked_slot_begins_is_already_too_late(engine: Engine) -> None:
    t = booked(engine)
    booking = t.session.callback
    assert booking is not None
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), SATURDAY)
    t = engine.handle(t.session, Escalate(), SATURDAY)
    before = engine.handle(
        t.session, Send({**DETAILS, "phone": PHONE}), booking.starts_at - timedelta(minutes=1)
    )
    assert before.session.status == "submitting"
    late = engine.handle(t.session, Send({**DETAILS, "phone": PHONE}), booking.starts_at)
    assert [i.code for i in late.view.issues] == ["callback.slot_passed"]
    assert late.effects == ()


def test_a_closed_channel_stays_unchosen_and_its_issue_follows_the_locale_and_the_clock(
    engine: Engine,
) -> None:
    t = channel_choice(engine, SATURDAY)
    closed = engine.handle(t.session, ChooseChannel("phone"), SATURDAY)
    assert closed.view.kind == "channel_choice"
    assert closed.session.channel is None
    assert [(i.code, i.params["channel_id"]) for i in closed.view.issues] == [
        ("channel.closed", "phone")
    ]
    russian = engine.handle(closed.session, ChangeLocale("ru"), SATURDAY)
    assert [i.message for i in russian.view.issues] == [
        "Канал «Телефон» сейчас закрыт. Он откроется 30.11.2026 09:00 (UTC+03:00). "
        "Выберите другой способ: Электронная почта, Чат."
    ]
    monday = datetime(2026, 11, 30, 6, 5, tzinfo=UTC)  # 09:05 in Moscow: the line is open
    opened = engine.handle(closed.session, ChangeLocale("ru"), monday)
    assert opened.view.issues == ()
