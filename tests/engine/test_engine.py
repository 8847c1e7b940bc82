"""Engine behaviour a host relies on: answers kept, errors as data, resumable, deterministic."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, NOW, QUESTION_ANSWERS, receipt_for, script, walk
from kl_contact import (
    Answer,
    ArticlesFailed,
    ArticlesFound,
    Back,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Limits,
    Next,
    Receipt,
    Send,
    TicketAccepted,
    TicketRejected,
    UsageError,
    default_workflow,
    dump_session,
    load_session,
)
from kl_contact.messages import message


def to_questions(engine: Engine, channel: str = "email", locale: str = "en"):  # type: ignore[no-untyped-def]
    t = engine.start(session_id="s-1", now=NOW, locale=locale)
    t = engine.handle(t.session, Continue(), NOW)
    return engine.handle(t.session, ChooseChannel(channel), NOW)


def test_back_keeps_earlier_answers(engine: Engine) -> None:
    t = to_questions(engine)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
    assert t.view.kind == "articles"
    t = engine.handle(t.session, Back(), NOW)
    assert t.view.kind == "questions"
    for qid, value in QUESTION_ANSWERS["en"].items():
        assert t.view.question(qid).value == value
    t = engine.handle(t.session, Back(), NOW)
    assert t.view.kind == "channel_choice"
    assert t.session.answers == QUESTION_ANSWERS["en"]


def test_invalid_answers_return_errors_and_keep_what_was_typed(engine: Engine) -> None:
    t = to_questions(engine)
    typed = {"product": "plus", "subject": "abc", "category": "no-such-category"}
    t = engine.handle(t.session, Next(typed), NOW)
    assert t.view.kind == "questions"
    codes = {(i.question, i.code) for i in t.session.issues}
    assert ("subject", "answer.too_short") in codes
    assert ("category", "answer.unknown_option") in codes
    assert ("platform", "answer.required") in codes
    for qid, value in typed.items():
        assert t.view.question(qid).value == value
    message = t.view.question("subject").issues[0].message
    assert "5" in message
    assert "abc" not in message
    assert t.effects == ()


def test_issue_messages_follow_the_locale(engine: Engine) -> None:
    t = to_questions(engine, locale="ru")
    t = engine.handle(t.session, Next({}), NOW)
    assert t.view.question("product").issues[0].message == "Заполните это поле."
    t = engine.handle(t.session, ChangeLocale("en"), NOW)
    assert t.view.question("product").issues[0].message == "This field is required."


def test_changing_the_locale_rewords_the_issues_without_checking_again(engine: Engine) -> None:
    """Issues are data: after an answer that shows only its own issue, switching the locale
    words that same issue anew and adds none of the step's other (required) issues."""
    t = to_questions(engine, locale="ru")
    t = engine.handle(t.session, Answer({"subject": "abc"}), NOW)
    before = [(i.code, i.path, dict(i.params)) for i in t.session.issues]
    assert [code for code, _, _ in before] == ["answer.too_short"]
    ru = t.view.question("subject").issues[0].message
    t = engine.handle(t.session, ChangeLocale("en"), NOW)
    assert [(i.code, i.path, dict(i.params)) for i in t.session.issues] == before
    en = t.view.question("subject").issues[0].message
    assert en != ru
    assert en == message("answer.too_short", "en", "en", {"min": before[0][2]["min"]})
    assert t.session.issues[0].message == en


def test_answer_refreshes_dependent_options_without_advancing(engine: Engine) -> None:
    t = to_questions(engine)
    assert "vpn" not in [o.id for o in t.view.question("category").options]
    t = engine.handle(t.session, Answer({"product": "vpn"}), NOW)
    assert t.view.kind == "questions"
    assert "vpn" in [o.id for o in t.view.question("category").options]
    assert t.session.issues == ()
    t = engine.handle(t.session, Answer({"category": "web_protection"}), NOW)
    assert "web_component" in [q.id for q in t.view.questions]
    assert t.view.question("web_component").required


