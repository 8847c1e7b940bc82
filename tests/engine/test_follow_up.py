"""Following up a request the user already has: lookup, status, adding, reopening, limits."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import NOW
from kl_contact import (
    AddInformation,
    AddToRequest,
    Answer,
    Attachment,
    Back,
    ChangeLocale,
    Continue,
    Engine,
    FindRequest,
    FollowUp,
    FollowUpState,
    LookUpRequest,
    Reopen,
    ReopenRequest,
    RequestFound,
    RequestNotFound,
    RequestStatus,
    Transition,
    UsageError,
    default_workflow,
    dump_session,
    load_session,
    parse_workflow,
)
from kl_contact.messages import message
from kl_contact.schemas import violations
from kl_contact.wire import dump_effect

LOOKUP = {"follow_up_number": "KL-1024", "follow_up_email": " Jane.Roe@EXAMPLE.org "}
ENGINE = Engine(default_workflow())
DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def on_follow_up(engine: Engine = ENGINE, locale: str = "en") -> Transition:
    first = engine.start(session_id="fu-1", now=NOW, locale=locale)
    on_channels = engine.handle(first.session, Continue(), NOW)
    return engine.handle(on_channels.session, FollowUp(), NOW)


def looked_up(t: Transition, answers: dict[str, str] | None = None) -> tuple[Transition, str]:
    moved = ENGINE.handle(t.session, FindRequest(answers or LOOKUP), NOW)
    (effect,) = moved.effects
    assert isinstance(effect, LookUpRequest)
    return moved, effect.lookup_id


def found(state: FollowUpState, replied: bool = True) -> Transition:
    t, lookup_id = looked_up(on_follow_up())
    status = RequestStatus("KL-1024", state, NOW - timedelta(hours=2) if replied else None)
    return ENGINE.handle(t.session, RequestFound(lookup_id, status), NOW)


def test_the_channel_choice_offers_i_already_have_a_request() -> None:
    first = ENGINE.start(session_id="fu-1", now=NOW, locale="ru")
    channels = ENGINE.handle(first.session, Continue(), NOW)
    action = next(a for a in channels.view.actions if a.type == "follow_up")
    assert action.label == "У меня уже есть запрос"
    moved = ENGINE.handle(channels.session, FollowUp(), NOW)
    assert (moved.view.kind, moved.session.step) == ("follow_up", "follow_up")
    assert [q.id for q in moved.view.questions] == ["follow_up_number", "follow_up_email"]
    assert moved.view.action_types == ("answer", "find_request", "back", "change_locale")
    assert moved.view.follow_up is not None
    assert (moved.view.follow_up.status, moved.view.follow_up.attempts_left) == ("idle", 5)


def test_the_lookup_carries_the_number_and_the_normalised_email_and_hides_them() -> None:
    t, lookup_id = looked_up(on_follow_up())
    (effect,) = t.effects
    assert isinstance(effect, LookUpRequest)
    assert (effect.request_number, effect.email, effect.locale) == (
        "KL-1024",
        "Jane.Roe@example.org",
        "en",
    )
    assert lookup_id == "fu-1:lookup:1"
    assert "Jane" not in repr(effect)
    assert "example.org" not in repr(effect)
    assert t.view.action_types == ()
    assert t.view.follow_up is not None
    assert t.view.follow_up.status == "looking_up"
    assert not list(violations("effect", dump_effect(effect)))


def test_the_number_and_email_are_checked_like_any_answer_and_nothing_is_looked_up() -> None:
    t = ENGINE.handle(
        on_follow_up().session,
        FindRequest({"follow_up_number": "KL 10/24", "follow_up_email": "jane@"}),
        NOW,
    )
    assert t.effects == ()
    codes = {(q.id, i.code) for q in t.view.questions for i in q.issues}
    assert codes == {
        ("follow_up_number", "answer.pattern"),
        ("follow_up_email", "answer.invalid_email"),
    }
    assert t.session.follow_up.attempts == 0
    assert all("10/24" not in i.message for q in t.view.questions for i in q.issues)


@pytest.mark.parametrize(
    ("state", "actions", "can_add"),
    [
        (FollowUpState.OPEN, ("answer", "add_information", "back", "change_locale"), True),
        (
            FollowUpState.WAITING_FOR_YOU,
            ("answer", "add_information", "back", "change_locale"),
            True,
        ),
        (FollowUpState.SOLVED, ("reopen", "back", "change_locale"), False),
        (FollowUpState.CLOSED, ("reopen", "back", "change_locale"), False),
    ],
)
def test_each_state_offers_its_own_next_steps(
    state: FollowUpState, actions: tuple[str, ...], can_add: bool
) -> None:
    t = found(state)
    view = t.view.follow_up
    assert view is not None
    assert view.request is not None
    assert view.request.state is state
    assert t.view.action_types == actions
    assert (view.can_add, view.can_reopen) == (can_add, not can_add)
    assert view.next_steps[0].startswith(
        {
            FollowUpState.OPEN: "Request KL-1024 is open",
            FollowUpState.WAITING_FOR_YOU: "The engineers answered request KL-1024",
            FollowUpState.SOLVED: "Request KL-1024 is solved",
            FollowUpState.CLOSED: "Request KL-1024 is closed",
        }[state]
    )
    assert "07:30" in view.next_steps[1]  # two hours before NOW, in UTC: no time zone given
    shown = [q.id for q in t.view.questions]
    assert shown == (["follow_up_text", "follow_up_files"] if can_add else [])
    if can_add:
        assert any("reply to any letter" in step for step in view.next_steps)


def test_a_request_without_a_reply_says_so() -> None:
    view = found(FollowUpState.OPEN, replied=False).view.follow_up
    assert view is not None
    assert "The engineers have not replied yet." in view.next_steps


def test_adding_information_sends_the_text_and_files_and_ends_resolved() -> None:
    shot = Attachment(name="error.png", media_type="image/png", size=2048)
    t = ENGINE.handle(
        found(FollowUpState.WAITING_FOR_YOU).session,
        AddInformation(
            {"follow_up_text": "  It still fails after the update.  ", "follow_up_files": (shot,)}
        ),
        NOW,
    )
    (effect,) = t.effects
    assert isinstance(effect, AddToRequest)
    assert effect.request_number == "KL-1024"
    assert effect.email == "Jane.Roe@example.org"
    assert effect.text == "It still fails after the update."
    assert effect.attachments == (shot,)
    assert "It still" not in repr(effect)
    assert (t.session.step, t.session.status, t.view.terminal) == (
        "follow_up_done",
        "resolved",
        True,
    )
    assert t.view.follow_up is not None
    assert t.view.follow_up.status == "added"
    assert t.view.follow_up.next_steps == (
        "Your information was added to request KL-1024. The engineers reply by e-mail.",
    )
    assert not list(violations("effect", dump_effect(effect)))


def test_adding_nothing_is_an_issue_and_a_too_long_text_is_checked_like_the_request() -> None:
    on_found = found(FollowUpState.OPEN)
    empty = ENGINE.handle(on_found.session, AddInformation({"follow_up_text": "   "}), NOW)
    assert empty.effects == ()
    assert [i.code for i in empty.view.issues] == ["follow_up.nothing_to_add"]
    long = ENGINE.handle(on_found.session, AddInformation({"follow_up_text": "x" * 5001}), NOW)
    assert long.effects == ()
    assert [i.code for i in long.view.question("follow_up_text").issues] == ["answer.too_long"]
    assert long.session.step == "follow_up"


def test_reopening_a_solved_request() -> None:
    t = ENGINE.handle(found(FollowUpState.SOLVED).session, Reopen(), NOW)
    (effect,) = t.effects
    assert isinstance(effect, ReopenRequest)
    assert (effect.request_number, effect.email) == ("KL-1024", "Jane.Roe@example.org")
    assert t.session.status == "resolved"
    assert t.view.follow_up is not None
    assert t.view.follow_up.status == "reopened"


def test_a_state_refuses_the_other_states_action() -> None:
    with pytest.raises(UsageError) as refused:
        ENGINE.handle(found(FollowUpState.OPEN).session, Reopen(), NOW)
    assert refused.value.code == "event.not_allowed"
    with pytest.raises(UsageError):
        ENGINE.handle(found(FollowUpState.CLOSED).session, AddInformation({}), NOW)


def test_not_found_counts_an_attempt_and_says_how_many_are_left() -> None:
    t, lookup_id = looked_up(on_follow_up())
    missed = ENGINE.handle(t.session, RequestNotFound(lookup_id), NOW)
    assert [i.code for i in missed.view.issues] == ["follow_up.not_found"]
    assert missed.view.issues[0].params == {"left": 4}
    assert "4 attempts left" in missed.view.issues[0].message
    assert missed.view.action_types == ("answer", "find_request", "back", "change_locale")
    assert [q.value for q in missed.view.questions] == list(LOOKUP.values())


def test_an_unavailable_helpdesk_gives_the_attempt_back() -> None:
    t, lookup_id = looked_up(on_follow_up())
    down = ENGINE.handle(t.session, RequestNotFound(lookup_id, reason="unavailable"), NOW)
    assert [i.code for i in down.view.issues] == ["follow_up.unavailable"]
    assert down.session.follow_up.attempts == 0
    assert down.session.follow_up.status == "unavailable"
    assert down.session.follow_up.request is None


def test_lookups_past_the_steps_attempts_are_an_issue_not_an_exception() -> None:
    t = on_follow_up()
    for _ in range(5):
        t, lookup_id = looked_up(t)
        t = ENGINE.handle(t.session, RequestNotFound(lookup_id), NOW)
    assert [i.code for i in t.view.issues] == ["follow_up.attempts"]
    refused = ENGINE.handle(t.session, FindRequest(LOOKUP), NOW)
    assert refused.effects == ()
    assert [i.code for i in refused.view.issues] == ["follow_up.attempts"]
    assert refused.view.follow_up is not None
    assert refused.view.follow_up.attempts_left == 0
    # going back and in again does not give the attempts back
    again = ENGINE.handle(ENGINE.handle(refused.session, Back(), NOW).session, FollowUp(), NOW)
    assert ENGINE.handle(again.session, FindRequest(LOOKUP), NOW).effects == ()


def test_a_late_or_foreign_answer_to_a_lookup_changes_nothing() -> None:
    t, lookup_id = looked_up(on_follow_up())
    status = RequestStatus("KL-1024", FollowUpState.OPEN)
    foreign = ENGINE.handle(t.session, RequestFound("other:lookup:9", status), NOW)
    assert foreign.session == t.session
    answered = ENGINE.handle(t.session, RequestNotFound(lookup_id), NOW)
    late = ENGINE.handle(answered.session, RequestFound(lookup_id, status), NOW)
    assert late.session == answered.session


def test_a_follow_up_survives_json_and_the_schema_and_changes_locale() -> None:
    t = found(FollowUpState.WAITING_FOR_YOU)
    document = dump_session(t.session)
    assert not list(violations("session", document))
    assert load_session(document) == t.session
    russian = ENGINE.handle(t.session, ChangeLocale("ru"), NOW)
    assert russian.view.follow_up is not None
    assert russian.view.follow_up.next_steps[0] == (
        "Инженеры ответили по запросу KL-1024 и ждут вашего ответа."
    )


@given(
    number=st.text(max_size=60),
    email=st.text(max_size=60),
)
def test_any_typed_number_and_email_give_issues_or_one_lookup(number: str, email: str) -> None:
    t = ENGINE.handle(
        on_follow_up().session,
        FindRequest({"follow_up_number": number, "follow_up_email": email}),
        NOW,
    )
    if t.effects:
        (effect,) = t.effects
        assert isinstance(effect, LookUpRequest)
        assert effect.request_number == number.strip()
        assert not t.view.issues
    else:
        assert any(i.severity == "error" for q in t.view.questions for i in q.issues)
        for issue in (i for q in t.view.questions for i in q.issues):  # catalog text alone
            assert issue.message == message(issue.code, "en", "ru", issue.params)


CHANNEL_FOLLOW_UP = """format: 1
id: fu
version: 1
locales: [en]
default_locale: en
title: {en: Follow-up}
self_service: []
contacts_page: {title: {en: Contacts}, url: {en: "https://example.com/c"}}
channels:
  - id: email
    title: {en: E-mail}
    description: {en: Write to us}
    button: {en: Write}
    follow_up: by_mail
    instructions:
      - text: {en: "Request {request_number} is registered."}
  - id: chat
    title: {en: Chat}
    description: {en: Chat}
    button: {en: Chat}
    instructions:
      - text: {en: "Request {request_number} is registered."}
