"""The compiled flow: one immutable table per step, the one place that knows "what next".

Loading a definition compiles it, once, into a :class:`Flow`. Each step's
:class:`StepTable` holds the events the step accepts, its ways out by event (routes in the
order they are tried, with their conditions compiled, then the default next step, and an
articles step's ``on_helped``), its terminal flag, the questions it shows and the questions
whose visible answers its conditions read. Everything that asks where a session goes next
reads these tables: the engine's transition, the diagram, ``kl-contact paths``, the
linter's reachability checks, re-validation and migration. The rule is written here alone:
*the first way out whose condition holds is taken.*

Rules of this module: it reads the definition and never changes it; it imports nothing of
the library above ``definition/``; a table, once built, is never mutated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from kl_contact.definition.conditions import (
    Condition,
    ConditionContext,
    Predicate,
    compile_condition,
    describe,
    questions_referenced,
    reads_channel,
    reads_locale,
)
from kl_contact.definition.model import (
    TERMINAL_KINDS,
    AnswerPolicy,
    Question,
    Role,
    Step,
    StepKind,
    Workflow,
)

__all__ = [
    "FOLLOW_UP_EVENT",
    "FOLLOW_UP_LEAVING",
    "HOST_EVENTS",
    "LEAVING_EVENT",
    "LOOKUP_ROLES",
    "RATING_EVENTS",
    "USER_EVENTS",
    "Flow",
    "StepTable",
    "StepTransition",
    "compile_flow",
    "default_next",
    "step_moves",
]

TransitionKind = Literal["route", "next", "helped", "follow_up"]

USER_EVENTS: Mapping[StepKind, tuple[str, ...]] = {
    StepKind.SELF_SERVICE: ("continue",),
    StepKind.CHANNEL_CHOICE: ("choose_channel",),
    StepKind.QUESTIONS: ("answer", "next"),
    StepKind.ARTICLES: ("open_article", "article_helped", "article_not_helpful", "escalate"),
    StepKind.REQUEST: ("answer", "send"),
    StepKind.CONFIRMATION: (),
    StepKind.RESOLVED: (),
    StepKind.FOLLOW_UP: ("answer", "find_request", "add_information", "reopen"),
}
"""The user events (by their ``type`` tag) each kind of step accepts, in the order shown (a
channel choice also accepts ``follow_up`` when the definition offers a follow-up step)."""

FOLLOW_UP_EVENT = "follow_up"
"""The event that leaves a channel choice for a follow-up step ("I already have a request")."""

FOLLOW_UP_LEAVING = ("add_information", "reopen")
"""The events that take a follow-up step's way out, once the request was found."""

RATING_EVENTS: tuple[str, ...] = ("rate", "skip_rating")
"""The user events an end step with ``rating:`` accepts until the user rated or skipped."""

HOST_EVENTS = frozenset(
    {
        "articles_found",
        "articles_failed",
        "ticket_accepted",
        "ticket_rejected",
        "request_found",
        "request_not_found",
    }
)
"""The events a host sends with the results of effects; any step receives them."""

LEAVING_EVENT: Mapping[StepKind, str] = {
    StepKind.SELF_SERVICE: "continue",
    StepKind.CHANNEL_CHOICE: "choose_channel",
    StepKind.QUESTIONS: "next",
    StepKind.ARTICLES: "escalate",
    StepKind.REQUEST: "ticket_accepted",
}
"""The event that takes a step's routes and default next step (a request leaves when the
backend accepted its ticket)."""


LOOKUP_ROLES = frozenset({Role.REQUEST_NUMBER, Role.CONTACT_EMAIL})
"""The roles of a follow-up step's questions that a lookup sends."""


def _holds(ctx: ConditionContext) -> bool:
    return True


