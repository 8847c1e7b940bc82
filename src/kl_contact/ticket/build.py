"""Building the ticket a session sends: visible answers only, labels in the user's locale.

The builder reads the compiled flow and plain values (the answers, the steps passed, the
channel, the locale, what the user saw of the articles); it never sees a session object or
the engine. A hidden answer never reaches a ticket, whatever the answer policy kept.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import attrs

from kl_contact._text import localize
from kl_contact.definition.conditions import ConditionContext, Predicate, evaluate, is_answered
from kl_contact.definition.flow import Flow
from kl_contact.definition.model import Question, QuestionType, Role
from kl_contact.messages import Messages, message
from kl_contact.questionnaire.fields import normalise_answer, phone_region
from kl_contact.ticket.model import (
    AnswerValue,
    Attachment,
    ContactDetails,
    Ticket,
    TicketAnswer,
    TicketArticles,
    TicketCallback,
    TicketConsent,
    TicketRouting,
    WorkflowRef,
)

__all__ = ["answers_by_role", "build_ticket", "consent_digest", "route_request", "visible_along"]


def visible_along(
    flow: Flow,
    passed: Iterable[str],
    answers: Mapping[str, AnswerValue],
    channel: str | None,
    locale: str,
) -> tuple[list[Question], ConditionContext]:
    """Every question shown on the steps ``passed`` (in definition order), and the context
    their conditions read."""
    asked, reads = _along(flow, frozenset(passed))
    ctx = flow.context(reads, answers, channel, locale)
    shown = [q for q, when in asked if when(ctx)]
    return shown, ctx


_Asked = tuple[tuple[Question, Predicate], ...]


@functools.lru_cache(maxsize=256)
def _along(flow: Flow, went_through: frozenset[str]) -> tuple[_Asked, _Asked]:
    """The questions of the steps ``went_through`` (definition order) and what their
    conditions read: the same for every session that passed those steps, found once."""
    asked = tuple(
        (q, when) for t in flow.steps.values() if t.id in went_through for q, when in t.questions
    )
    return asked, flow.reads_of(q.id for q, _ in asked)


def answers_by_role(
    questions: Iterable[Question], answers: Mapping[str, AnswerValue]
) -> dict[Role, AnswerValue]:
    """The first given answer of each role among ``questions``."""
    out: dict[Role, AnswerValue] = {}
    for question in questions:
        value = answers.get(question.id)
        if question.role is not None and value is not None and is_answered(value):
            out.setdefault(question.role, value)
    return out


def _str_or_none(value: AnswerValue | None) -> str | None:
    return value if isinstance(value, str) else None


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _display(
    question: Question, value: AnswerValue, locale: str, fallback: str, overrides: Messages
) -> str:
    if isinstance(value, bool):
        return message("answer.yes" if value else "answer.no", locale, fallback, None, overrides)
    if not question.options:  # a text answer, or files: nothing to translate into labels
        if isinstance(value, str):
            return value
        return ", ".join(v if isinstance(v, str) else v.name for v in value)

    def label(option_id: str) -> str:  # only the chosen options are worded
        for option in question.options:
            if option.id == option_id:
                return localize(option.label, locale, fallback)
        return option_id

    if isinstance(value, str):
        return label(value)
    return ", ".join(label(v) if isinstance(v, str) else v.name for v in value)


def build_ticket(
    flow: Flow,
    *,
    ticket_id: str,
    session_id: str,
    workflow: WorkflowRef,
    passed: Iterable[str],
    answers: Mapping[str, AnswerValue],
    channel: str | None,
    locale: str,
    articles: TicketArticles,
    now: datetime,
    prefilled: Collection[str] = (),
    callback: TicketCallback | None = None,
) -> Ticket:
    """The ticket for these answers: visible answers only, labels localised.

    ``passed`` names the steps the user went through (the current one included);
    ``prefilled`` the questions whose answers are still the ones the host prefilled.
    Each consent given is recorded with its text's version and digest, at ``now``.
    ``callback`` is the call back booked, whose phone is taken from the contact details.
    """
    fallback = flow.workflow.default_locale
    region = phone_region(flow.workflow.phone_region, locale)
    shown, _ = visible_along(flow, passed, answers, channel, locale)
    roles = answers_by_role(shown, answers)
    given: list[TicketAnswer] = []
    for question in shown:
        value = answers.get(question.id)
        if value is None or question.type is QuestionType.INFO or not is_answered(value):
            continue
        value = normalise_answer(question.type, value, region)
        given.append(
            TicketAnswer(
                question=question.id,
                label=localize(question.label, locale, fallback),
                type=question.type.value,
                value=value,
                display=_display(question, value, locale, fallback, flow.workflow.messages),
                prefilled=question.id in prefilled,
            )
        )
    consents = tuple(
        TicketConsent(
            id=q.id,
            version=q.consent_version,
            text_sha256=consent_digest(localize(q.label, locale, fallback)),
            locale=locale,
            given_at=now,
        )
        for q in shown
        if q.type is QuestionType.CONSENT and answers.get(q.id) is True
    )
    by_id = {a.question: a for a in given}
    subject = _str_or_none(roles.get(Role.SUBJECT))
    if subject is None:
        parts = [
            by_id[q.id].display
            for q in shown
            if q.role in {Role.PRODUCT, Role.CATEGORY} and q.id in by_id
        ]
        subject = " / ".join(parts)
    files = roles.get(Role.ATTACHMENTS)
    attachments = (
        tuple(f for f in files if isinstance(f, Attachment)) if isinstance(files, tuple) else ()
    )
    email = _str_or_none(roles.get(Role.CONTACT_EMAIL)) or ""
    phone = _str_or_none(roles.get(Role.CONTACT_PHONE))
    contact = ContactDetails(
        email=normalise_answer(QuestionType.EMAIL, email, region),
        name=_strip(_str_or_none(roles.get(Role.CONTACT_NAME))),
        phone=normalise_answer(QuestionType.PHONE, phone, region) if phone else None,
        language=_str_or_none(roles.get(Role.CONTACT_LANGUAGE)) or locale,
    )
    return Ticket(
        id=ticket_id,
        session_id=session_id,
        workflow=workflow,
        channel=channel or "",
        locale=locale,
        created_at=now,
        subject=subject.strip(),
        description=(_str_or_none(roles.get(Role.DESCRIPTION)) or "").strip(),
        contact=contact,
        product=_str_or_none(roles.get(Role.PRODUCT)),
        category=_str_or_none(roles.get(Role.CATEGORY)),
        platform=_str_or_none(roles.get(Role.PLATFORM)),
        answers=tuple(given),
        attachments=attachments,
        articles=articles,
        routing=route_request(flow, {q.id: answers[q.id] for q in shown if q.id in answers},
                              channel, locale),
        licence_key=_strip(_str_or_none(roles.get(Role.LICENCE_KEY))),
        consents=consents,
        callback=attrs.evolve(callback, phone=contact.phone) if callback is not None else None,
    )  # fmt: skip


def consent_digest(text: str) -> str:
    """The SHA-256 (hex) of a consent text as shown, its UTF-8 bytes: what a ticket records
    so that the very wording the user agreed to can be proved later."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def route_request(
    flow: Flow, shown: Mapping[str, AnswerValue], channel: str | None, locale: str
) -> TicketRouting | None:
    """The priority and queue the definition's ``routing:`` gives a request whose shown
    answers are ``shown``: the first rule that holds, else the default (None without
    ``routing:``). Answers the user never saw (hidden, or on a step skipped) route nothing.
    """
    routing = flow.workflow.routing
    if routing is None:
        return None
    ctx = ConditionContext(answers=shown, channel=channel, locale=locale)
    for rule in routing.rules:
        if evaluate(rule.when, ctx):
            return TicketRouting(priority=rule.priority, queue=rule.queue, rule=rule.id)
    return TicketRouting(priority=routing.priority, queue=routing.queue)
