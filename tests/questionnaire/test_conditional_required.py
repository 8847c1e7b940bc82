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