@attrs.frozen
class StepTransition:
    """One way out of a step.

    ``kind`` is ``route`` (taken when ``condition`` holds and none of ``unless`` does),
    ``next`` (the default: taken when none of ``unless``, the step's routes, holds) or
    ``helped`` (an articles step's end when an article helped). ``trigger`` is the event
    that takes it; ``holds`` is ``condition`` compiled.
    """

    source: str
    target: str
    kind: TransitionKind
    condition: Condition | None = None
    unless: tuple[Condition, ...] = ()
    event: str | None = None
    """The user event that leaves the step this way, where it is not the step's usual one."""
    trigger: str = ""
    holds: Predicate = attrs.field(default=_holds, eq=False, repr=False)

    @property
    def label(self) -> str:
        """What takes this transition, in words (``category = other``, ``otherwise``...)."""
        if self.kind == "helped":
            return "an article helped"
        if self.kind == "follow_up":
            return "I already have a request"
        if self.event in FOLLOW_UP_LEAVING:
            return "information added" if self.event == "add_information" else "reopened"
        if self.condition is not None:
            return describe(self.condition)
        if self.event == "escalate":
            return "otherwise, contact support" if self.unless else "contact support"
        if self.unless:
            return "otherwise"
        return "a channel chosen" if self.trigger == "choose_channel" else ""


def default_next(steps: Sequence[Mapping[str, Any]], index: int) -> str | None:
    """The step after ``steps[index]`` when no route applies: its ``next:``, else the next
    step in the list that is not a ``resolved`` end (read from the definition document)."""
    step = steps[index]
    if "next" in step:
        return str(step["next"])
    for later in steps[index + 1 :]:
        if later["kind"] != "resolved":
            return str(later["id"])
    return None


def step_moves(
    step: Step, follow_ups: Mapping[str | None, str] | None = None
) -> tuple[StepTransition, ...]:
    """Every way out of ``step``, in the order the transition tries them.

    ``follow_ups`` are the definition's ``follow_up:`` pointers (channel id, or ``None`` for
    the contacts page, -> step): a channel choice leaves for each of them on ``follow_up``.
    """
    if step.kind in TERMINAL_KINDS:
        return ()
    out: list[StepTransition] = []
    if step.kind is StepKind.ARTICLES and step.on_helped is not None:
        out.append(StepTransition(step.id, step.on_helped, "helped", trigger="article_helped"))
    if step.kind is StepKind.FOLLOW_UP:
        for leaving in FOLLOW_UP_LEAVING:
            out += _leaving(step, leaving, leaving)
        return tuple(out)
    trigger = LEAVING_EVENT[step.kind]
    event = "escalate" if step.kind is StepKind.ARTICLES else None
    out += _leaving(step, trigger, event)
    if step.kind is StepKind.CHANNEL_CHOICE and follow_ups:
        for target in dict.fromkeys(follow_ups.values()):
            out.append(
                StepTransition(
                    step.id,
                    target,
                    "follow_up",
                    event=FOLLOW_UP_EVENT,
                    trigger=FOLLOW_UP_EVENT,
                )
            )
    return tuple(out)


def _leaving(step: Step, trigger: str, event: str | None) -> list[StepTransition]:
    """The routes, then the default next step, that ``trigger`` takes out of ``step``."""
    out: list[StepTransition] = []
    earlier: list[Condition] = []
    for route in step.routes:
        out.append(
            StepTransition(
                step.id,
                route.to,
                "route",
                route.when,
                tuple(earlier),
                event,
                trigger,
                compile_condition(route.when),
            )
        )
        earlier.append(route.when)
    if step.next is not None:
        out.append(StepTransition(step.id, step.next, "next", None, tuple(earlier), event, trigger))
    return out


@attrs.frozen
class StepTable:
    """One step, compiled: what it accepts, where it goes, what it shows and reads."""

    step: Step
    index: int
    terminal: bool
    events: tuple[str, ...]
    """The user events the step's kind accepts (``back`` and ``change_locale`` aside)."""
    active: tuple[str, ...]
    """What an active session on the step may send when it has no way back."""
    active_back: tuple[str, ...]
    """What an active session on the step may send when it can go back."""
    moves: Mapping[str, tuple[StepTransition, ...]]
    """Event ``type`` -> the ways out that event takes, in the order they are tried."""
    questions: tuple[tuple[Question, Predicate], ...]
    """The step's questions with their ``when`` compiled."""
    reads: tuple[tuple[Question, Predicate], ...]
    """Every question whose visible answer a condition of this step may read, in asking
    order, with its ``when`` compiled: the context of the step needs these alone."""
    lookup: frozenset[str] = frozenset()
    """A follow-up step: the ids of the questions a lookup sends (the request number and
    the e-mail); its other questions are the information a user may add."""
    question_ids: frozenset[str] = attrs.field(
        init=False,
        default=attrs.Factory(lambda self: frozenset(q.id for q, _ in self.questions), True),
    )
    """The ids of the step's questions."""

    @property
    def id(self) -> str:
        """The step's id."""
        return self.step.id

    def fixed_target(self, event: str) -> str | None:
        """Where ``event`` goes whatever the answers (its first way out has no condition)."""
        moves = self.moves.get(event)
        if moves and moves[0].condition is None:
            return moves[0].target
        return None

    def target(self, event: str, ctx: ConditionContext) -> str | None:
        """Where ``event`` takes a session in ``ctx``: the first way out that holds."""
        for move in self.moves.get(event, ()):
            if move.holds(ctx):
                return move.target
        return None


