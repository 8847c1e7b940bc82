"""Which questions and options show, and whether the answers given are acceptable.

Everything here is a pure function of the definition, the answers, the channel and the
locale. A user's mistake is returned as :class:`~kl_contact.errors.ValidationIssue` values;
nothing here raises for it, and nothing changes or drops what the user typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kl_contact._text import visible_length
from kl_contact.definition.answers import AnswerValue
from kl_contact.definition.conditions import ConditionContext, evaluate, is_answered
from kl_contact.definition.flow import Flow
from kl_contact.definition.model import Option, Question, QuestionType, Step
from kl_contact.errors import ValidationIssue
from kl_contact.messages import Localizer, reworded
from kl_contact.questionnaire.fields import check_field_type

__all__ = [
    "Localizer",
    "is_answered",
    "is_required",
    "issue_in_locale",
    "validate_answer",
    "validate_step",
    "visible_options",
    "visible_questions",
]


def issue_in_locale(flow: Flow, issue: ValidationIssue, locale: str) -> ValidationIssue:
    """``issue`` worded in ``locale`` from its code and params (issues are data).

    A question's pattern keeps its own message; a closed channel's issue, whose params name
    channels in the locale it was found in, stays as it is.
    """
    if issue.code == "channel.closed":
        return issue
    workflow = flow.workflow
    text = None
    if issue.code == "answer.pattern" and issue.question is not None:
        question = flow.questions.get(issue.question)
        text = question.pattern_message if question is not None else None
    return reworded(issue, locale, workflow.default_locale, workflow.messages, text)


def visible_questions(step: Step, ctx: ConditionContext) -> list[Question]:
    """The questions of ``step`` whose ``when`` holds."""
    return [q for q in step.questions if evaluate(q.when, ctx)]


def visible_options(question: Question, ctx: ConditionContext) -> list[Option]:
    """The options of ``question`` whose ``when`` holds."""
    return [o for o in question.options if evaluate(o.when, ctx)]


def is_required(question: Question, ctx: ConditionContext) -> bool:
    """Whether ``question`` must be answered now."""
    return question.required or (
        question.required_when is not None and evaluate(question.required_when, ctx)
    )


def validate_answer(
    question: Question,
    value: AnswerValue | None,
    ctx: ConditionContext,
    loc: Localizer,
    phone_region: str | None = None,
) -> list[ValidationIssue]:
    """Every issue with the answer to one visible question.

    A missing answer is checked against the required rules; a given one first against its
    field type (:func:`~kl_contact.questionnaire.fields.check_field_type`), then against the
    question's rules (lengths, counts, pattern).
    """
    path: tuple[str | int, ...] = ("answers", question.id)
    if question.type is QuestionType.INFO:
        return []
    if value is None or not is_answered(value):
        severity = question.severity_of("required")
        if question.type is QuestionType.CONSENT and is_required(question, ctx):
            return [loc.issue("answer.consent_required", path, severity=severity)]
        if is_required(question, ctx):
            return [loc.issue("answer.required", path, severity=severity)]
        return []
    issues = check_field_type(question, value, ctx, loc, phone_region)
    if issues:
        return issues
    return _check_rules(question, value, path, loc)


def _check_rules(
    question: Question, value: AnswerValue, path: tuple[str | int, ...], loc: Localizer
) -> list[ValidationIssue]:
    """The question's own limits on a well-formed answer: counts, lengths and pattern."""
    if question.type is QuestionType.MULTIPLE_CHOICE and isinstance(value, tuple):
        if question.min_selected is not None and len(value) < question.min_selected:
            return [_rule(loc, question, "min_selected", "answer.too_few", path)]
        if question.max_selected is not None and len(value) > question.max_selected:
            return [_rule(loc, question, "max_selected", "answer.too_many", path)]
        return []
    if not isinstance(value, str):
        return []
    text = value.strip()
    # a rule declared as a warning is reported and the checks after it still run
    warnings: list[ValidationIssue] = []
    if question.min_length is not None or question.max_length is not None:
        seen = visible_length(text)  # what a reader sees: zero-width characters do not count
        if question.min_length is not None and seen < question.min_length:
            warnings.append(_rule(loc, question, "min_length", "answer.too_short", path))
        if question.max_length is not None and seen > question.max_length:
            warnings.append(_rule(loc, question, "max_length", "answer.too_long", path))
    errors = [issue for issue in warnings if issue.severity == "error"]
    if errors:
        return errors[:1]
    if question.pattern is not None and not re.fullmatch(question.pattern, text):
        issue = _rule(loc, question, "pattern", "answer.pattern", path)
        if issue.severity == "error":
            return [issue]
        warnings.append(issue)
    return warnings


def _rule(
    loc: Localizer, question: Question, rule: str, code: str, path: tuple[str | int, ...]
) -> ValidationIssue:
    """The issue for a failed declared rule, with the severity the definition gives it."""
    params: dict[str, str | int] = {}
    limit = getattr(question, rule)
    if rule.startswith("min_"):
        params["min"] = limit
    elif rule.startswith("max_"):
        params["max"] = limit
    elif rule == "pattern":
        params["pattern"] = limit
    text = question.pattern_message if rule == "pattern" else None
    return loc.issue(code, path, params, severity=question.severity_of(rule), text=text)


def validate_step(
    step: Step,
    answers: Mapping[str, AnswerValue],
    ctx: ConditionContext,
    loc: Localizer,
    phone_region: str | None = None,
) -> list[ValidationIssue]:
    """Every issue with the answers to the visible questions of ``step``.

    ``phone_region`` is where a phone number without a country code is read
    (see :func:`~kl_contact.questionnaire.fields.phone_region`).
    """
    issues: list[ValidationIssue] = []
    for question in visible_questions(step, ctx):
        issues.extend(validate_answer(question, answers.get(question.id), ctx, loc, phone_region))
    return issues
