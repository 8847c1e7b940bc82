"""The flow of a workflow as data: its transitions, every path from start to an end, and
answers that take a given path.

The transitions listed here are the compiled flow's (:mod:`kl_contact.definition.flow`),
the same table the engine's transition looks up: on a step's way out, its routes are tried
in order and the default next step is taken when none holds; an articles step also ends on
its ``on_helped`` step when an article helped. The diagram
(:mod:`kl_contact.definition.diagram`) and ``kl-contact paths`` both read that table, never
a copy of the rules. Nothing here runs a session or does I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import attrs

from kl_contact.definition.conditions import (
    AllOf,
    AnswerAnswered,
    AnswerEquals,
    AnswerIn,
    AnyOf,
    ChannelIs,
    Condition,
    ConditionContext,
    LocaleIs,
    NotCondition,
    evaluate,
)
from kl_contact.definition.flow import StepTransition, compile_flow
from kl_contact.definition.model import TERMINAL_KINDS, QuestionType, Workflow

__all__ = [
    "FlowPath",
    "PathAnswers",
    "StepTransition",
    "answers_for",
    "flow_paths",
    "transitions",
]

MAX_PATHS = 10_000
"""The most paths :func:`flow_paths` lists (a guard against definitions that branch wildly)."""

MAX_COMBINATIONS = 200_000
"""The most candidate answer sets :func:`answers_for` tries before giving up."""


def transitions(workflow: Workflow) -> list[StepTransition]:
    """Every transition of ``workflow``, step by step, in the order the engine tries them
    (the compiled flow's table, see :mod:`kl_contact.definition.flow`)."""
    return list(compile_flow(workflow).moves)


@attrs.frozen
class FlowPath:
    """One path from the start to an end: the steps, and the transitions taken at each.

    ``branches`` are the transitions taken at branch points (steps with more than one way
    out): they say which answers take this path.
    """

    steps: tuple[str, ...]
    taken: tuple[StepTransition, ...]
    branches: tuple[StepTransition, ...]

    @property
    def end(self) -> str:
        """The end step of the path."""
        return self.steps[-1]

    def describe(self) -> str:
        """The path on one line, then one indented line per branch point."""
        lines = [" -> ".join(self.steps)]
        for branch in self.branches:
            lines.append(f"  at {branch.source}: {branch.label} -> {branch.target}")
        return "\n".join(lines)


def flow_paths(workflow: Workflow) -> list[FlowPath]:
    """Every distinct path from the start to an end that visits no step twice.

    A path through a loop is listed once without going round it; at most
    :data:`MAX_PATHS` paths are listed.
    """
    by_source: dict[str, list[StepTransition]] = {}
    for item in transitions(workflow):
        by_source.setdefault(item.source, []).append(item)
    ends = {s.id for s in workflow.steps if s.kind in TERMINAL_KINDS}
    out: list[FlowPath] = []

    def visit(step: str, steps: tuple[str, ...], taken: tuple[StepTransition, ...]) -> None:
        if len(out) >= MAX_PATHS:
            return
        if step in ends:
            branches = tuple(t for t in taken if len(by_source[t.source]) > 1)
            out.append(FlowPath(steps, taken, branches))
            return
        for item in by_source.get(step, []):
            if item.target not in steps:
                visit(item.target, (*steps, item.target), (*taken, item))

    start = workflow.start.id
    visit(start, (start,), ())
    return out


@attrs.frozen
class PathAnswers:
    """Answers, a channel and a locale under which every branch of a path is taken."""

    answers: dict[str, object]
    channel: str | None
    locale: str


def _refs(condition: Condition) -> Iterator[tuple[str, str | None, object]]:
    """(kind, question, value) for every leaf a condition reads."""
    match condition:
        case AllOf(inner) | AnyOf(inner):
            for item in inner:
                yield from _refs(item)
        case NotCondition(inner):
            yield from _refs(inner)
        case AnswerEquals(question, value):
            yield "answer", question, value
        case AnswerIn(question, values):
            for value in values:
                yield "answer", question, value
        case AnswerAnswered(question):
            yield "answer", question, None
        case ChannelIs():
            yield "channel", None, None
        case LocaleIs():
            yield "locale", None, None


def _domain(workflow: Workflow, question_id: str, mentioned: Sequence[object]) -> list[object]:
    questions = workflow.questions()
    question = questions.get(question_id)
    values: list[object] = []
    if question is not None and question.options:
        values = [o.id for o in question.options]
    elif question is not None and question.type is QuestionType.CONSENT:
        values = [True]
    else:
        values = [v for v in mentioned if v is not None] + ["text"]
    return [*dict.fromkeys(values), None]


def answers_for(workflow: Workflow, path: FlowPath) -> PathAnswers | None:
    """Answers that take every branch of ``path``, or ``None`` when none exist (or none
    were found within :data:`MAX_COMBINATIONS` tries).

    Only the questions, the channel and the locale that the branch conditions read are set;
    values are tried in definition order, an answer before no answer.
    """
    must: list[Condition] = []
    must_not: list[Condition] = []
    for item in path.taken:
        if item.condition is not None:
            must.append(item.condition)
        must_not.extend(item.unless)
    mentioned: dict[str, list[object]] = {}
    reads_channel = reads_locale = False
    for condition in (*must, *must_not):
        for kind, question, value in _refs(condition):
            if kind == "answer" and question is not None:
                mentioned.setdefault(question, []).append(value)
            reads_channel |= kind == "channel"
            reads_locale |= kind == "locale"
    names = list(mentioned)
    domains = [_domain(workflow, name, mentioned[name]) for name in names]
    channels: list[str | None] = [c.id for c in workflow.channels] if reads_channel else [None]
    locales = list(workflow.locales) if reads_locale else [workflow.default_locale]
    candidates = itertools.product(channels, locales, *domains)
    for tried, (chosen, locale, *values) in enumerate(candidates):
        if tried >= MAX_COMBINATIONS:
            return None
        channel = chosen if isinstance(chosen, str) else None
        answers = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        ctx = ConditionContext(answers=answers, channel=channel, locale=str(locale))
        if all(evaluate(c, ctx) for c in must) and not any(evaluate(c, ctx) for c in must_not):
            return PathAnswers(answers=answers, channel=channel, locale=str(locale))
    return None
