"""Checking again, on the server, what a frontend that ran its own UI submits.

A frontend may show the questionnaire its own way and send a complete set of answers, or a
whole ticket, in one document. :func:`revalidate_answers` and :func:`revalidate_ticket` give
the issues the engine would have given for those answers, step by step along the path the
answers lead through, and keep only the answers to questions that path shows: answers to
hidden questions are dropped, never copied into a ticket. The ticket is then built again by
the library's ticket builder (:mod:`kl_contact.ticket.build`), so its subject, contact
details and labels are the definition's, not the frontend's.

Nothing here raises for what a frontend sends: a malformed document becomes
``document.invalid`` issues. Nothing here performs I/O or reads a clock; the time of a ticket
built from answers comes in as ``now``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs

from kl_contact._convert import converter
from kl_contact.definition.conditions import ConditionContext
from kl_contact.definition.flow import LEAVING_EVENT, compile_flow
from kl_contact.definition.model import QuestionType, Step, StepKind, Workflow
from kl_contact.errors import UsageError, ValidationIssue
from kl_contact.messages import Localizer
from kl_contact.questionnaire.answer_policy import apply_answer_policies, visible_answers
from kl_contact.questionnaire.fields import phone_region
from kl_contact.questionnaire.validation import validate_step, visible_questions
from kl_contact.schemas import violations
from kl_contact.ticket.build import build_ticket
from kl_contact.ticket.model import (
    AnswerValue,
    Ticket,
    TicketArticles,
    TicketCallback,
    WorkflowRef,
)

__all__ = ["Revalidation", "SubmittedAnswers", "revalidate_answers", "revalidate_ticket"]

_REBUILT_FIELDS = (
    "subject",
    "description",
    "contact",
    "product",
    "category",
    "platform",
    "answers",
    "attachments",
    "callback",
    "licence_key",
    "consents",
)


@attrs.frozen(repr=False)
class SubmittedAnswers:
    """Every answer a user gave in a frontend's own UI, sent in one document.

    ``articles`` tells what the user saw of the suggested articles, when the frontend
    showed them; ``workflow`` names the definition the frontend used, when it knows.
    """

    channel: str
    locale: str
    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict)
    workflow: WorkflowRef | None = None
    articles: TicketArticles = attrs.field(factory=TicketArticles)

    def __repr__(self) -> str:
        return (
            f"SubmittedAnswers(channel={self.channel!r}, locale={self.locale!r}, "
            f"answers={len(self.answers)})"
        )


@attrs.frozen(repr=False)
class Revalidation:
    """What the server makes of a submitted document.

    ``issues`` are those the engine would have given (plus ``document.*`` issues for a
    document that is malformed or made for another definition, and ``ticket.rebuilt``
    warnings where a submitted ticket did not match its answers); ``answers`` are the
    answers kept, ``dropped`` the ids of those that were not (hidden or unknown questions);
    ``ticket`` is the ticket the engine builds from the kept answers, when there is no error
    and the caller gave what a ticket needs.
    """

    issues: tuple[ValidationIssue, ...]
    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict)
    dropped: tuple[str, ...] = ()
    ticket: Ticket | None = None

    @property
    def ok(self) -> bool:
        """Whether nothing blocks the request (warnings do not)."""
        return all(issue.severity != "error" for issue in self.issues)

    def __repr__(self) -> str:
        codes = sorted({issue.code for issue in self.issues})
        return (
            f"Revalidation(ok={self.ok}, issues={codes}, answers={len(self.answers)}, "
            f"dropped={len(self.dropped)}, ticket={self.ticket is not None})"
        )


def path_of_steps(workflow: Workflow, ctx: ConditionContext) -> Iterator[Step]:
    """The steps the answers lead through, from the first up to the request step.

    Each step is left the way its compiled table says (an articles step by "Contact
    support"); the walk stops at a request step or an end.
    """
    flow = compile_flow(workflow)
    table, seen = flow.start, set()
    while table.id not in seen and not table.terminal:
        seen.add(table.id)
        yield table.step
        if table.step.kind is StepKind.REQUEST:
            return
        following = table.target(LEAVING_EVENT[table.step.kind], ctx)
        if following is None:
            return
        table = flow.steps[following]


def _document(
    workflow: Workflow, document: object, schema: str, cls: type[Any]
) -> tuple[Any, list[ValidationIssue]]:
    """The model of ``document`` (or ``None``) and ``document.invalid`` issues."""
    if isinstance(document, cls):
        return document, []
    locale = workflow.default_locale
    if isinstance(document, Mapping) and document.get("locale") in workflow.locales:
        locale = str(document["locale"])
    loc = Localizer(locale, workflow.default_locale, workflow.messages)
    found = [
        loc.issue("document.invalid", v.path, {"keyword": v.keyword})
        for v in violations(schema, document)
    ]
    if found:
        return None, found
    try:
        return converter.structure(document, cls), []
    except Exception:  # cattrs groups its failures; what a frontend sent is not echoed
        return None, [loc.issue("document.invalid", (), {"keyword": "structure"})]


def _check(
    workflow: Workflow, submitted: SubmittedAnswers
) -> tuple[list[ValidationIssue], dict[str, AnswerValue], tuple[str, ...], list[Step]]:
    known_locale = submitted.locale in workflow.locales
    locale = submitted.locale if known_locale else workflow.default_locale
    loc = Localizer(locale, workflow.default_locale, workflow.messages)
    issues: list[ValidationIssue] = []
    if not known_locale:
        issues.append(loc.issue("document.unknown_locale", ("locale",)))
    if submitted.channel not in {channel.id for channel in workflow.channels}:
        issues.append(loc.issue("document.unknown_channel", ("channel",)))
    ref = submitted.workflow
    if ref is not None and (ref.id, ref.version) != (workflow.id, workflow.version):
        issues.append(loc.issue("document.other_workflow", ("workflow",)))
    # as the engine does: answer policies first, then conditions read only visible answers
    answers = apply_answer_policies(workflow, submitted.answers, submitted.channel, locale)
    seen = visible_answers(workflow, answers, submitted.channel, locale)
    ctx = ConditionContext(answers=seen, channel=submitted.channel, locale=locale)
    region = phone_region(workflow.phone_region, locale)
    steps = list(path_of_steps(workflow, ctx))
    kept: dict[str, AnswerValue] = {}
    for step in steps:
        if step.kind in {StepKind.QUESTIONS, StepKind.REQUEST}:
            issues.extend(validate_step(step, answers, ctx, loc, region))
            for question in visible_questions(step, ctx):
                if question.id in answers and question.type is not QuestionType.INFO:
                    kept[question.id] = answers[question.id]
    known = workflow.questions()
    issues.extend(
        loc.issue("answer.unknown_question", ("answers", qid), severity="warning")
        for qid in submitted.answers
        if qid not in known
    )
    dropped = tuple(qid for qid in submitted.answers if qid not in kept)
    return issues, kept, dropped, steps


def _ticket(
    workflow: Workflow,
    submitted: SubmittedAnswers,
    answers: Mapping[str, AnswerValue],
    steps: list[Step],
    ids: tuple[str, str],
    now: datetime,
    prefilled: Collection[str] = (),
    callback: TicketCallback | None = None,
) -> Ticket:
    """The ticket the engine builds for these answers on the path ``steps``."""
    ticket_id, session_id = ids
    return build_ticket(
        compile_flow(workflow),
        ticket_id=ticket_id,
        session_id=session_id,
        workflow=WorkflowRef(workflow.id, workflow.version, workflow.digest),
        passed=[step.id for step in steps],
        answers=answers,
        channel=submitted.channel,
        locale=submitted.locale,
        articles=submitted.articles,
        now=now,
        prefilled=prefilled,
        callback=callback,
    )


def revalidate_answers(
    workflow: Workflow,
    document: SubmittedAnswers | Mapping[str, Any],
    *,
    ticket_id: str | None = None,
    session_id: str | None = None,
    now: datetime | None = None,
) -> Revalidation:
    """Check a complete set of answers as the engine would, and keep the visible ones.

    ``document`` is a :class:`SubmittedAnswers` or its JSON (``answers.schema.json``).
    With ``ticket_id`` and ``now`` (a timezone-aware time from the host), a ticket is built
    when nothing blocks it; ``session_id`` defaults to ``ticket_id``.
    """
    if now is not None and now.utcoffset() is None:
        raise UsageError("now must be a timezone-aware datetime", code="time.naive")
    submitted, problems = _document(workflow, document, "answers", SubmittedAnswers)
    if submitted is None:
        return Revalidation(issues=tuple(problems))
    issues, kept, dropped, steps = _check(workflow, submitted)
    revalidation = Revalidation(issues=tuple(issues), answers=kept, dropped=dropped)
    if ticket_id is None or now is None or not revalidation.ok:
        return revalidation
    if not steps or steps[-1].kind is not StepKind.REQUEST:
        return revalidation
    ticket = _ticket(workflow, submitted, kept, steps, (ticket_id, session_id or ticket_id), now)
    return attrs.evolve(revalidation, ticket=ticket)


def revalidate_ticket(workflow: Workflow, document: Ticket | Mapping[str, Any]) -> Revalidation:
    """Check a ticket a frontend assembled: its answers as the engine would, then rebuild it.

    The ticket comes back built again from the answers that were visible: its id, session,
    time and article history are the submitted ones; everything derived from the answers,
    and the workflow reference, are the engine's. Where a submitted field differed, a
    ``ticket.rebuilt`` warning points at it. A booked callback is kept when its channel
    offers callbacks, its phone taken again from the contact details (whether the slot was
    offered depends on the moment it was booked, which the ticket alone cannot tell).
    """
    ticket, problems = _document(workflow, document, "ticket", Ticket)
    if ticket is None:
        return Revalidation(issues=tuple(problems))
    submitted = SubmittedAnswers(
        channel=ticket.channel,
        locale=ticket.locale,
        answers={answer.question: answer.value for answer in ticket.answers},
        workflow=ticket.workflow,
        articles=ticket.articles,
    )
    issues, kept, dropped, steps = _check(workflow, submitted)
    revalidation = Revalidation(issues=tuple(issues), answers=kept, dropped=dropped)
    if not revalidation.ok or not steps or steps[-1].kind is not StepKind.REQUEST:
        return revalidation
    ids = (ticket.id, ticket.session_id)
    # which answers the host prefilled only the ticket can say: its marks are kept
    marked = {answer.question for answer in ticket.answers if answer.prefilled}
    callback = ticket.callback if workflow.channel(ticket.channel).callback else None
    rebuilt = _ticket(
        workflow, submitted, kept, steps, ids, ticket.created_at, marked, callback=callback
    )
    loc = Localizer(ticket.locale, workflow.default_locale, workflow.messages)
    warnings = [
        loc.issue("ticket.rebuilt", (name,), severity="warning")
        for name in _REBUILT_FIELDS
        if getattr(rebuilt, name) != getattr(ticket, name)
    ]
    return attrs.evolve(revalidation, issues=(*issues, *warnings), ticket=rebuilt)
