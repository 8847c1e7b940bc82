"""Which questions and options show, and whether the answers given are acceptable.

Everything here is a pure function of the definition, the answers, the channel and the
locale. A user's mistake is returned as :class:`~kl_contact.errors.ValidationIssue` values;
nothing here raises for it, and nothing changes or drops what the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.definition.model import AttachmentPolicy, Option, Question, QuestionType, Step
from kl_contact.errors import Severity, ValidationIssue
from kl_contact.questionnaire.messages import message
from kl_contact.ticket.model import AnswerValue, Attachment

__all__ = [
    "Localizer",
    "is_answered",
    "is_required",
    "validate_answer",
    "validate_step",
    "visible_options",
    "visible_questions",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_STRIP = re.compile(r"[\s().-]")
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")
_TEXT_TYPES = {QuestionType.TEXT, QuestionType.LONG_TEXT, QuestionType.EMAIL, QuestionType.PHONE}


class Localizer:
    """Builds localised issues for one locale, with the definition's message overrides."""

    def __init__(
        self, locale: str, fallback: str, overrides: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.locale = locale
        self.fallback = fallback
        self.overrides = overrides

    def issue(
        self,
        code: str,
        path: tuple[str | int, ...],
        params: Mapping[str, str | int] | None = None,
        severity: Severity = "error",
        text: Mapping[str, str] | None = None,
    ) -> ValidationIssue:
        """An issue whose message is ``text`` (when given) or the message for ``code``."""
        if text is not None:
            overrides: Mapping[str, Mapping[str, str]] = {code: text}
        else:
            overrides = self.overrides
        return ValidationIssue(
            code=code,
            path=path,
            message=message(code, self.locale, self.fallback, params, overrides),
            severity=severity,
            params=dict(params or {}),
        )


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


def is_answered(value: AnswerValue | None) -> bool:
    """Whether a value counts as an answer (a blank text, ``False`` or ``[]`` does not)."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, tuple):
        return len(value) > 0
    return True


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def _bad_file_name(name: str) -> bool:
    if not name or len(name) > 255 or name in {".", ".."}:
        return True
    if "/" in name or "\\" in name or ":" in name:
        return True
    return any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name)


def _check_attachments(
    files: Sequence[Attachment],
    policy: AttachmentPolicy,
    path: tuple[str | int, ...],
    loc: Localizer,
) -> list[ValidationIssue]:
    issues = []
    if len(files) > policy.max_count:
        issues.append(loc.issue("attachment.too_many", path, {"max": policy.max_count}))
    total = 0
    for index, item in enumerate(files):
        where = (*path, index)
        number = index + 1
        total += max(item.size, 0)
        if _bad_file_name(item.name):
            issues.append(loc.issue("attachment.bad_name", where, {"index": number}))
            continue
        extension = "." + item.name.rsplit(".", 1)[-1].lower() if "." in item.name else ""
        if item.media_type.lower() not in policy.media_types or extension not in policy.extensions:
            issues.append(loc.issue("attachment.type_not_allowed", where, {"index": number}))
        if item.size < 0 or item.size > policy.max_size:
            issues.append(
                loc.issue(
                    "attachment.too_large",
                    where,
                    {"index": number, "max_mb": policy.max_size // 2**20},
                )
            )
    if total > policy.max_total_size:
        issues.append(
            loc.issue(
                "attachment.total_too_large", path, {"max_mb": policy.max_total_size // 2**20}
            )
        )
    return issues


def validate_answer(
    question: Question, value: AnswerValue | None, ctx: ConditionContext, loc: Localizer
) -> list[ValidationIssue]:
    """Every issue with the answer to one visible question."""
    path: tuple[str | int, ...] = ("answers", question.id)
    if question.type is QuestionType.INFO:
        return []
    if not is_answered(value):
        severity = question.severity_of("required")
        if question.type is QuestionType.CONSENT and is_required(question, ctx):
            return [loc.issue("answer.consent_required", path, severity=severity)]
        if is_required(question, ctx):
            return [loc.issue("answer.required", path, severity=severity)]
        return []
    qtype = question.type
    if qtype is QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str):
            return [loc.issue("answer.wrong_type", path)]
        if value not in {o.id for o in visible_options(question, ctx)}:
            return [loc.issue("answer.unknown_option", path)]
        return []
    if qtype is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
            return [loc.issue("answer.wrong_type", path)]
        allowed = {o.id for o in visible_options(question, ctx)}
        if any(v not in allowed for v in value):
            return [loc.issue("answer.unknown_option", path)]
        if question.min_selected is not None and len(value) < question.min_selected:
            return [_rule(loc, question, "min_selected", "answer.too_few", path)]
        if question.max_selected is not None and len(value) > question.max_selected:
            return [_rule(loc, question, "max_selected", "answer.too_many", path)]
        return []
    if qtype is QuestionType.CONSENT:
        if value is not True:
            return [loc.issue("answer.wrong_type", path)]
        return []
    if qtype is QuestionType.ATTACHMENTS:
        if not isinstance(value, tuple) or not all(isinstance(v, Attachment) for v in value):
            return [loc.issue("answer.wrong_type", path)]
        files = [v for v in value if isinstance(v, Attachment)]
        return _check_attachments(files, question.attachments or AttachmentPolicy(), path, loc)
    # the text types
    if not isinstance(value, str):
        return [loc.issue("answer.wrong_type", path)]
    if qtype in _TEXT_TYPES and _has_control_characters(value):
        return [loc.issue("answer.control_characters", path)]
    text = value.strip()
    # a rule declared as a warning is reported and the checks after it still run
    warnings: list[ValidationIssue] = []
    if question.min_length is not None and len(text) < question.min_length:
        warnings.append(_rule(loc, question, "min_length", "answer.too_short", path))
    if question.max_length is not None and len(text) > question.max_length:
        warnings.append(_rule(loc, question, "max_length", "answer.too_long", path))
    errors = [issue for issue in warnings if issue.severity == "error"]
    if errors:
        return errors[:1]
    if qtype is QuestionType.EMAIL and not _EMAIL.match(text):
        return [loc.issue("answer.invalid_email", path)]
    if qtype is QuestionType.PHONE and not _PHONE.match(_PHONE_STRIP.sub("", text)):
        return [loc.issue("answer.invalid_phone", path)]
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
    text = question.pattern_message if rule == "pattern" else None
    return loc.issue(code, path, params, severity=question.severity_of(rule), text=text)


def validate_step(
    step: Step, answers: Mapping[str, AnswerValue], ctx: ConditionContext, loc: Localizer
) -> list[ValidationIssue]:
    """Every issue with the answers to the visible questions of ``step``."""
    issues: list[ValidationIssue] = []
    for question in visible_questions(step, ctx):
        issues.extend(validate_answer(question, answers.get(question.id), ctx, loc))
    return issues
