"""What a host feeds back for an effect: a result counts once, and a receipt closes a
submission only when it answers the channel the user chose."""

from __future__ import annotations

import itertools

import pytest

from conftest import DETAILS, NOW, PHONE, QUESTION_ANSWERS, receipt_for
from kl_contact import (
    ArticleMatch,
    ArticlesFound,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    EstimateWait,
    Next,
    SearchArticles,
    Send,
    SendRegistrationEmail,
    SubmitTicket,
    TicketAccepted,
    Transition,
)

CHANNELS = ("email", "chat", "phone")


def match(article_id: str) -> ArticleMatch:
    return ArticleMatch(
        id=article_id, title=article_id, url=f"https://example.com/{article_id}", score=1.0
    )


def at_articles(engine: Engine) -> tuple[Transition, str]:
    t = engine.start(session_id="s-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SearchArticles)
    return t, effect.search_id


def test_a_second_result_for_the_same_search_changes_nothing(engine: Engine) -> None:
    t, search_id = at_articles(engine)
    first = engine.handle(t.session, ArticlesFound(search_id, (match("kb-1"),)), NOW)
    assert first.view.articles is not None
    assert [m.id for m in first.view.articles.matches] == ["kb-1"]
    again = engine.handle(first.session, ArticlesFound(search_id, (match("kb-2"),)), NOW)
    assert again.session == first.session
    assert again.view == first.view
    assert again.effects == ()
    assert again.session.articles.shown == ("kb-1",)


def submitting(engine: Engine, channel: str) -> tuple[Transition, str]:
    t = engine.start(session_id="s-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel(channel), NOW)
    t = engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    details = {**DETAILS, "phone": PHONE} if channel == "phone" else DETAILS
    t = engine.handle(t.session, Send(details), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SubmitTicket)
    return t, effect.submission_id


@pytest.mark.parametrize(("chosen", "answered"), list(itertools.permutations(CHANNELS, 2)))
def test_a_receipt_for_another_channel_does_not_close_the_submission(
    engine: Engine, chosen: str, answered: str
) -> None:
    t, submission_id = submitting(engine, chosen)
    wrong = engine.handle(t.session, TicketAccepted(submission_id, receipt_for(answered)), NOW)
    assert [i.code for i in wrong.view.issues] == ["receipt.wrong_channel"]
    assert wrong.session.status == "submitting"
    assert wrong.view.kind == "request"
    assert wrong.effects == ()


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_receipt_for_the_chosen_channel_closes_the_submission(
    engine: Engine, channel: str
) -> None:
    t, submission_id = submitting(engine, channel)
    done = engine.handle(t.session, TicketAccepted(submission_id, receipt_for(channel)), NOW)
    assert done.view.kind == "confirmation"
    assert done.session.status == "submitted"
    assert done.view.confirmation is not None
    assert done.view.confirmation.channel == channel
    # the chat's queue is open: its confirmation asks the host for the expected wait
    asked = [EstimateWait] if channel == "chat" else []
    assert [type(e) for e in done.effects] == [*asked, SendRegistrationEmail]
