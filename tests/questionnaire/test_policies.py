"""Dependent options, answer policies and rule severities, as a user of the engine sees them."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEFINITIONS, NOW, minimal, russian_only_subject
from kl_contact import (
    Answer,
    ChooseChannel,
    Continue,
    Engine,
    Next,
    Transition,
    default_workflow,
    parse_workflow,
)
from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.questionnaire.answer_policy import apply_answer_policies, visible_answers

WORKFLOW = default_workflow()


def _on_questions(engine: Engine, channel: str = "email") -> Transition:
    t = engine.start(session_id="q-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    return engine.handle(t.session, ChooseChannel(channel), NOW)


def _options(t: Transition, question: str) -> list[str] | None:
    for q in t.view.questions:
        if q.id == question:
            return [o.id for o in q.options]
    return None


def test_dependent_options_follow_the_parent_answer() -> None:
    engine = Engine(WORKFLOW)
    t = _on_questions(engine)
    assert _options(t, "version") is None  # hidden until a product is chosen
    t = engine.handle(t.session, Answer({"product": "standard"}), NOW)
    assert _options(t, "version") == ["v21_latest", "v21_older", "not_sure"]
    t = engine.handle(t.session, Answer({"product": "internet_security"}), NOW)
    assert _options(t, "version") == ["v21", "v20_or_older", "not_sure"]
    # an option of another product's list is dropped at once (hidden_answer: clear)
    t = engine.handle(t.session, Answer({"version": "v21_latest"}), NOW)
    assert "version" not in t.session.answers
    # an option no list has is refused, and stays as given
    t = engine.handle(t.session, Next({"version": "v99"}), NOW)
    issues = {(i.question, i.code) for i in t.session.issues}
    assert ("version", "answer.unknown_option") in issues
    assert t.session.answers["version"] == "v99"


def test_a_cleared_hidden_answer_is_gone_and_never_in_the_ticket() -> None:
    engine = Engine(WORKFLOW)
    t = _on_questions(engine)
    given = {
        "product": "plus",
        "platform": "windows",
        "category": "web_protection",
        "web_component": "firewall",
        "subject": "A safe site is blocked",
    }
    t = engine.handle(t.session, Answer(given), NOW)
    assert t.session.answers["web_component"] == "firewall"
    t = engine.handle(t.session, Answer({"category": "activation"}), NOW)
    assert "web_component" not in t.session.answers  # hidden_answer: clear
    ticket = engine.build_ticket(t.session, "t-1", NOW)
    assert "web_component" not in {a.question for a in ticket.answers}


KEEP = minimal(
    """  - id: ask
    kind: questions
    title: {en: Ask}
    questions:
      - id: kind
        type: single_choice
        label: {en: Kind}
        options: [{id: a, label: {en: A}}, {id: b, label: {en: B}}]
      - id: detail
        type: text
        when: {answer: kind, equals: a}
        label: {en: Detail}
      - id: note
        type: text
        hidden_answer: clear
        when: {answer: detail, answered: true}
        label: {en: Note}
      - id: code
        type: text
        pattern: "[A-Z]{3}-[0-9]+"
        pattern_message: {en: Use the form ABC-123.}
        max_length: 10
        severity: {pattern: warning, max_length: warning}
        label: {en: Code}
