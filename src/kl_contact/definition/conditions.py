"""Declarative conditions: when a question shows, when an option applies, where a route goes.

A condition is data, never code: ``all`` / ``any`` / ``not`` over comparisons on earlier
answers, on the chosen channel and on the locale. Evaluating one is a pure function of a
:class:`ConditionContext`; nothing here parses strings or calls ``eval``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kl_contact._text import visible_length

__all__ = [
    "AllOf",
    "AnswerAnswered",
    "AnswerEquals",
    "AnswerIn",
    "AnyOf",
    "ChannelIs",
    "Condition",
    "ConditionContext",
    "LocaleIs",
    "NotCondition",
    "describe",
    "evaluate",
    "is_answered",
    "questions_referenced",
]


@attrs.frozen
class AllOf:
    """Holds when every inner condition holds (``{all: [...]}``)."""

    conditions: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    """Holds when at least one inner condition holds (``{any: [...]}``)."""

    conditions: tuple[Condition, ...]


@attrs.frozen
class NotCondition:
    """Holds when the inner condition does not (``{not: {...}}``)."""

    condition: Condition


@attrs.frozen
class AnswerEquals:
    """The answer to ``question`` is ``value`` (for a multiple choice: contains it)."""

    question: str
    value: str | bool


@attrs.frozen
class AnswerIn:
    """The answer to ``question`` is one of ``values`` (multiple choice: shares one)."""

    question: str
    values: tuple[str, ...]


@attrs.frozen
class AnswerAnswered:
    """The question has (``answered: true``) or lacks (``false``) a non-empty answer."""

    question: str
    answered: bool = True


@attrs.frozen
class ChannelIs:
    """The chosen channel is one of ``channels``."""

    channels: tuple[str, ...]


@attrs.frozen
class LocaleIs:
    """The session's locale is one of ``locales``."""

    locales: tuple[str, ...]


Condition = (
    AllOf | AnyOf | NotCondition | AnswerEquals | AnswerIn | AnswerAnswered | ChannelIs | LocaleIs
)
"""Any condition node."""


@attrs.frozen
class ConditionContext:
    """What a condition may look at: the answers so far, the channel and the locale."""

    answers: Mapping[str, object]
    channel: str | None
    locale: str


def is_answered(value: object) -> bool:
    """Whether a value counts as an answer (a blank text, ``False`` or ``[]`` does not).

    A text counts when a reader would see something in it: zero-width, control and other
    invisible characters alone are blank (:func:`~kl_contact._text.visible_length`).
    """
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return visible_length(value) > 0
    if isinstance(value, Sequence):
        return len(value) > 0
    return True


def evaluate(condition: Condition | None, ctx: ConditionContext) -> bool:
    """Evaluate ``condition`` against ``ctx``; ``None`` (no condition) always holds."""
    if condition is None:
        return True
    match condition:
        case AllOf(conditions):
            return all(evaluate(c, ctx) for c in conditions)
        case AnyOf(conditions):
            return any(evaluate(c, ctx) for c in conditions)
        case NotCondition(inner):
            return not evaluate(inner, ctx)
        case AnswerEquals(question, value):
            answer = ctx.answers.get(question)
            if isinstance(answer, tuple | list):
                return value in answer
            return answer == value
        case AnswerIn(question, values):
            answer = ctx.answers.get(question)
            if isinstance(answer, tuple | list):
                return any(item in values for item in answer)
            return answer in values
        case AnswerAnswered(question, answered):
            return is_answered(ctx.answers.get(question)) == answered
        case ChannelIs(channels):
            return ctx.channel in channels
        case LocaleIs(locales):
            return ctx.locale in locales
    raise AssertionError(f"unknown condition node {type(condition).__name__}")  # pragma: no cover


def questions_referenced(condition: Condition | None) -> set[str]:
    """Every question id a condition reads (for lint and for dependency tracking)."""
    if condition is None:
        return set()
    match condition:
        case AllOf(conditions) | AnyOf(conditions):
            out: set[str] = set()
            for inner in conditions:
                out |= questions_referenced(inner)
            return out
        case NotCondition(inner):
            return questions_referenced(inner)
        case AnswerEquals(question) | AnswerIn(question) | AnswerAnswered(question):
            return {question}
    return set()


def describe(condition: Condition) -> str:
    """A short, stable, human-readable form of a condition (for diagrams, paths and lint).

    >>> describe(AnyOf((AnswerEquals("category", "other"), ChannelIs(("phone",)))))
    '(category = other or channel = phone)'
    """
    match condition:
        case AllOf(conditions):
            return "(" + " and ".join(describe(c) for c in conditions) + ")"
        case AnyOf(conditions):
            return "(" + " or ".join(describe(c) for c in conditions) + ")"
        case NotCondition(inner):
            return f"not {describe(inner)}"
        case AnswerEquals(question, value):
            shown = str(value).lower() if isinstance(value, bool) else value
            return f"{question} = {shown}"
        case AnswerIn(question, values):
            return f"{question} in [{', '.join(values)}]"
        case AnswerAnswered(question, answered):
            return f"{question} answered" if answered else f"{question} not answered"
        case ChannelIs(channels):
            if len(channels) == 1:
                return f"channel = {channels[0]}"
            return f"channel in [{', '.join(channels)}]"
        case LocaleIs(locales):
            if len(locales) == 1:
                return f"locale = {locales[0]}"
            return f"locale in [{', '.join(locales)}]"
    raise AssertionError(f"unknown condition node {type(condition).__name__}")  # pragma: no cover