@attrs.frozen(eq=False, repr=False)
class Flow:
    """A workflow compiled into tables: build it with :func:`compile_flow`."""

    workflow: Workflow
    steps: Mapping[str, StepTable]
    moves: tuple[StepTransition, ...]
    questions: Mapping[str, Question]
    """Every question by id."""
    order: Mapping[str, int]
    """Each question's place in asking order."""
    when: Mapping[str, Predicate]
    """Each question's ``when``, compiled."""
    depends: Mapping[str, frozenset[str]]
    """Question (or ``@channel``, ``@locale``) -> the questions whose visibility or options
    may change when it changes, directly or through other questions."""
    clearing: frozenset[str]
    """The questions whose answers are dropped when hidden (``clear`` policy)."""
    channels: frozenset[str]
    """The ids of the declared channels."""
    clears: Mapping[str, tuple[str, ...]]
    """:meth:`clearing_after` of each single question, ``@channel`` and ``@locale``."""
    _closure: Mapping[str, frozenset[str]]

    def __repr__(self) -> str:
        return f"Flow(workflow={self.workflow.id!r}, steps={len(self.steps)})"

    @property
    def start(self) -> StepTable:
        """The table of the first step."""
        return self.steps[self.workflow.steps[0].id]

    def edges(self) -> set[tuple[str, str]]:
        """Every (source, target) pair some way out connects."""
        return {(m.source, m.target) for m in self.moves}

    def reads_of(self, question_ids: Iterable[str]) -> tuple[tuple[Question, Predicate], ...]:
        """The questions the visibility of ``question_ids`` depends on, themselves included,
        in asking order with their ``when`` compiled."""
        needed: set[str] = set()
        for qid in question_ids:
            needed |= self._closure.get(qid, frozenset())
        return tuple(
            (self.questions[q], self.when[q]) for q in sorted(needed, key=self.order.__getitem__)
        )

    def context(
        self,
        reads: Sequence[tuple[Question, Predicate]],
        answers: Mapping[str, object],
        channel: str | None,
        locale: str,
    ) -> ConditionContext:
        """The context conditions see: the answers of ``reads`` whose questions show.

        A kept answer of a hidden question shows nothing and picks no route: each
        question's ``when`` reads the visible answers before it.
        """
        seen: dict[str, object] = {}
        ctx = ConditionContext(answers=seen, channel=channel, locale=locale)
        for question, when in reads:
            qid = question.id
            if qid in answers and when(ctx):
                seen[qid] = answers[qid]
        return ctx

    def step_context(
        self, step: str, answers: Mapping[str, object], channel: str | None, locale: str
    ) -> ConditionContext:
        """The context of one step's conditions (routes, questions, options)."""
        return self.context(self.steps[step].reads, answers, channel, locale)

    def clearing_after(self, changed: Collection[str]) -> tuple[str, ...]:
        """The ``clear`` questions whose answers may have to go after ``changed`` changed
        (question ids, ``@channel`` or ``@locale``), in asking order."""
        if len(changed) == 1:
            for key in changed:
                return self.clears.get(key, ())
        found: set[str] = set()
        for key in changed:
            if key in self.clearing:
                found.add(key)
            found |= self.depends.get(key, frozenset()) & self.clearing
        return tuple(sorted(found, key=self.order.__getitem__))


