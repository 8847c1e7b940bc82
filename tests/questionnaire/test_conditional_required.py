"""``required_when`` is its own condition, read apart from ``when``: a question always shown may
be required only on one channel or after one answer (tests/definitions/conditional-required.yaml).
"""

from __future__ import annotations

import pytest

from conftest import NOW, at_step, sample_engine
from kl_contact import Answer, Next


def test_a_question_is_required_once_its_condition_holds() -> None:
    engine = sample_engine("conditional-required")
    t = at_step(engine)
    assert not t.view.question("serial").required
    t = engine.handle(t.session, Answer({"device": "router"}), NOW)
    assert t.view.question("serial").required


def test_next_stops_on_a_conditionally_required_question_left_empty() -> None:
    engine = sample_engine("conditional-required")
    t = at_step(engine)
    t = engine.handle(t.session, Next({"device": "router"}), NOW)
    assert t.view.step == "details"
    assert [(i.question, i.code) for i in t.session.issues] == [("serial", "answer.required")]
    t = engine.handle(t.session, Next({"serial": "RT-1234"}), NOW)
    assert t.view.kind == "articles"


def test_next_goes_on_when_the_condition_does_not_hold() -> None:
    engine = sample_engine("conditional-required")
    t = at_step(engine)
    t = engine.handle(t.session, Next({"device": "laptop"}), NOW)
    assert t.view.kind == "articles"


@pytest.mark.parametrize(("channel", "required"), [("phone", True), ("email", False)])
def test_a_channel_condition_decides_whether_a_question_is_required(
    channel: str, required: bool
) -> None:
    engine = sample_engine("conditional-required")
    t = at_step(engine, channel)
    assert t.view.question("call_time").required is required
    t = engine.handle(t.session, Next({"device": "laptop"}), NOW)
    assert (t.view.step == "details") is required
    if required:
        assert [(i.question, i.code) for i in t.session.issues] == [
            ("call_time", "answer.required")
        ]


def test_an_answer_to_a_channel_question_shows_the_question_that_reads_it() -> None:
    engine = sample_engine("conditional-required")
    t = at_step(engine, "phone")
    assert "callback_window" not in [q.id for q in t.view.questions]
    t = engine.handle(t.session, Answer({"phone_number": "+44 20 7946 0958"}), NOW)
    assert [q.id for q in t.view.questions][-2:] == ["phone_number", "callback_window"]


def test_revalidation_keeps_an_answer_shown_through_a_channel_question() -> None:
    from kl_contact import revalidate_answers

    engine = sample_engine("conditional-required")
    answers = {
        "device": "laptop",
        "call_time": "mornings",
        "phone_number": "+44 20 7946 0958",
        "callback_window": "after 9",
        "email": "jane.roe@example.org",
    }
    document = {"channel": "phone", "locale": "en", "answers": answers}
    result = revalidate_answers(engine.workflow, document)
    assert result.dropped == ()
    assert dict(result.answers) == answers
