"""Following up a request the user already has: the follow-up step's rules.

A channel choice whose definition names a follow-up step (``follow_up:`` of the contacts page
or of a channel) accepts ``FollowUp``: "I already have a request". The follow-up step asks
the request number and the e-mail it was registered with (its questions with the roles
``request_number`` and ``contact_email``, checked like any other answer) and, on
``FindRequest``, asks the host to look the request up (``LookUpRequest``). The host answers
``RequestFound`` or ``RequestNotFound``. A found request that is open or waiting for the user
takes ``AddInformation`` (the step's other questions: text and files, checked like the
detailed request; ``AddToRequest``); a solved or closed one takes ``Reopen``
(``ReopenRequest``). Either ends the contact on the step's ``next`` (a resolved step).

Lookups are limited by the step's ``attempts``: one more is the issue ``follow_up.attempts``,
never an exception. Where each event goes is the compiled flow's table; this module decides
only what the follow-up step does with its own events. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from kl_contact._replace import replace
from kl_contact.channels.status import format_opening
from kl_contact.definition.flow import Flow, StepTable
from kl_contact.definition.model import Role, StepKind
from kl_contact.engine.effects import AddToRequest, Effect, LookUpRequest, ReopenRequest
from kl_contact.engine.events import (
    AddInformation,
    FindRequest,
    FollowUp,
    Reopen,
    RequestFound,
    RequestNotFound,
)
from kl_contact.engine.session import FollowUpProgress, Session
from kl_contact.engine.views import FollowUpView
from kl_contact.errors import UsageError, ValidationIssue
from kl_contact.messages import Localizer, message
from kl_contact.questionnaire.fields import normalise_email
from kl_contact.ticket.model import AnswerValue, Attachment
from kl_contact.ticket.status import ADDABLE_STATES, FollowUpState, RequestStatus

__all__ = [
    "PHASE_EVENTS",
    "FollowUpDraft",
    "Phase",
    "add_information",
    "asked",
    "find_request",
    "follow_up",
    "follow_up_events",
    "follow_up_view",
    "is_stale",
    "phase",
    "reopen",
    "request_found",
    "request_not_found",
]

Phase = Literal["lookup", "looking_up", "add", "reopen", "done"]
"""What a follow-up step asks of the user now: the number and e-mail, patience, the
information to add, whether to reopen, or nothing (it is done)."""

PHASE_EVENTS: Mapping[Phase, tuple[str, ...]] = {
    "lookup": ("answer", "find_request"),
    "looking_up": (),
    "add": ("answer", "add_information"),
    "reopen": ("reopen",),
    "done": (),
}
"""The user events of each phase, before ``back`` and ``change_locale``."""


class FollowUpDraft(Protocol):
    """The part of the transition's session draft the follow-up rules use."""

    flow: Flow
    base: Session
    changes: dict[str, Any]
    effects: tuple[Effect, ...]

    def get(self, name: str) -> Any:
        """The field ``name`` of the session being built."""
        ...

    def localizer(self) -> Localizer:
        """Issues in the session's locale."""
        ...

    def record(self, table: StepTable, given: Mapping[str, AnswerValue]) -> list[ValidationIssue]:
        """Keep the answers to the step's questions; the warnings for the others."""
        ...

    def validate(
        self, table: StepTable, only: Collection[str] | None = None
    ) -> list[ValidationIssue]:
        """The issues of the step's visible questions (of those in ``only``, when given)."""
        ...

    def advance(self, table: StepTable, event: str) -> None:
        """Leave the step the way its table says for ``event``."""
        ...

    def enter(self, target: str, *, push: bool = True) -> None:
        """Stand on step ``target``."""
        ...

    def clear(self, changed: tuple[str, ...]) -> None:
        """Apply the answer policies to what ``changed`` may hide."""
        ...


def phase(progress: FollowUpProgress) -> Phase:
    """The phase of a follow-up in ``progress``."""
    status = progress.status
    if status == "looking_up":
        return "looking_up"
    if status in {"added", "reopened"}:
        return "done"
    if status == "found" and progress.request is not None:
        return "add" if progress.request.state in ADDABLE_STATES else "reopen"
    return "lookup"


def asked(table: StepTable, progress: FollowUpProgress) -> frozenset[str]:
    """The questions of a follow-up step that its phase asks: the number and e-mail until
    the request is found, then what the user may add (nothing once it is to be reopened).
    Answers to the others are not taken: the request found stays the one asked about."""
    current = phase(progress)
    if current in {"lookup", "looking_up"}:
        return table.lookup
    if current == "add":
        return table.question_ids - table.lookup
    return frozenset()