def test_phone_field_only_for_phone_channel(engine: Engine) -> None:
    for channel, shown in (("email", False), ("phone", True)):
        t = to_questions(engine, channel=channel)
        t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
        t = engine.handle(t.session, Escalate(), NOW)
        assert ("phone" in [q.id for q in t.view.questions]) is shown
        t = engine.handle(t.session, Send(DETAILS), NOW)
        if shown:
            assert [i.question for i in t.session.issues] == ["phone"]
            assert t.session.status == "active"
        else:
            assert t.session.status == "submitting"


def test_route_skips_articles_for_other_category(engine: Engine) -> None:
    t = to_questions(engine)
    answers = dict(QUESTION_ANSWERS["en"], category="other")
    t = engine.handle(t.session, Next(answers), NOW)
    assert t.view.kind == "request"
    assert t.effects == ()


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_same_inputs_same_outputs(workflow, channel: str) -> None:  # type: ignore[no-untyped-def]
    first = walk(Engine(workflow), channel, "ru")
    second = walk(Engine(workflow), channel, "ru")
    assert [dump_session(t.session) for t in first] == [dump_session(t.session) for t in second]
    assert [t.view for t in first] == [t.view for t in second]
    assert [t.effects for t in first] == [t.effects for t in second]


@settings(max_examples=40, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=8),
    channel=st.sampled_from(["email", "chat", "phone"]),
    locale=st.sampled_from(["ru", "en"]),
)
def test_session_restored_at_any_step_continues_identically(
    workflow, cut: int, channel: str, locale: str
) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(workflow)
    transitions = walk(engine, channel, locale)
    cut = min(cut, len(transitions) - 1)
    stored = json.dumps(dump_session(transitions[cut].session))
    restored = load_session(json.loads(stored))
    assert restored == transitions[cut].session
    assert engine.view(restored) == transitions[cut].view
    # continuing from the restored copy gives the same end as the original walk
    original_end = transitions[-1].session
    replay = walk(Engine(workflow), channel, locale)[-1].session
    assert dump_session(replay) == dump_session(original_end)


def test_stale_and_duplicate_host_results_change_nothing(engine: Engine) -> None:
    t = to_questions(engine)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
    search_id = t.effects[0].search_id  # type: ignore[union-attr]
    stale = engine.handle(t.session, ArticlesFound("other-search", ()), NOW)
    assert stale.session.articles == t.session.articles
    failed = engine.handle(t.session, ArticlesFailed(search_id), NOW)
    assert failed.view.articles is not None
    assert failed.view.articles.status == "failed"
    assert [i.code for i in failed.view.issues] == ["articles.failed"]
    assert "escalate" in failed.view.action_types


def test_rejected_ticket_can_be_sent_again_and_receipts_are_checked(engine: Engine) -> None:
    t = to_questions(engine)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    t = engine.handle(t.session, Send(DETAILS), NOW)
    first_id = t.effects[0].submission_id  # type: ignore[union-attr]
    with pytest.raises(UsageError) as excinfo:
        engine.handle(t.session, Send(DETAILS), NOW)
    assert excinfo.value.code == "event.not_allowed"
    t = engine.handle(t.session, TicketRejected(first_id, "timeout"), NOW)
    assert t.session.status == "active"
    assert [i.code for i in t.view.issues] == ["ticket.rejected"]
    assert t.view.issues[0].params == {"reason": "timeout"}  # the host's code, for its logs
    assert t.session.submission is not None
    assert (t.session.submission.status, t.session.submission.rejection) == ("rejected", "timeout")
    assert t.view.question("name").value == DETAILS["name"]
    t = engine.handle(t.session, Send({}), NOW)
    second_id = t.effects[0].submission_id  # type: ignore[union-attr]
    assert second_id != first_id
    late = engine.handle(t.session, TicketAccepted(first_id, receipt_for("email")), NOW)
    assert late.session == t.session
    wrong = engine.handle(t.session, TicketAccepted(second_id, receipt_for("chat")), NOW)
    assert [i.code for i in wrong.view.issues] == ["receipt.wrong_channel"]
    assert wrong.session.status == "submitting"
    empty = Receipt(request_number=" ", channel="email")
    missing = engine.handle(t.session, TicketAccepted(second_id, empty), NOW)
    assert [i.code for i in missing.view.issues] == ["receipt.no_request_number"]
    done = engine.handle(t.session, TicketAccepted(second_id, receipt_for("email")), NOW)
    assert done.view.kind == "confirmation"
    again = engine.handle(done.session, TicketAccepted(second_id, receipt_for("email")), NOW)
    assert again.session == done.session
    assert again.effects == ()