"""
)


def test_keep_policy_keeps_a_hidden_answer_out_of_the_ticket_and_brings_it_back() -> None:
    workflow = parse_workflow(KEEP)
    engine = Engine(workflow)
    t = engine.start(session_id="k-1", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"kind": "a", "detail": "typed text", "note": "n"}), NOW)
    t = engine.handle(t.session, Answer({"kind": "b"}), NOW)
    # detail is kept (workflow default), note is cleared: detail is hidden, so note is too
    assert t.session.answers["detail"] == "typed text"
    assert "note" not in t.session.answers
    assert "detail" not in {a.question for a in engine.build_ticket(t.session, "t", NOW).answers}
    t = engine.handle(t.session, Answer({"kind": "a"}), NOW)
    assert {q.id: q.value for q in t.view.questions}["detail"] == "typed text"


def test_workflow_wide_clear_policy() -> None:
    workflow = parse_workflow(
        KEEP.replace("default_locale: en\n", "default_locale: en\nhidden_answers: clear\n")
    )
    out = apply_answer_policies(workflow, {"kind": "b", "detail": "x", "note": "y"}, "email", "en")
    assert out == {"kind": "b"}


def test_a_warning_is_shown_and_does_not_block() -> None:
    workflow = parse_workflow(KEEP)
    engine = Engine(workflow)
    t = engine.start(session_id="w-1", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Next({"kind": "b", "code": "abc-12345678"}), NOW)
    assert t.view.step == "request"  # went on
    issues = {(i.code, i.severity) for i in t.session.issues}
    assert issues == set()
    t = engine.start(session_id="w-2", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"kind": "b", "code": "abc-12345678"}), NOW)
    got = {(i.code, i.severity, i.message) for i in t.session.issues}
    assert got == {
        ("answer.too_long", "warning", "Enter at most 10 characters."),
        ("answer.pattern", "warning", "Use the form ABC-123."),
    }


def test_an_error_rule_blocks_and_keeps_what_was_typed() -> None:
    workflow = parse_workflow(
        KEEP.replace(
            "severity: {pattern: warning, max_length: warning}", "severity: {max_length: warning}"
        )
    )
    engine = Engine(workflow)
    t = engine.start(session_id="e-1", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Next({"kind": "b", "code": "abc-12345678"}), NOW)
    assert t.view.step == "ask"
    assert [(i.code, i.severity) for i in t.session.issues] == [("answer.pattern", "error")]
    assert t.session.answers["code"] == "abc-12345678"


QUESTIONS = WORKFLOW.questions()
_CHOICES: dict[str, Any] = {
    qid: st.sampled_from([o.id for o in q.options]) for qid, q in QUESTIONS.items() if q.options
}


@settings(max_examples=200, deadline=None)
@given(
    answers=st.fixed_dictionaries({}, optional=_CHOICES),
    channel=st.sampled_from(["email", "chat", "phone"]),
)
def test_answer_policies_drop_only_hidden_answers_and_settle(
    answers: dict[str, Any], channel: str
) -> None:
    out = apply_answer_policies(WORKFLOW, answers, channel, "en")
    assert apply_answer_policies(WORKFLOW, out, channel, "en") == out
    ctx = ConditionContext(out, channel, "en")
    for qid, value in answers.items():
        question = QUESTIONS[qid]
        if qid not in out:
            assert WORKFLOW.answer_policy(question).value == "clear"
            shown = evaluate(question.when, ctx) and any(
                o.id == value and evaluate(o.when, ctx) for o in question.options
            )
            assert not shown
        else:
            assert out[qid] == value


def test_an_answer_to_a_question_shown_only_in_the_users_locale_is_visible() -> None:
    workflow = parse_workflow(russian_only_subject())
    answers = {"category": "billing", "subject": "Счёт"}
    assert visible_answers(workflow, answers, "email", "ru") == answers
    assert visible_answers(workflow, answers, "email", "en") == {"category": "billing"}


HIDDEN_OPTIONS = (DEFINITIONS / "hidden-options.yaml").read_text("utf-8")


def test_an_answer_whose_option_is_hidden_goes_and_so_do_the_answers_it_showed() -> None:
    workflow = parse_workflow(HIDDEN_OPTIONS)
    given = {"plan": "y", "kind": "b", "detail": "typed", "extras": ("p",)}
    assert apply_answer_policies(workflow, given, "email", "en") == {"plan": "y", "extras": ("p",)}
    engine = Engine(workflow)
    t = engine.handle(engine.start(session_id="h-1", now=NOW).session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"plan": "x", "kind": "b", "detail": "typed"}), NOW)
    t = engine.handle(t.session, Answer({"plan": "y"}), NOW)
    assert t.session.answers == {"plan": "y"}


def test_a_multiple_choice_loses_only_its_hidden_options_and_goes_when_none_is_left() -> None:
    workflow = parse_workflow(HIDDEN_OPTIONS)
    some = {"plan": "y", "extras": ("p", "q")}
    assert apply_answer_policies(workflow, some, "email", "en") == {"plan": "y", "extras": ("p",)}
    none_left = {"plan": "y", "extras": ("q", "r")}
    assert apply_answer_policies(workflow, none_left, "email", "en") == {"plan": "y"}
    shown = {"plan": "x", "extras": ("q", "r")}
    assert apply_answer_policies(workflow, shown, "email", "en") == shown


def test_an_answer_narrowed_to_its_shown_options_hides_what_the_dropped_one_showed() -> None:
    workflow = parse_workflow(HIDDEN_OPTIONS)
    given = {"plan": "y", "extras": ("p", "q"), "why_q": "because"}
    assert apply_answer_policies(workflow, given, "email", "en") == {"plan": "y", "extras": ("p",)}