def follow_up_events(session: Session) -> tuple[str, ...]:
    """The user events an active session on a follow-up step may send now."""
    events = PHASE_EVENTS[phase(session.follow_up)]
    if not events:
        return ()
    if session.trail:
        return (*events, "back", "change_locale")
    return (*events, "change_locale")


def _by_role(
    table: StepTable, answers: Mapping[str, AnswerValue], role: Role
) -> AnswerValue | None:
    """The answer to the step's question with ``role``, if it has one."""
    for question, _ in table.questions:
        if question.role is role and question.id in answers:
            return answers[question.id]
    return None


def _blocked(issues: list[ValidationIssue]) -> bool:
    return any(issue.severity == "error" for issue in issues)


def follow_up(draft: FollowUpDraft, table: StepTable, event: FollowUp, now: datetime) -> None:
    """Enter the follow-up step ("I already have a request") of ``event.channel``, or the
    contacts page's. Earlier lookups still count against the step's attempts."""
    flow = draft.flow
    if event.channel is not None and event.channel not in flow.channels:
        raise UsageError(
            "the channel is not declared", code="channel.unknown", params={"channel": event.channel}
        )
    target = flow.workflow.follow_up_step(event.channel)
    if target is None:
        raise UsageError("no follow-up step is offered here", code="follow_up.none")
    if event.channel is not None and event.channel != draft.get("channel"):
        draft.changes["channel"] = event.channel
        draft.clear(("@channel",))
    kept = draft.get("follow_up").attempts
    draft.changes["follow_up"] = FollowUpProgress(attempts=kept)
    draft.enter(target)


def find_request(draft: FollowUpDraft, table: StepTable, event: FindRequest, now: datetime) -> None:
    """Record the number and e-mail; when they are valid and attempts are left, look up."""
    unknown = draft.record(table, event.answers)
    issues = draft.validate(table, only=table.lookup)
    if _blocked(issues):
        draft.changes["issues"] = (*issues, *unknown)
        return
    progress: FollowUpProgress = draft.get("follow_up")
    allowed = table.step.attempts
    if progress.attempts >= allowed:
        refused = draft.localizer().issue("follow_up.attempts", (), {"max": allowed})
        draft.changes["issues"] = (refused, *unknown)
        return
    answers = draft.get("answers")
    blank = [
        draft.localizer().issue("answer.required", ("answers", q.id))
        for q, _ in table.questions
        if q.id in table.lookup
        and not (isinstance(answers.get(q.id), str) and answers[q.id].strip())
    ]
    if blank:  # a definition may leave them optional: a lookup needs both all the same
        draft.changes["issues"] = (*blank, *unknown)
        return
    number = str(_by_role(table, answers, Role.REQUEST_NUMBER)).strip()
    typed = str(_by_role(table, answers, Role.CONTACT_EMAIL))
    email = normalise_email(typed) or typed.strip()
    sequence = draft.base.sequence + 1
    lookup_id = f"{draft.base.id}:lookup:{sequence}"
    draft.changes.update(
        sequence=sequence,
        follow_up=FollowUpProgress(
            status="looking_up", lookup_id=lookup_id, attempts=progress.attempts + 1
        ),
        issues=tuple(issues + unknown),
    )
    lookup = LookUpRequest(lookup_id, number, email, draft.get("locale"))
    draft.effects = (*draft.effects, lookup)


def request_found(
    draft: FollowUpDraft, table: StepTable, event: RequestFound, now: datetime
) -> None:
    """The host found the request: show its state and what may be done next."""
    progress: FollowUpProgress = draft.base.follow_up
    draft.changes["follow_up"] = replace(progress, status="found", request=event.request)
    draft.changes["issues"] = ()


def request_not_found(
    draft: FollowUpDraft, table: StepTable, event: RequestNotFound, now: datetime
) -> None:
    """No such request for this address, or the helpdesk could not be asked (that lookup
    is given back)."""
    progress: FollowUpProgress = draft.base.follow_up
    loc = draft.localizer()
    if event.reason == "unavailable":
        attempts = max(progress.attempts - 1, 0)
        draft.changes["follow_up"] = replace(
            progress, status="unavailable", attempts=attempts, request=None
        )
        draft.changes["issues"] = (loc.issue("follow_up.unavailable", (), severity="warning"),)
        return
    left = max(table.step.attempts - progress.attempts, 0)
    draft.changes["follow_up"] = replace(progress, status="not_found", request=None)
    code = "follow_up.not_found" if left else "follow_up.attempts"
    draft.changes["issues"] = (loc.issue(code, (), {"left": left}),)