def test_usage_errors(engine: Engine) -> None:
    with pytest.raises(UsageError) as naive:
        engine.start(session_id="x", now=datetime(2026, 1, 1))
    assert naive.value.code == "time.naive"
    assert "timezone-aware" in str(naive.value)

    class NoOffset(tzinfo):  # a time zone that knows no offset leaves the time naive
        def utcoffset(self, dt: datetime | None) -> None:
            return None

    with pytest.raises(UsageError) as offsetless:
        engine.start(session_id="x", now=datetime(2026, 1, 1, tzinfo=NoOffset()))
    assert offsetless.value.code == "time.naive"
    with pytest.raises(UsageError) as no_id:
        engine.start(session_id="", now=NOW)
    assert no_id.value.code == "session.no_id"
    with pytest.raises(UsageError) as locale:
        engine.start(session_id="x", now=NOW, locale="de")
    assert locale.value.code == "locale.unknown"
    t = engine.start(session_id="x", now=NOW)
    with pytest.raises(UsageError) as wrong:
        engine.handle(t.session, Escalate(), NOW)
    assert wrong.value.code == "event.not_allowed"
    t = engine.handle(t.session, Continue(), NOW)
    with pytest.raises(UsageError) as channel:
        engine.handle(t.session, ChooseChannel("pigeon"), NOW)
    assert channel.value.code == "channel.unknown"


def test_views_list_the_actions_a_user_can_take(engine: Engine) -> None:
    transitions = walk(engine, "chat", "en")
    by_kind = {t.view.kind: t.view.action_types for t in transitions}
    assert by_kind["self_service"] == ("continue", "change_locale")
    # the phone line offers a callback while it is closed: the step takes it at any hour
    assert by_kind["channel_choice"] == (
        "choose_channel",
        "request_callback",
        "follow_up",
        "back",
        "change_locale",
    )
    assert by_kind["questions"] == ("answer", "next", "back", "change_locale")
    assert by_kind["articles"] == (
        "open_article",
        "article_helped",
        "article_not_helpful",
        "escalate",
        "back",
        "change_locale",
    )
    assert by_kind["confirmation"] == ("rate", "skip_rating")


def test_history_records_event_types_not_payloads(engine: Engine) -> None:
    final = walk(engine, "email", "en")[-1].session
    events = [h.event for h in final.history]
    assert events[:3] == ["continue", "choose_channel", "next"]
    assert "send" in events
    assert "ticket_accepted" in events
    assert final.updated_at > final.created_at
    assert final.created_at == NOW
    assert final.updated_at == NOW + timedelta(seconds=30 * len(script("email", "en")))


def test_a_refused_event_names_the_step_the_event_and_what_is_allowed(engine: Engine) -> None:
    t = engine.start(session_id="u-1", now=NOW, locale="en")
    with pytest.raises(UsageError) as excinfo:
        engine.handle(t.session, Escalate(), NOW)
    refused = excinfo.value
    assert (refused.code, refused.step, refused.event) == (
        "event.not_allowed",
        "self_service",
        "escalate",
    )
    assert refused.allowed == engine.allowed_events(t.session) == ("continue", "change_locale")


def test_an_event_over_the_engines_limits_is_refused_with_the_limits_code() -> None:
    engine = Engine(default_workflow(), limits=Limits(answers=3))
    t = engine.start(session_id="s-1", now=NOW)
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    with pytest.raises(UsageError) as excinfo:
        engine.handle(t.session, Next({"a": "1", "b": "2", "c": "3", "d": "4"}), NOW)
    assert excinfo.value.code == "limit.answers"


def test_a_session_keeps_the_region_and_time_zone_it_was_started_in(engine: Engine) -> None:
    t = engine.start(session_id="s-1", now=NOW, time_zone="Asia/Almaty", region="KZ")
    assert (t.session.region, t.session.time_zone) == ("KZ", "Asia/Almaty")
    later = engine.handle(t.session, Continue(), NOW)
    assert (later.session.region, later.session.time_zone) == ("KZ", "Asia/Almaty")
