"""Only the steps a user went through speak for them: answers typed on a step the user left
with Back, before taking another route, stay in the session (nothing typed is lost) but reach
neither the article query nor the ticket (tests/definitions/skipped-step.yaml)."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine
from kl_contact import (
    Answer,
    ArticlesFound,
    Back,
    Engine,
    Escalate,
    Next,
    SearchArticles,
    Send,
    SubmitTicket,
    Transition,
)

DEVICE = {
    "device_subject": "Router drops the wireless network",
    "device_product": "router",
    "device_notes": "blinking orange light",
}
SOFTWARE = {
    "software_subject": "Suite will not update",
    "software_product": "suite",
    "software_notes": "error 1603",
}


def device_then_software(engine: Engine) -> Transition:
    """Device step answered, Back, then the software route: the articles step's search."""
    t = at_step(engine)
    t = engine.handle(t.session, Next({"area": "device"}), NOW)
    assert t.view.step == "device"
    t = engine.handle(t.session, Answer(DEVICE), NOW)
    t = engine.handle(t.session, Back(), NOW)
    t = engine.handle(t.session, Next({"area": "software"}), NOW)
    assert t.view.step == "software"
    return engine.handle(t.session, Next(SOFTWARE), NOW)


def test_a_skipped_step_keeps_its_answers_in_the_session() -> None:
    t = device_then_software(sample_engine("skipped-step"))
    assert {k: t.session.answers[k] for k in DEVICE} == DEVICE


def test_a_skipped_step_does_not_reach_the_article_query() -> None:
    t = device_then_software(sample_engine("skipped-step"))
    (effect,) = t.effects
    assert isinstance(effect, SearchArticles)
    query = effect.query
    assert query.product == "suite"
    assert query.text == "Suite will not update error 1603"


def test_a_skipped_step_does_not_reach_the_ticket() -> None:
    engine = sample_engine("skipped-step")
    t = device_then_software(engine)
    search = t.effects[0]
    assert isinstance(search, SearchArticles)
    t = engine.handle(t.session, ArticlesFound(search.search_id, ()), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    t = engine.handle(t.session, Send({"email": "jane.roe@example.org"}), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SubmitTicket)
    ticket = effect.ticket
    assert ticket.subject == "Suite will not update"
    assert ticket.product == "suite"
    assert [a.question for a in ticket.answers] == ["area", *SOFTWARE, "email"]


def test_the_step_taken_again_brings_its_answers_back() -> None:
    engine = sample_engine("skipped-step")
    t = device_then_software(engine)
    for _ in range(2):  # articles -> software -> triage
        t = engine.handle(t.session, Back(), NOW)
    t = engine.handle(t.session, Next({"area": "device"}), NOW)
    assert {qid: t.view.question(qid).value for qid in DEVICE} == DEVICE
    t = engine.handle(t.session, Next({}), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SearchArticles)
    assert effect.query.product == "router"
    assert effect.query.text == "Router drops the wireless network blinking orange light"