def _clears(
    questions: Mapping[str, Question],
    order: Mapping[str, int],
    depends: Mapping[str, frozenset[str]],
    clearing: frozenset[str],
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key in (*questions, "@channel", "@locale"):
        found = depends.get(key, frozenset()) & clearing
        if key in clearing:
            found |= {key}
        if found:
            out[key] = tuple(sorted(found, key=order.__getitem__))
    return out


def _condition_refs(question: Question) -> list[Condition | None]:
    return [question.when, question.required_when, *(o.when for o in question.options)]


def compile_flow(workflow: Workflow) -> Flow:
    """The flow of ``workflow``, compiled once per definition and kept beside it."""
    compiled = workflow._compiled
    if isinstance(compiled, Flow) and compiled.workflow is workflow:
        return compiled
    flow = _compile(workflow)
    object.__setattr__(workflow, "_compiled", flow)
    return flow


def _compile(workflow: Workflow) -> Flow:
    questions: dict[str, Question] = {}
    order: dict[str, int] = {}
    for step in workflow.steps:
        for question in step.questions:
            questions.setdefault(question.id, question)
            order.setdefault(question.id, len(order))
    when = {qid: compile_condition(q.when) for qid, q in questions.items()}

    # visibility closure: a question's visible answer needs the questions its `when` reads
    closure: dict[str, frozenset[str]] = {}

    def close(qid: str, stack: frozenset[str] = frozenset()) -> frozenset[str]:
        if qid in closure:
            return closure[qid]
        out = {qid}
        question = questions.get(qid)
        if question is not None and qid not in stack:
            for ref in questions_referenced(question.when):
                if ref in questions:
                    out |= close(ref, stack | {qid})
        closure[qid] = frozenset(out)
        return closure[qid]

    for qid in questions:
        close(qid)

    # who changes with whom: a question's shown state or options read these keys
    direct: dict[str, set[str]] = {}
    for qid, question in questions.items():
        for condition in (question.when, *(o.when for o in question.options)):
            for ref in questions_referenced(condition):
                direct.setdefault(ref, set()).add(qid)
            if reads_channel(condition):
                direct.setdefault("@channel", set()).add(qid)
            if reads_locale(condition):
                direct.setdefault("@locale", set()).add(qid)
    depends: dict[str, frozenset[str]] = {}
    for key in direct:
        seen: set[str] = set()
        todo = list(direct[key])
        while todo:
            item = todo.pop()
            if item not in seen:
                seen.add(item)
                todo.extend(direct.get(item, ()))
        depends[key] = frozenset(seen)

    tables: dict[str, StepTable] = {}
    moves: list[StepTransition] = []
    follow_ups = workflow.follow_up_steps()
    for index, step in enumerate(workflow.steps):
        ways = step_moves(step, follow_ups)
        moves.extend(ways)
        if step.id in tables:
            continue
        by_event: dict[str, list[StepTransition]] = {}
        for way in ways:
            by_event.setdefault(way.trigger, []).append(way)
        conditions: list[Condition | None] = [route.when for route in step.routes]
        for question in step.questions:
            conditions += _condition_refs(question)
        needed: set[str] = set()
        for condition in conditions:
            for ref in questions_referenced(condition):
                needed |= closure.get(ref, frozenset())
        for question in step.questions:
            needed |= closure[question.id] - {question.id}
        reads = tuple((questions[q], when[q]) for q in sorted(needed, key=order.__getitem__))
        events = USER_EVENTS[step.kind]
        if step.kind is StepKind.CHANNEL_CHOICE and follow_ups:
            events = (*events, FOLLOW_UP_EVENT)
        if step.rating is not None and step.kind in TERMINAL_KINDS:
            events = RATING_EVENTS
        tables[step.id] = StepTable(
            step=step,
            index=index,
            terminal=step.kind in TERMINAL_KINDS,
            events=events,
            active=events if step.kind in TERMINAL_KINDS else (*events, "change_locale"),
            active_back=events
            if step.kind in TERMINAL_KINDS
            else (*events, "back", "change_locale"),
            moves={event: tuple(found) for event, found in by_event.items()},
            questions=tuple((q, when[q.id]) for q in step.questions),
            reads=reads,
            lookup=frozenset(q.id for q in step.questions if q.role in LOOKUP_ROLES)
            if step.kind is StepKind.FOLLOW_UP
            else frozenset(),
        )
    clearing = frozenset(
        qid for qid, q in questions.items() if workflow.answer_policy(q) is AnswerPolicy.CLEAR
    )
    return Flow(
        workflow=workflow,
        steps=tables,
        moves=tuple(moves),
        questions=questions,
        order=order,
        when=when,
        depends=depends,
        clearing=clearing,
        channels=frozenset(c.id for c in workflow.channels),
        clears=_clears(questions, order, depends, clearing),
        closure=closure,
    )
