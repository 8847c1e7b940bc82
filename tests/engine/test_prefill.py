"""Prefilled answers: the host's values are checked like typed ones, read-only ones stay,
and nothing the host sends is lost without an issue saying so."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import DETAILS, NOW, answer_effects
from kl_contact import (
    Answer,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Next,
    Send,
    Transition,
    UsageError,
    dump_session,
    load_session,
)
from kl_contact.definition.model import PrefillMode
from kl_contact.limits import Limits
from kl_contact.schemas import violations

KNOWN = {"product": "premium", "version": "v21_latest", "platform": "windows"}
QUESTIONS = {"category": "vpn", "subject": "The VPN does not connect"}


def _to_questions(engine: Engine, prefill: dict[str, Any], locale: str = "en") -> Transition:
    started = engine.start(session_id="p-1", now=NOW, locale=locale, prefill=prefill)
    moved = engine.handle(started.session, Continue(), NOW)
    return engine.handle(moved.session, ChooseChannel("email"), NOW)


def _send(engine: Engine, transition: Transition, answers: dict[str, Any]) -> Transition:
    moved = engine.handle(transition.session, Next(answers), NOW)
    assert moved.view.kind == "articles", [i.code for i in moved.view.issues]
    moved = next(iter(answer_effects(engine, moved, NOW)))
    moved = engine.handle(moved.session, Escalate(), NOW)
    return engine.handle(moved.session, Send(dict(DETAILS)), NOW)


def test_the_default_workflow_declares_product_version_and_platform(engine: Engine) -> None:
    assert dict(engine.workflow.prefill) == {
        "product": PrefillMode.READ_ONLY,
        "version": PrefillMode.READ_ONLY,
        "platform": PrefillMode.EDITABLE,
    }


def test_prefilled_answers_show_marked_and_read_only_ones_locked(engine: Engine) -> None:
    started = engine.start(session_id="p-1", now=NOW, locale="en", prefill=KNOWN)
    assert started.view.issues == ()
    assert started.session.prefilled == ("product", "version", "platform")
    view = _to_questions(engine, KNOWN).view
    shown = {q.id: (q.value, q.prefilled, q.read_only) for q in view.questions}
    assert shown["product"] == ("premium", True, True)
    assert shown["version"] == ("v21_latest", True, True)
    assert shown["platform"] == ("windows", True, False)
    assert shown["category"] == (None, False, False)


def test_a_read_only_answer_cannot_be_changed_and_the_rest_is_kept(engine: Engine) -> None:
    on_questions = _to_questions(engine, KNOWN)
    changed = engine.handle(
        on_questions.session, Answer({"product": "plus", "category": "vpn"}), NOW
    )
    assert [(i.code, i.path) for i in changed.view.question("product").issues] == [
        ("answer.read_only", ("answers", "product"))
    ]
    assert changed.session.answers["product"] == "premium"
    assert changed.session.answers["category"] == "vpn"
    assert changed.view.question("product").read_only is True


def test_next_with_a_changed_read_only_answer_stays_on_the_step(engine: Engine) -> None:
    on_questions = _to_questions(engine, KNOWN)
    refused = engine.handle(on_questions.session, Next({**QUESTIONS, "version": "v21_older"}), NOW)
    assert refused.view.step == on_questions.view.step
    assert "answer.read_only" in [i.code for q in refused.view.questions for i in q.issues]
    same = engine.handle(on_questions.session, Next({**QUESTIONS, "version": "v21_latest"}), NOW)
    assert same.view.kind == "articles"


def test_an_editable_answer_the_user_changes_is_no_longer_prefilled(engine: Engine) -> None:
    on_questions = _to_questions(engine, KNOWN)
    changed = engine.handle(on_questions.session, Answer({"platform": "android"}), NOW)
    assert changed.session.answers["platform"] == "android"
    assert changed.session.prefilled == ("product", "version")
    assert changed.view.question("platform").prefilled is False
    assert changed.view.question("platform").issues == ()


def test_the_ticket_marks_the_answers_that_are_still_prefilled(engine: Engine) -> None:
    on_questions = _to_questions(engine, KNOWN)
    sent = _send(engine, on_questions, {**QUESTIONS, "platform": "android"})
    (effect,) = sent.effects
    marks = {a.question: a.prefilled for a in effect.ticket.answers}  # type: ignore[union-attr]
    assert marks["product"] is True
    assert marks["version"] is True
    assert marks["platform"] is False
    assert marks["category"] is False


def test_an_invalid_value_is_kept_unmarked_with_its_issue_and_can_be_fixed(
    engine: Engine,
) -> None:
    started = engine.start(
        session_id="p-2", now=NOW, locale="ru", prefill={"product": "nope", "platform": "ios"}
    )
    assert [(i.code, i.path) for i in started.view.issues] == [
        ("answer.unknown_option", ("answers", "product"))
    ]
    assert started.view.issues[0].message == "Выберите вариант из списка."
    assert started.session.answers == {"product": "nope", "platform": "ios"}
    assert started.session.prefilled == ("platform",)
    view = _to_questions(engine, {"product": "nope"}, "ru").view
    product = view.question("product")
    assert (product.value, product.prefilled, product.read_only) == ("nope", False, False)
    assert [i.code for i in product.issues] == ["answer.unknown_option"]
    fixed = engine.handle(
        _to_questions(engine, {"product": "nope"}).session, Answer({"product": "plus"}), NOW
    )
    assert fixed.session.answers["product"] == "plus"
    assert fixed.session.prefill_issues == ()
    assert fixed.view.question("product").issues == ()


def test_a_version_is_checked_against_the_product_prefilled_with_it(engine: Engine) -> None:
    legacy = engine.start(
        session_id="p-3",
        now=NOW,
        locale="en",
        prefill={"product": "total_security", "version": "v21_latest"},
    )
    assert [(i.code, i.question) for i in legacy.session.prefill_issues] == [
        ("answer.unknown_option", "version")
    ]
    assert legacy.session.prefilled == ("product",)


def test_undeclared_and_unknown_questions_are_left_out_with_a_warning(engine: Engine) -> None:
    started = engine.start(
        session_id="p-4",
        now=NOW,
        locale="en",
        prefill={"category": "vpn", "nowhere": "x", "product": "plus"},
    )
    assert [(i.code, i.path, i.severity) for i in started.view.issues] == [
        ("prefill.not_allowed", ("prefill", "category"), "warning"),
        ("prefill.not_allowed", ("prefill", "nowhere"), "warning"),
    ]
    assert started.session.answers == {"product": "plus"}
    moved = engine.handle(started.session, Continue(), NOW)
    assert moved.view.issues == ()  # the host saw it on the first view


def test_a_value_of_no_answer_shape_is_an_issue_not_an_exception(engine: Engine) -> None:
    started = engine.start(session_id="p-5", now=NOW, locale="en", prefill={"product": 7})
    assert [(i.code, i.question) for i in started.view.issues] == [("answer.wrong_type", "product")]
    assert started.session.answers == {}


def test_too_many_prefilled_answers_are_refused_like_an_event() -> None:
    from kl_contact import default_workflow

    small = Engine(default_workflow(), limits=Limits(answers=2))
    with pytest.raises(UsageError) as refused:
        small.start(session_id="p-6", now=NOW, prefill={"a": "1", "b": "2", "c": "3"})
    assert refused.value.code == "limit.answers"


def test_a_prefill_that_is_no_mapping_is_the_hosts_mistake(engine: Engine) -> None:
    with pytest.raises(UsageError) as refused:
        engine.start(session_id="p-9", now=NOW, prefill=["product"])  # type: ignore[arg-type]
    assert refused.value.code == "prefill.invalid"
    odd = engine.start(session_id="p-9", now=NOW, prefill={3: "x"})  # type: ignore[dict-item]
    assert [(i.code, i.path) for i in odd.session.prefill_issues] == [
        ("prefill.not_allowed", ("prefill", "3"))
    ]


def test_a_prefilled_session_round_trips_through_its_schema(engine: Engine) -> None:
    started = engine.start(
        session_id="p-7", now=NOW, locale="en", prefill={**KNOWN, "category": "vpn"}
    )
    document = dump_session(started.session)
    assert list(violations("session", document)) == []
    assert load_session(document) == started.session


_VALUES = st.one_of(
    st.text(max_size=20),
    st.booleans(),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_IDS = st.sampled_from(["product", "version", "platform", "category", "email", "consent", "zz"])


@given(prefill=st.dictionaries(_IDS | st.text(max_size=8) | st.integers(), _VALUES, max_size=6))
def test_any_prefill_starts_a_session_and_accounts_for_every_value(
    prefill: dict[Any, Any],
) -> None:
    from kl_contact import default_workflow

    engine = Engine(default_workflow())
    started = engine.start(session_id="p-h", now=NOW, locale="en", prefill=prefill)
    session = started.session
    assert list(violations("session", dump_session(session))) == []
    about = {i.path[1] for i in session.prefill_issues}
    for qid in prefill:
        # every value the host sent is either the answer or named by an issue
        assert qid in session.answers or str(qid) in about
    assert set(session.prefilled) <= set(session.answers)
    for qid in session.prefilled:
        assert qid not in {i.question for i in session.prefill_issues if i.severity == "error"}


def test_on_a_first_step_that_asks_the_issue_shows_on_its_question_once() -> None:
    from conftest import sample_engine

    engine = sample_engine("licence-key")
    started = engine.start(
        session_id="p-8", now=NOW, prefill={"key": "not a key", "problem": "activation"}
    )
    assert [(i.code, i.path) for i in started.view.issues] == [
        ("prefill.not_allowed", ("prefill", "problem"))
    ]
    key = started.view.question("key")
    assert (key.value, key.prefilled, [i.code for i in key.issues]) == (
        "not a key",
        False,
        ["answer.pattern"],
    )
    fixed = engine.handle(started.session, Answer({"key": "ABCDE-12345-FGHIJ-67890"}), NOW)
    assert fixed.view.question("key").issues == ()
    assert fixed.view.issues == ()


@given(
    attempts=st.lists(
        st.dictionaries(
            st.sampled_from(["product", "version", "platform", "category"]),
            st.sampled_from(["plus", "premium", "v21_older", "v21_latest", "android", "vpn"]),
            min_size=1,
        ),
        max_size=5,
    )
)
def test_no_answer_event_changes_a_read_only_answer(attempts: list[dict[str, str]]) -> None:
    from kl_contact import default_workflow

    engine = Engine(default_workflow())
    moved = _to_questions(engine, KNOWN)
    for answers in attempts:
        moved = engine.handle(moved.session, Answer(dict(answers)), NOW)
        assert moved.session.answers["product"] == "premium"
        assert moved.session.answers["version"] == "v21_latest"
        assert {"product", "version"} <= set(moved.session.prefilled)
        refused = {
            i.question
            for i in moved.view.issues + tuple(i for q in moved.view.questions for i in q.issues)
            if i.code == "answer.read_only"
        }
        assert refused == {
            q for q in ("product", "version") if q in answers and answers[q] != KNOWN[q]
        }