def _found(draft: FollowUpDraft) -> tuple[FollowUpProgress, RequestStatus]:
    progress: FollowUpProgress = draft.base.follow_up
    assert progress.request is not None  # the phase allowed the event
    return progress, progress.request


def _email(draft: FollowUpDraft, table: StepTable) -> str:
    typed = str(_by_role(table, draft.get("answers"), Role.CONTACT_EMAIL))
    return normalise_email(typed) or typed.strip()


def add_information(
    draft: FollowUpDraft, table: StepTable, event: AddInformation, now: datetime
) -> None:
    """Check the text and files like the detailed request; add them to the request."""
    unknown = draft.record(table, event.answers)
    issues = draft.validate(table, only=asked(table, draft.base.follow_up))
    if _blocked(issues):
        draft.changes["issues"] = (*issues, *unknown)
        return
    answers = draft.get("answers")
    text = _by_role(table, answers, Role.DESCRIPTION)
    files = _by_role(table, answers, Role.ATTACHMENTS)
    text = text.strip() if isinstance(text, str) else ""
    attachments = (
        tuple(f for f in files if isinstance(f, Attachment)) if isinstance(files, tuple) else ()
    )
    if not text and not attachments:
        draft.changes["issues"] = (draft.localizer().issue("follow_up.nothing_to_add", ()),)
        return
    progress, request = _found(draft)
    sequence = draft.base.sequence + 1
    addition = AddToRequest(
        addition_id=f"{draft.base.id}:addition:{sequence}",
        request_number=request.request_number,
        email=_email(draft, table),
        text=text,
        attachments=attachments,
    )
    draft.changes.update(
        sequence=sequence,
        status="resolved",
        follow_up=replace(progress, status="added"),
    )
    draft.advance(table, "add_information")
    draft.effects = (*draft.effects, addition)


def reopen(draft: FollowUpDraft, table: StepTable, event: Reopen, now: datetime) -> None:
    """Ask the helpdesk to reopen the solved or closed request."""
    progress, request = _found(draft)
    sequence = draft.base.sequence + 1
    effect = ReopenRequest(
        reopen_id=f"{draft.base.id}:reopen:{sequence}",
        request_number=request.request_number,
        email=_email(draft, table),
    )
    draft.changes.update(
        sequence=sequence,
        status="resolved",
        follow_up=replace(progress, status="reopened"),
    )
    draft.advance(table, "reopen")
    draft.effects = (*draft.effects, effect)


def is_stale(session: Session, lookup_id: str) -> bool:
    """Whether a lookup's answer is no longer awaited (another lookup, or none)."""
    progress = session.follow_up
    return progress.status != "looking_up" or progress.lookup_id != lookup_id


def follow_up_view(flow: Flow, session: Session, table: StepTable) -> FollowUpView | None:
    """The follow-up part of the view: on a follow-up step, and on the end it led to."""
    progress = session.follow_up
    kind = table.step.kind
    if kind is not StepKind.FOLLOW_UP and progress.status not in {"added", "reopened"}:
        return None
    workflow = flow.workflow
    locale, fallback, overrides = session.locale, workflow.default_locale, workflow.messages
    allowed = table.step.attempts if kind is StepKind.FOLLOW_UP else 0
    request = progress.request
    steps: list[str] = []

    def say(code: str, **params: str | int) -> None:
        steps.append(message(code, locale, fallback, params, overrides))

    current = phase(progress)
    if request is not None:
        number = request.request_number
        if current == "done":
            say(f"follow_up.done.{progress.status}", request_number=number)
        else:
            say(f"follow_up.state.{request.state.value}", request_number=number)
            if request.last_reply_at is not None:
                say("follow_up.last_reply", time=_local_time(request.last_reply_at, session))
            else:
                say("follow_up.no_reply")
            if current == "add":
                if request.state is FollowUpState.OPEN:
                    say("follow_up.next.wait")
                say("follow_up.next.reply")
                say("follow_up.next.form")
            elif current == "reopen":
                say("follow_up.next.reopen")
    return FollowUpView(
        status=progress.status,
        attempts_left=max(allowed - progress.attempts, 0),
        request=request,
        next_steps=tuple(steps),
        can_add=request is not None and current == "add",
        can_reopen=request is not None and current == "reopen",
    )


def _local_time(moment: datetime, session: Session) -> str:
    """``moment`` in the user's time zone (UTC when unknown), as opening times are shown."""
    zone = session.time_zone
    try:
        local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    except (KeyError, ValueError):  # an unknown zone name: the instant as it came
        local = moment
    return format_opening(local, session.locale)