registration_note: {en: "A letter goes to {email}."}
steps:
  - id: channel
    kind: channel_choice
    title: {en: Channel}
  - id: request
    kind: request
    title: {en: Request}
    questions:
      - {id: email, type: email, role: contact_email, required: true, label: {en: E-mail}}
  - id: end
    kind: confirmation
    title: {en: Sent}
  - id: by_mail
    kind: follow_up
    title: {en: Your request}
    attempts: 1
    next: done
    questions:
      - {id: number, type: text, role: request_number, required: true, label: {en: Number}}
      - {id: address, type: email, role: contact_email, required: true, label: {en: E-mail}}
      - {id: more, type: long_text, role: description, label: {en: More}}
  - id: done
    kind: resolved
    title: {en: Done}
"""


def test_a_channel_names_its_own_follow_up_step_with_its_own_attempts() -> None:
    engine = Engine(parse_workflow(CHANNEL_FOLLOW_UP))
    first = engine.start(session_id="c-1", now=NOW)
    moved = engine.handle(first.session, FollowUp("email"), NOW)
    assert (moved.session.step, moved.session.channel) == ("by_mail", "email")
    with pytest.raises(UsageError) as none:
        engine.handle(first.session, FollowUp("chat"), NOW)
    assert str(none.value) == "follow_up.none: no follow-up step is offered here"
    with pytest.raises(UsageError) as unknown:
        engine.handle(first.session, FollowUp("fax"), NOW)
    assert unknown.value.code == "channel.unknown"
    answers = {"number": "7", "address": "a@example.org"}
    t = engine.handle(moved.session, FindRequest(answers), NOW)
    (effect,) = t.effects
    assert isinstance(effect, LookUpRequest)
    t = engine.handle(t.session, RequestNotFound(effect.lookup_id), NOW)
    assert [i.code for i in t.view.issues] == ["follow_up.attempts"]


def test_a_workflow_without_follow_up_offers_none() -> None:
    text = CHANNEL_FOLLOW_UP.replace("    follow_up: by_mail\n", "")
    text = text[: text.index("  - id: by_mail")]
    engine = Engine(parse_workflow(text))
    first = engine.start(session_id="c-1", now=NOW)
    assert "follow_up" not in first.view.action_types
    with pytest.raises(UsageError):
        engine.handle(first.session, FollowUp(), NOW)


def test_the_session_repr_shows_no_lookup_answers() -> None:
    t, _ = looked_up(on_follow_up())
    assert "KL-1024" not in repr(t.session)
    assert "Jane" not in repr(t.session)
    assert attrs.evolve(t.session).follow_up.attempts == 1


def test_once_found_the_number_and_email_asked_about_cannot_be_changed() -> None:
    on_found = found(FollowUpState.OPEN)
    changed = ENGINE.handle(
        on_found.session, Answer({"follow_up_email": "someone.else@example.org"}), NOW
    )
    assert changed.session.answers["follow_up_email"] == LOOKUP["follow_up_email"]
    assert [i.code for i in changed.view.issues] == ["answer.unknown_question"]
    added = ENGINE.handle(
        on_found.session,
        AddInformation({"follow_up_email": "someone.else@example.org", "follow_up_text": "More."}),
        NOW,
    )
    (effect,) = added.effects
    assert isinstance(effect, AddToRequest)
    assert effect.email == "Jane.Roe@example.org"


def test_a_lookup_needs_both_answers_even_where_the_definition_leaves_them_optional() -> None:
    text = CHANNEL_FOLLOW_UP.replace(
        "{id: number, type: text, role: request_number, required: true,",
        "{id: number, type: text, role: request_number,",
    )
    engine = Engine(parse_workflow(text))
    first = engine.start(session_id="c-2", now=NOW)
    moved = engine.handle(first.session, FollowUp("email"), NOW)
    t = engine.handle(moved.session, FindRequest({"address": "a@example.org"}), NOW)
    assert t.effects == ()
    assert [(i.code, i.path) for i in t.view.question("number").issues] == [
        ("answer.required", ("answers", "number"))
    ]
    assert t.session.follow_up.attempts == 0


def test_erasing_a_finished_follow_up_removes_the_address_and_what_was_added() -> None:
    t = ENGINE.handle(
        found(FollowUpState.OPEN).session, AddInformation({"follow_up_text": "Error 0x5."}), NOW
    )
    erased = ENGINE.erase_personal_data(t.session)
    assert erased.answers["follow_up_email"] == "<redacted>"
    assert erased.answers["follow_up_text"] == "<redacted>"
    assert erased.follow_up.request == t.session.follow_up.request


def test_an_address_the_host_prefilled_read_only_shows_locked_on_the_follow_up_step() -> None:
    text = DEFAULT_TEXT.replace(
        "prefill:\n  product: read_only\n",
        "prefill:\n  follow_up_email: read_only\n  product: read_only\n",
        1,
    )
    engine = Engine(parse_workflow(text))
    known = {"follow_up_email": "jane.roe@example.org"}
    first = engine.start(session_id="fu-1", now=NOW, locale="en", prefill=known)
    t = engine.handle(engine.handle(first.session, Continue(), NOW).session, FollowUp(), NOW)
    email = t.view.question("follow_up_email")
    assert (email.value, email.prefilled, email.read_only) == ("jane.roe@example.org", True, True)
    number = t.view.question("follow_up_number")
    assert (number.value, number.prefilled, number.read_only) == (None, False, False)
