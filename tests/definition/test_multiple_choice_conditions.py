"""Conditions over a multiple-choice answer: ``equals`` means the answer contains the option,
``in`` means it shares one with the list (tests/definitions/multiple-choice.yaml)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, at_step, sample_engine
from kl_contact import Answer, Next

ENGINE = sample_engine("multiple-choice")
SYMPTOMS = ("slow", "crash", "popup", "ads")


def test_equals_holds_when_the_choice_is_among_others() -> None:
    t = at_step(ENGINE)
    t = ENGINE.handle(t.session, Answer({"symptoms": ("slow", "crash")}), NOW)
    assert [q.id for q in t.view.questions] == ["symptoms", "crash_log"]


def test_equals_does_not_hold_when_the_choice_is_missing() -> None:
    t = at_step(ENGINE)
    t = ENGINE.handle(t.session, Answer({"symptoms": ("slow", "popup")}), NOW)
    assert [q.id for q in t.view.questions] == ["symptoms"]


def test_in_routes_when_one_choice_is_in_the_list() -> None:
    t = at_step(ENGINE)
    t = ENGINE.handle(t.session, Next({"symptoms": ("slow", "ads")}), NOW)
    assert t.view.kind == "request"


def test_in_does_not_route_when_no_choice_is_in_the_list() -> None:
    t = at_step(ENGINE)
    t = ENGINE.handle(t.session, Next({"symptoms": ("slow", "crash")}), NOW)
    assert t.view.kind == "articles"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(SYMPTOMS), min_size=1, max_size=4, unique=True))
def test_any_selection_shows_and_routes_by_containment(chosen: list[str]) -> None:
    t = at_step(ENGINE)
    t = ENGINE.handle(t.session, Answer({"symptoms": tuple(chosen)}), NOW)
    shown = [q.id for q in t.view.questions]
    assert ("crash_log" in shown) is ("crash" in chosen)
    t = ENGINE.handle(t.session, Next({}), NOW)
    routed = bool({"popup", "ads"} & set(chosen))
    assert t.view.kind == ("request" if routed else "articles")
