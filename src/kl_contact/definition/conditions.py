"""Declarative conditions: when a question shows, when an option applies, where a route goes.

A condition is data, never code: ``all`` / ``any`` / ``not`` over comparisons on earlier
answers, on the chosen channel and on the locale. Evaluating one is a pure function of a
:class:`ConditionContext`; nothing here parses strings or calls ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

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
    "Predicate",
    "compile_condition",
    "describe",
    "evaluate",
    "is_answered",
    "questions_referenced",
    "reads_channel",
    "reads_locale",
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
    """Whether a value counts as an answer (a blank text, ``False`` or ``[]`` does not)."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value.strip() != ""
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


Predicate = Callable[[ConditionContext], bool]
"""A compiled condition: a plain function of the context."""


def _always(ctx: ConditionContext) -> bool:
    return True


def compile_condition(condition: Condition | None) -> Predicate:
    """``condition`` as a function of the context, with the same result as :func:`evaluate`.

    The flow compiles each condition once, when a definition is loaded, so that a step
    evaluates closures instead of walking the condition tree.
    """
    if condition is None:
        return _always
    match condition:
        case AllOf(conditions):
            parts = tuple(compile_condition(c) for c in conditions)
            return lambda ctx: all(part(ctx) for part in parts)
        case AnyOf(conditions):
            parts = tuple(compile_condition(c) for c in conditions)
            return lambda ctx: any(part(ctx) for part in parts)
        case NotCondition(inner):
            compiled = compile_condition(inner)
            return lambda ctx: not compiled(ctx)
        case AnswerEquals(question, value):

            def equals(ctx: ConditionContext) -> bool:
                answer = ctx.answers.get(question)
                if isinstance(answer, tuple | list):
                    return value in answer
                return bool(answer == value)

            return equals
        case AnswerIn(question, values):
            members = frozenset(values)

            def among(ctx: ConditionContext) -> bool:
                answer = ctx.answers.get(question)
                if isinstance(answer, tuple | list):
                    return any(item in members for item in answer if isinstance(item, str))
                return isinstance(answer, str) and answer in members

            return among
        case AnswerAnswered(question, answered):
            return lambda ctx: is_answered(ctx.answers.get(question)) == answered
        case ChannelIs(channels):
            return lambda ctx: ctx.channel in channels
        case LocaleIs(locales):
            return lambda ctx: ctx.locale in locales
    raise AssertionError(f"unknown condition node {type(condition).__name__}")  # pragma: no cover


def _reads(condition: Condition | None, kind: type[ChannelIs] | type[LocaleIs]) -> bool:
    match condition:
        case AllOf(conditions) | AnyOf(conditions):
            return any(_reads(inner, kind) for inner in conditions)
        case NotCondition(inner):
            return _reads(inner, kind)
    return isinstance(condition, kind)


def reads_channel(condition: Condition | None) -> bool:
    """Whether ``condition`` reads the chosen channel."""
    return _reads(condition, ChannelIs)


def reads_locale(condition: Condition | None) -> bool:
    """Whether ``condition`` reads the session's locale."""
    return _reads(condition, LocaleIs)


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
