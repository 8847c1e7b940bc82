"""Back returns to the step the user came from, and is never offered where there is none:
not on the first step, not once the user is back there, not on an end step."""

from __future__ import annotations

import pytest

from conftest import NOW, at_step, sample_engine, walk
from kl_contact import Back, ChooseChannel, Continue, Engine, UsageError


def test_back_is_not_offered_on_the_first_step(engine: Engine) -> None:
    first = engine.start(session_id="s-1", now=NOW)
    assert "back" not in first.view.action_types
    assert "back" not in engine.allowed_events(first.session)
    with pytest.raises(UsageError) as excinfo:
        engine.handle(first.session, Back(), NOW)
    assert excinfo.value.code == "event.not_allowed"


def test_back_to_the_first_step_offers_back_no_more(engine: Engine) -> None:
    first = engine.start(session_id="s-1", now=NOW)
    second = engine.handle(first.session, Continue(), NOW)
    assert "back" in second.view.action_types
    returned = engine.handle(second.session, Back(), NOW)
    assert returned.view.step == first.view.step
    assert returned.session.trail == ()
    assert "back" not in returned.view.action_types
    with pytest.raises(UsageError):
        engine.handle(returned.session, Back(), NOW)


def test_back_is_not_offered_on_the_first_step_of_another_definition() -> None:
    engine = sample_engine("skipped-step")
    first = engine.start(session_id="s-1", now=NOW)
    assert first.view.kind == "channel_choice"
    assert first.view.action_types == ("choose_channel", "change_locale")
    t = engine.handle(first.session, ChooseChannel("email"), NOW)
    assert t.view.action_types == ("answer", "next", "back", "change_locale")
    assert at_step(engine).view.step == t.view.step


def test_back_is_not_offered_on_an_end_step(engine: Engine) -> None:
    confirmation = walk(engine, "email", "en")[-1]
    assert confirmation.view.kind == "confirmation"
    assert confirmation.view.action_types == ("rate", "skip_rating")  # neither leaves it
    with pytest.raises(UsageError):
        engine.handle(confirmation.session, Back(), NOW)
