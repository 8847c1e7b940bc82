"""The default workflow walked end to end, for every channel and locale, in Python and JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import NOW, answer_effects, script, walk
from kl_contact import Engine, JsonEngine, dump_transition, render_text
from kl_contact._convert import converter
from kl_contact.engine.events import Event
from kl_contact.schemas import violations

CHANNELS = ("email", "chat", "phone")
LOCALES = ("ru", "en")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_python_walk_reaches_confirmation(engine: Engine, channel: str, locale: str) -> None:
    transitions = walk(engine, channel, locale)
    kinds = [t.view.kind for t in transitions]
    assert kinds[:3] == ["self_service", "channel_choice", "questions"]
    assert "articles" in kinds
    assert "request" in kinds
    final = transitions[-1]
    assert final.view.kind == "confirmation"
    assert final.session.status == "submitted"
    assert final.session.request_number == "INC-000042"
    confirmation = final.view.confirmation
    assert confirmation is not None
    assert confirmation.channel == channel
    instructions = confirmation.instructions
    assert instructions.locale == locale
    actions = [s.action.kind for s in instructions.steps if s.action]
    expected = {"email": "wait_email", "chat": "open_chat", "phone": "call"}[channel]
    assert actions == [expected]
    text = render_text(instructions)
    assert "INC-000042" in text
    assert "jane.roe@example.org" in instructions.registration_note
    if channel == "chat":
        assert "https://chat.example.com/r/INC-000042" in text
    if channel == "phone":
        assert "+7 495 000-00-00" in text
    marker = {"ru": "зарегистрирован", "en": "registered"}[locale]
    assert marker in text
    # the registration e-mail is asked for once, whatever the channel
    sent = [
        e for t in transitions for e in t.effects if type(e).__name__ == "SendRegistrationEmail"
    ]
    assert len(sent) == 1


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_json_walk_validates_every_document(engine: Engine, channel: str, locale: str) -> None:
    """The same walk through the JSON entry point, every document checked by the schemas."""
    wire = JsonEngine(engine)
    start = {"session_id": "w-1", "now": NOW.isoformat(), "locale": locale}
    assert not list(violations("wire", {"start": start}))
    response = wire.start(start)
    assert response["ok"], response
    assert not list(violations("wire", response))
    now = NOW
    python_side = engine.start(session_id="w-1", now=NOW, locale=locale)
    events: list[Event] = list(script(channel, locale))
    while events:
        event = events.pop(0)
        now += timedelta(seconds=30)
        python_side = engine.handle(python_side.session, event, now)
        host_results = list(answer_effects(engine, python_side, now))
        request = {
            "session": response["transition"]["session"],
            "event": converter.unstructure(event, Event),
            "now": now.isoformat(),
        }
        assert not list(violations("event", request["event"]))
        response = wire.handle(request)
        assert response["ok"], response
        assert not list(violations("wire", response))
        assert response["transition"] == dump_transition(python_side)
        for effect_doc in response["transition"]["effects"]:
            assert not list(violations("effect", effect_doc))
        for result in host_results:
            # the host's answers to effects go through the wire too
            host_event = next(
                e
                for e in _host_events(python_side)
                if type(e).__name__ in {"ArticlesFound", "TicketAccepted"}
            )
            request = {
                "session": response["transition"]["session"],
                "event": converter.unstructure(host_event, Event),
                "now": now.isoformat(),
            }
            assert not list(violations("event", request["event"]))
            response = wire.handle(request)
            assert response["ok"], response
            assert response["transition"] == dump_transition(result)
            python_side = result
    assert response["transition"]["view"]["kind"] == "confirmation"
    assert not list(violations("view", response["transition"]["view"]))
    assert not list(violations("session", response["transition"]["session"]))


def _host_events(transition):  # type: ignore[no-untyped-def]
    from conftest import receipt_for
    from kl_contact import ArticleMatch, ArticlesFound, SearchArticles, SubmitTicket, TicketAccepted

    for effect in transition.effects:
        if isinstance(effect, SearchArticles):
            match = ArticleMatch(
                id="kb-1", title="An article", url="https://example.com/kb/1", score=1.0
            )
            yield ArticlesFound(effect.search_id, (match,))
        elif isinstance(effect, SubmitTicket):
            yield TicketAccepted(effect.submission_id, receipt_for(effect.ticket.channel))


def test_article_helped_ends_resolved_without_ticket(engine: Engine) -> None:
    from kl_contact import ArticleHelped

    transitions = walk(engine, "email", "en")[:5]
    articles = transitions[-1]
    assert articles.view.kind == "articles"
    assert articles.view.articles is not None
    assert articles.view.articles.status == "ready"
    helped = engine.handle(articles.session, ArticleHelped("kb-1"), NOW)
    assert helped.view.kind == "resolved"
    assert helped.session.status == "resolved"
    assert helped.session.submission is None
    assert helped.effects == ()
    assert helped.view.action_types == ("rate", "skip_rating")
    assert all(action.stays for action in helped.view.actions)
