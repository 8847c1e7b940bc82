"""Conditions as data: how the loader reads each form, how a condition is described in
diagrams and lint, which questions it reads, and answers that take a branch on the channel
or the locale."""

from __future__ import annotations

import pytest

from conftest import DEFINITIONS
from kl_contact import answers_for, flow_paths, parse_workflow
from kl_contact.definition.conditions import (
    AllOf,
    AnswerAnswered,
    AnswerEquals,
    AnswerIn,
    AnyOf,
    ChannelIs,
    LocaleIs,
    NotCondition,
    describe,
    questions_referenced,
)

BRANCHES = """    routes:
      - when: {channel: phone}
        to: request
      - when: {all: [{locale: ru}, {answer: category, equals: billing}]}
        to: request
      - when: {any: [{answer: category, equals: other}, {channel: [email]}]}
        to: request
"""
MINI = (DEFINITIONS / "mini.yaml").read_text("utf-8")
BRANCHING = MINI.replace(
    "    routes:\n      - when: {answer: category, equals: other}\n        to: request\n", BRANCHES
)


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (AllOf((AnswerEquals("a", "x"), ChannelIs(("email",)))), "(a = x and channel = email)"),
        (AnyOf((AnswerEquals("a", "x"), LocaleIs(("ru",)))), "(a = x or locale = ru)"),
        (NotCondition(AnswerAnswered("a")), "not a answered"),
        (AnswerAnswered("a", answered=False), "a not answered"),
        (AnswerEquals("consent", True), "consent = true"),
        (AnswerEquals("consent", False), "consent = false"),
        (AnswerIn("a", ("x", "y")), "a in [x, y]"),
        (ChannelIs(("email", "chat")), "channel in [email, chat]"),
        (LocaleIs(("ru", "en")), "locale in [ru, en]"),
    ],
)
def test_describe(condition: object, text: str) -> None:
    assert describe(condition) == text  # type: ignore[arg-type]


def test_questions_referenced_through_every_combinator() -> None:
    condition = AllOf(
        (
            AnyOf((AnswerEquals("a", "x"), ChannelIs(("email",)))),
            NotCondition(AnswerIn("b", ("y",))),
            AnswerAnswered("c"),
            LocaleIs(("ru",)),
        )
    )
    assert questions_referenced(condition) == {"a", "b", "c"}
    assert questions_referenced(AnyOf(())) == set()
    assert questions_referenced(None) == set()


def test_the_loader_reads_every_form_of_condition() -> None:
    workflow = parse_workflow(BRANCHING)
    routes = [r.when for r in workflow.step("question").routes]
    assert routes == [
        ChannelIs(("phone",)),
        AllOf((LocaleIs(("ru",)), AnswerEquals("category", "billing"))),
        AnyOf((AnswerEquals("category", "other"), ChannelIs(("email",)))),
    ]


def test_answers_take_branches_on_the_channel_and_the_locale() -> None:
    workflow = parse_workflow(BRANCHING)
    found = {}
    for path in flow_paths(workflow):
        for item in path.taken:
            if item.kind == "route" and item.condition is not None:
                found.setdefault(describe(item.condition), answers_for(workflow, path))
    by_channel = found["channel = phone"]
    assert by_channel is not None
    assert by_channel.channel == "phone"
    by_locale = found["(locale = ru and category = billing)"]
    assert by_locale is not None
    assert (by_locale.locale, by_locale.answers.get("category")) == ("ru", "billing")


def _ctx(**answers: object) -> object:
    from kl_contact.definition.conditions import ConditionContext

    return ConditionContext(answers=answers, channel="email", locale="en")


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (AnyOf((AnswerEquals("a", "x"), AnswerEquals("b", "y"))), True),
        (AnyOf((AnswerEquals("a", "z"), AnswerEquals("b", "z"))), False),
        (AllOf((AnswerEquals("a", "x"), AnswerEquals("b", "y"))), True),
        (AllOf((AnswerEquals("a", "x"), AnswerEquals("b", "z"))), False),
        (NotCondition(AnswerEquals("a", "x")), False),
        (NotCondition(AnswerEquals("a", "z")), True),
        (AnswerIn("a", ("x", "w")), True),
        # a multiple choice answer is in the values when one of its items is
        (AnswerIn("m", ("z", "x")), True),
        (AnswerIn("m", ("z",)), False),
        (AnswerEquals("m", "w"), True),
        (AnswerAnswered("c"), False),
        (AnswerAnswered("c", answered=False), True),
        (ChannelIs(("email",)), True),
        (LocaleIs(("ru",)), False),
    ],
)
def test_evaluate_each_form(condition: object, holds: bool) -> None:
    from kl_contact.definition.conditions import evaluate

    assert evaluate(condition, _ctx(a="x", b="y", m=("w", "x"))) is holds  # type: ignore[arg-type]
