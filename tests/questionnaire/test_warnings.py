"""A rule declared as a warning is shown and never blocks: Next and Send go on with it broken
(tests/definitions/warnings.yaml), while the same rule as an error stops them."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine
from kl_contact import Answer, Next, Send, SubmitTicket

BROKEN = {"model": "ab", "extras": ("vpn",)}


def test_warnings_are_shown_on_the_answers_that_break_them() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Answer(BROKEN), NOW)
    issues = {(i.question, i.code, i.severity) for i in t.session.issues}
    assert issues == {
        ("model", "answer.too_short", "warning"),
        ("model", "answer.pattern", "warning"),
        ("extras", "answer.too_few", "warning"),
    }
    assert t.view.question("model").issues


def test_warnings_never_block_next() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Next(BROKEN), NOW)
    assert t.view.kind == "request"
    assert t.session.answers["model"] == "ab"


def test_a_required_rule_as_a_warning_never_blocks_next() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Next({}), NOW)
    assert t.view.kind == "request"


def test_an_unknown_question_in_the_answers_is_a_warning_that_does_not_block() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Answer({"model": "AB-12345", "colour": "red"}), NOW)
    assert [(i.code, i.severity) for i in t.session.issues] == [
        ("answer.unknown_question", "warning")
    ]
    assert "colour" not in t.session.answers
    t = engine.handle(t.session, Next({"colour": "red"}), NOW)
    assert t.view.kind == "request"


def test_warnings_never_block_send() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Next(BROKEN), NOW)
    t = engine.handle(
        t.session, Send({"email": "jane.roe@example.org", "notes": "far too long"}), NOW
    )
    (effect,) = t.effects
    assert isinstance(effect, SubmitTicket)
    assert t.session.status == "submitting"
    notes = next(a for a in effect.ticket.answers if a.question == "notes")
    assert notes.value == "far too long"


def test_an_error_still_blocks_send_beside_a_warning() -> None:
    engine = sample_engine("warnings")
    t = at_step(engine)
    t = engine.handle(t.session, Next(BROKEN), NOW)
    t = engine.handle(t.session, Send({"email": "not an address", "notes": "far too long"}), NOW)
    assert t.effects == ()
    assert t.view.kind == "request"
    severities = {i.question: i.severity for i in t.session.issues}
    assert severities == {"email": "error", "notes": "warning"}
