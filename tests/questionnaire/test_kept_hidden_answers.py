"""A kept answer whose question is hidden again stays in the session, and nothing else reads it:
it shows no other question, makes none required, picks no route and reaches no ticket
(tests/definitions/kept-hidden.yaml)."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine
from kl_contact import Answer, Engine, Escalate, Next, Send, SubmitTicket, Transition

EVERY_QUESTION = ["problem", "crash_kind", "boot_details", "error_code", "logs"]


def crash_at_boot(engine: Engine) -> Transition:
    """The problem step with a crash at start-up chosen: the chain is fully shown."""
    t = at_step(engine)
    return engine.handle(
        t.session,
        Answer({"problem": "crash", "crash_kind": "boot", "boot_details": "Disk not found"}),
        NOW,
    )


def test_the_chain_shows_requires_and_routes_while_every_answer_is_visible() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    assert [q.id for q in t.view.questions] == EVERY_QUESTION
    assert t.view.question("logs").required
    t = engine.handle(t.session, Next({"logs": "0x0000007B"}), NOW)
    assert t.view.kind == "request"


def test_a_kept_hidden_answer_shows_no_other_question() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    t = engine.handle(t.session, Answer({"problem": "slow"}), NOW)
    assert t.session.answers["crash_kind"] == "boot"  # kept, as the definition says
    assert t.session.answers["boot_details"] == "Disk not found"
    assert [q.id for q in t.view.questions] == ["problem", "logs"]


def test_a_kept_hidden_answer_makes_no_other_question_required() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    t = engine.handle(t.session, Answer({"problem": "slow"}), NOW)
    assert not t.view.question("logs").required
    t = engine.handle(t.session, Next({}), NOW)
    assert [i.code for i in t.session.issues] == []
    assert t.view.kind != "problem"


def test_a_kept_hidden_answer_picks_no_route() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    t = engine.handle(t.session, Next({"problem": "slow"}), NOW)
    assert t.view.kind == "articles"
    assert engine.next_step(t.session).id == "request"  # the articles step's own next


def test_a_kept_hidden_answer_never_reaches_the_ticket() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    t = engine.handle(t.session, Next({"problem": "slow", "logs": "nothing"}), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    t = engine.handle(t.session, Send({"email": "jane.roe@example.org"}), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SubmitTicket)
    assert [a.question for a in effect.ticket.answers] == ["problem", "logs", "email"]
    assert t.session.answers["crash_kind"] == "boot"


def test_the_hidden_answer_comes_back_with_its_question() -> None:
    engine = sample_engine("kept-hidden")
    t = crash_at_boot(engine)
    t = engine.handle(t.session, Answer({"problem": "slow"}), NOW)
    t = engine.handle(t.session, Answer({"problem": "crash"}), NOW)
    assert t.view.question("crash_kind").value == "boot"
    assert [q.id for q in t.view.questions] == EVERY_QUESTION
