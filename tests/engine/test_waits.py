"""Expected waits: asked when the channel choice or the confirmation shows, shown as reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import DETAILS, QUESTION_ANSWERS, receipt_for
from kl_contact import (
    Back,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    EstimateWait,
    Next,
    Send,
    SubmitTicket,
    TicketAccepted,
    Transition,
    WaitEstimated,
    dump_transition,
    parse_workflow,
)
from kl_contact.schemas import violations

WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 13:00 in Moscow: the chat is open
LATE_NIGHT = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # midnight in Moscow: the chat is closed


def channel_choice(engine: Engine, now: datetime) -> Transition:
    first = engine.start(session_id="w-1", now=now, locale="en")
    return engine.handle(first.session, Continue(), now)


def waits_shown(t: Transition) -> dict[str, int | None]:
    return {c.id: c.wait_minutes for c in t.view.channels}


def test_the_channel_choice_asks_for_the_wait_of_each_open_channel_that_estimates(
    engine: Engine,
) -> None:
    t = channel_choice(engine, WEDNESDAY)
    assert t.effects == (EstimateWait(estimate_id="w-1:wait:1", channel="chat"),)
    assert waits_shown(t) == {"email": None, "chat": None, "phone": None}
    reported = engine.handle(t.session, WaitEstimated("w-1:wait:1", "chat", 12), WEDNESDAY)
    assert reported.outcome == "applied"
    assert waits_shown(reported) == {"email": None, "chat": 12, "phone": None}
    assert list(violations("transition", dump_transition(reported))) == []
    # a closed chat is not asked about
    assert channel_choice(engine, LATE_NIGHT).effects == ()


@pytest.mark.parametrize(
    "late",
    [
        WaitEstimated("w-1:wait:0", "chat", 5),  # another showing
        WaitEstimated("w-1:wait:1", "email", 5),  # a channel not asked about
        WaitEstimated("w-1:wait:1", "chat", -1),
        WaitEstimated("w-1:wait:1", "chat", 7 * 24 * 60 + 1),
        WaitEstimated("w-1:wait:1", "chat", True),  # type: ignore[arg-type]
    ],
)
def test_an_answer_nobody_awaits_or_out_of_range_changes_nothing(
    engine: Engine, late: WaitEstimated
) -> None:
    t = channel_choice(engine, WEDNESDAY)
    ignored = engine.handle(t.session, late, WEDNESDAY)
    assert ignored.outcome == "ignored"
    assert ignored.session == t.session


def test_going_back_to_the_channel_choice_asks_again_and_forgets_the_old_figure(
    engine: Engine,
) -> None:
    t = channel_choice(engine, WEDNESDAY)
    t = engine.handle(t.session, WaitEstimated("w-1:wait:1", "chat", 12), WEDNESDAY)
    t = engine.handle(t.session, ChooseChannel("email"), WEDNESDAY)
    assert t.effects == ()  # the questions step shows no wait
    back = engine.handle(t.session, Back(), WEDNESDAY)
    (ask,) = back.effects
    assert ask.channel == "chat"
    assert ask.estimate_id != "w-1:wait:1"
    assert waits_shown(back)["chat"] is None
    stale = engine.handle(back.session, WaitEstimated("w-1:wait:1", "chat", 3), WEDNESDAY)
    assert stale.outcome == "ignored"


def test_the_chat_confirmation_asks_for_the_wait_and_shows_it(engine: Engine) -> None:
    t = channel_choice(engine, WEDNESDAY)
    t = engine.handle(t.session, ChooseChannel("chat"), WEDNESDAY)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), WEDNESDAY)
    t = engine.handle(t.session, Escalate(), WEDNESDAY)
    t = engine.handle(t.session, Send(DETAILS), WEDNESDAY)
    (submit,) = [e for e in t.effects if isinstance(e, SubmitTicket)]
    done = engine.handle(
        t.session, TicketAccepted(submit.submission_id, receipt_for("chat")), WEDNESDAY
    )
    (ask,) = [e for e in done.effects if isinstance(e, EstimateWait)]
    assert ask.channel == "chat"
    assert done.view.confirmation is not None
    assert done.view.confirmation.wait_minutes is None
    shown = engine.handle(done.session, WaitEstimated(ask.estimate_id, "chat", 0), WEDNESDAY)
    assert shown.view.confirmation is not None
    assert shown.view.confirmation.wait_minutes == 0


def test_a_definition_without_estimates_asks_for_none() -> None:
    plain = Engine(parse_workflow(_without_estimates()))
    t = channel_choice(plain, WEDNESDAY)
    assert t.effects == ()
    assert t.session.waits.estimate_id is None


def _without_estimates() -> str:
    from importlib import resources

    source = resources.files("kl_contact.definition").joinpath("default_workflow.yaml")
    return source.read_text("utf-8").replace("    estimate_wait: true\n", "")
