"""Answer policies: what becomes of an answer whose question, or chosen option, is hidden.

A definition says, per question or for the whole workflow, ``keep`` (the answer stays in the
session and shows again when its question returns) or ``clear`` (the answer is dropped as
soon as its question or the option chosen is hidden). Either way a hidden answer never
reaches the ticket: the engine builds tickets from visible questions only. This module is a
pure function of the definition and the answers; it never drops an answer whose question
is visible, nor a choice the definition does not know (validation reports that one).
"""

from __future__ import annotations

from collections.abc import Mapping

from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.definition.model import AnswerPolicy, Question, Workflow
from kl_contact.questionnaire.validation import visible_options
from kl_contact.ticket.model import AnswerValue

__all__ = ["apply_answer_policies", "visible_answers"]


def visible_answers(
    workflow: Workflow, answers: Mapping[str, AnswerValue], channel: str | None, locale: str
) -> dict[str, AnswerValue]:
    """The answers whose questions show, in asking order: what conditions may read.

    A kept answer of a hidden question must not show or require other questions, nor pick a
    route: each question's ``when`` is read against the visible answers before it (lint
    makes sure conditions read only earlier questions).
    """
    out: dict[str, AnswerValue] = {}
    for step in workflow.steps:
        for question in step.questions:
            ctx = ConditionContext(answers=out, channel=channel, locale=locale)
            if question.id in answers and evaluate(question.when, ctx):
                out[question.id] = answers[question.id]
    return out


def _kept(question: Question, value: AnswerValue, ctx: ConditionContext) -> AnswerValue | None:
    """``value`` without the options that are hidden now; ``None`` when nothing is left."""
    if not evaluate(question.when, ctx):
        return None
    if not question.options:
        return value
    known = {o.id for o in question.options}
    shown = {o.id for o in visible_options(question, ctx)}
    if isinstance(value, str):
        return None if value in known and value not in shown else value
    if isinstance(value, tuple):
        chosen = [v for v in value if isinstance(v, str)]
        if len(chosen) == len(value):
            left = tuple(v for v in chosen if v not in known - shown)
            return left if left or not value else None
    return value


def apply_answer_policies(
    workflow: Workflow, answers: Mapping[str, AnswerValue], channel: str | None, locale: str
) -> dict[str, AnswerValue]:
    """The answers after every ``clear`` policy has dropped what is hidden.

    Dropping one answer may hide another question (a cascade), so this repeats until
    nothing changes; it ends because each round removes at least one answer or stops.
    """
    out = dict(answers)
    clearing = [
        q for q in workflow.questions().values() if workflow.answer_policy(q) is AnswerPolicy.CLEAR
    ]
    changed = True
    while changed:
        changed = False
        seen = visible_answers(workflow, out, channel, locale)
        ctx = ConditionContext(answers=seen, channel=channel, locale=locale)
        for question in clearing:
            if question.id not in out:
                continue
            kept = _kept(question, out[question.id], ctx)
            if kept is None:
                del out[question.id]
                changed = True
            elif kept != out[question.id]:
                out[question.id] = kept
                changed = True
    return out
