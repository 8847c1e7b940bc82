"""Answer policies: what becomes of an answer whose question, or chosen option, is hidden.

A definition says, per question or for the whole workflow, ``keep`` (the answer stays in the
session and shows again when its question returns) or ``clear`` (the answer is dropped as
soon as its question or the option chosen is hidden). Either way a hidden answer never
reaches the ticket: the engine builds tickets from visible questions only. This module is a
pure function of the definition and the answers; it never drops an answer whose question
is visible, nor a choice the definition does not know (validation reports that one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kl_contact.definition.answers import AnswerValue
from kl_contact.definition.conditions import ConditionContext, evaluate, questions_referenced
from kl_contact.definition.flow import Flow, compile_flow
from kl_contact.definition.model import Question, Workflow
from kl_contact.questionnaire.validation import visible_options

__all__ = ["apply_answer_policies", "clear_hidden", "visible_answers"]


def visible_answers(
    workflow: Workflow, answers: Mapping[str, AnswerValue], channel: str | None, locale: str
) -> dict[str, AnswerValue]:
    """The answers whose questions show, in asking order: what conditions may read.

    A kept answer of a hidden question must not show or require other questions, nor pick a
    route: each question's ``when`` is read against the visible answers before it (lint
    makes sure conditions read only earlier questions).
    """
    flow = compile_flow(workflow)
    ctx = flow.context(flow.reads_of(flow.questions), answers, channel, locale)
    return dict(ctx.answers)  # type: ignore[arg-type]  # the answers given, filtered


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


def clear_hidden(
    flow: Flow,
    clearing: Sequence[str],
    answers: Mapping[str, AnswerValue],
    channel: str | None,
    locale: str,
) -> Mapping[str, AnswerValue]:
    """``answers`` after the ``clear`` questions ``clearing`` dropped what is hidden.

    Only these questions are looked at (the flow says which may be affected by a change,
    see :meth:`~kl_contact.definition.flow.Flow.clearing_after`), so the cost follows the
    change, not the workflow. Dropping one answer may hide another question (a cascade), so
    this repeats until nothing changes; it ends because each round removes at least one
    answer or stops. ``answers`` itself comes back when nothing was dropped.
    """
    present = [qid for qid in clearing if qid in answers]
    if not present:
        return answers
    refs: set[str] = set(present)
    for qid in present:
        for option in flow.questions[qid].options:
            refs |= questions_referenced(option.when)
    reads = flow.reads_of(refs)
    out = dict(answers)
    changed = True
    while changed:
        changed = False
        ctx = flow.context(reads, out, channel, locale)
        for qid in present:
            if qid not in out:
                continue
            kept = _kept(flow.questions[qid], out[qid], ctx)
            if kept is None:
                del out[qid]
                changed = True
            elif kept != out[qid]:
                out[qid] = kept
                changed = True
    return out if out != answers else answers


def apply_answer_policies(
    workflow: Workflow, answers: Mapping[str, AnswerValue], channel: str | None, locale: str
) -> dict[str, AnswerValue]:
    """The answers after every ``clear`` policy of the workflow has dropped what is hidden."""
    flow = compile_flow(workflow)
    clearing = sorted(flow.clearing, key=flow.order.__getitem__)
    return dict(clear_hidden(flow, clearing, answers, channel, locale))
