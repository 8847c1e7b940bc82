"""Resuming a session on another version of its definition: migrate it, or refuse.

A session records the id, version and digest of the definition it started on
(:class:`~kl_contact.ticket.model.WorkflowRef`). When a host resumes it on a definition
with the same id but another version or digest, the host chooses:

* ``refuse``: :class:`~kl_contact.errors.UsageError` with code ``session.version_mismatch``;
* ``migrate``: answers are kept where their question (and, for a choice, the option) still
  exists with the same type, and dropped with a :class:`DroppedAnswer` record where not; a
  channel the new version lacks is dropped too; the answer policies of the new version
  apply; the session then moves to the first step that needs the user's input (see
  :func:`migrate_session`).

A session of another workflow id is always refused (``session.foreign``), and so is one
that has ended or waits for the backend (``session.not_active``): it stays on the version
it was sent on. This module is pure: it reads the new definition and the session, and never
records a value the user typed in what it returns beside the session.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import attrs

from kl_contact.definition.conditions import ConditionContext
from kl_contact.definition.flow import LEAVING_EVENT, Flow
from kl_contact.definition.model import TERMINAL_KINDS, QuestionType, Step, StepKind, Workflow
from kl_contact.engine.session import Session
from kl_contact.errors import UsageError
from kl_contact.messages import Localizer
from kl_contact.questionnaire.answer_policy import apply_answer_policies
from kl_contact.questionnaire.validation import validate_step
from kl_contact.ticket.model import AnswerValue, Attachment, WorkflowRef

__all__ = ["DroppedAnswer", "Migration", "VersionPolicy", "migrate_session"]


class VersionPolicy(StrEnum):
    """What to do with a session recorded on another version of the definition."""

    REFUSE = "refuse"
    MIGRATE = "migrate"


DropReason = Literal[
    "question_removed", "type_changed", "option_removed", "hidden", "channel_removed"
]


@attrs.frozen
class DroppedAnswer:
    """An answer (or the channel, ``question="channel"``) a migration could not keep.

    It names the question and why, never the value.
    """

    question: str
    reason: DropReason


@attrs.frozen
class Migration:
    """What a migration did: the migrated session and a record of every change."""

    session: Session
    source: WorkflowRef
    target: WorkflowRef
    dropped: tuple[DroppedAnswer, ...] = ()
    step_from: str = ""
    step_to: str = ""

    @property
    def changed_version(self) -> bool:
        """Whether the session was on another version or digest."""
        return self.source != self.target


def _ref(workflow: Workflow) -> WorkflowRef:
    return WorkflowRef(workflow.id, workflow.version, workflow.digest)


def _remap_answers(
    workflow: Workflow, session: Session
) -> tuple[dict[str, AnswerValue], list[DroppedAnswer]]:
    questions = workflow.questions()
    kept: dict[str, AnswerValue] = {}
    dropped: list[DroppedAnswer] = []
    for qid, value in session.answers.items():
        question = questions.get(qid)
        if question is None:
            dropped.append(DroppedAnswer(qid, "question_removed"))
            continue
        if not _fits(value, question.type):
            dropped.append(DroppedAnswer(qid, "type_changed"))
            continue
        known = {o.id for o in question.options}
        if question.options and isinstance(value, str) and value not in known:
            dropped.append(DroppedAnswer(qid, "option_removed"))
            continue
        if question.options and isinstance(value, tuple):
            left = tuple(v for v in value if isinstance(v, str) and v in known)
            if len(left) != len(value):
                dropped.append(DroppedAnswer(qid, "option_removed"))
                if not left:
                    continue
                kept[qid] = left
                continue
        kept[qid] = value
    return kept, dropped


def _fits(value: AnswerValue, qtype: QuestionType) -> bool:
    """Whether ``value`` has the shape an answer to a ``qtype`` question has."""
    if qtype is QuestionType.CONSENT:
        return isinstance(value, bool)
    if qtype is QuestionType.MULTIPLE_CHOICE:
        return isinstance(value, tuple) and all(isinstance(v, str) for v in value)
    if qtype is QuestionType.ATTACHMENTS:
        return isinstance(value, tuple) and all(isinstance(v, Attachment) for v in value)
    return isinstance(value, str) and qtype is not QuestionType.INFO


def _needs_input(workflow: Workflow, session: Session, step: Step, visited: set[str]) -> bool:
    """Whether the user must act on ``step`` again, given what the session already did."""
    if step.id == session.step or step.kind in TERMINAL_KINDS or step.kind is StepKind.REQUEST:
        return True
    if step.kind is StepKind.CHANNEL_CHOICE:
        return session.channel is None
    if step.kind is StepKind.ARTICLES:
        return not (step.id in visited and session.articles.escalated)
    if step.kind is StepKind.QUESTIONS:
        ctx = ConditionContext(session.answers, session.channel, session.locale)
        loc = Localizer(session.locale, workflow.default_locale, workflow.messages)
        issues = validate_step(step, session.answers, ctx, loc)
        return any(i.severity == "error" for i in issues) or step.id not in visited
    return step.id not in visited  # self service: passed once is enough


def migrate_session(
    flow: Flow,
    session: Session,
    *,
    on_version_change: VersionPolicy | str = VersionPolicy.REFUSE,
) -> Migration:
    """``session`` moved onto ``flow``'s definition, or :class:`UsageError` when refused.

    The new step is found by walking the new definition from its start, leaving each step
    the way its compiled table says with the kept answers, and stopping at the first step
    that needs input: the session's own step, a step whose questions now have a blocking
    issue, a step the session never passed, the channel choice when the channel was
    dropped, the articles step unless the user had already asked for support, or the
    request. The steps passed on the way become the session's trail (its way back).
    """
    policy = VersionPolicy(on_version_change)
    workflow = flow.workflow
    source, target = session.workflow, _ref(workflow)
    if source.id != target.id:
        raise UsageError("the session belongs to another workflow", code="session.foreign")
    if source == target:
        return Migration(session, source, target, (), session.step, session.step)
    if policy is VersionPolicy.REFUSE:
        raise UsageError(
            f"the session was started on version {source.version} ({source.digest[:15]}...), "
            f"this is version {target.version} ({target.digest[:15]}...)",
            code="session.version_mismatch",
        )
    if session.status != "active":
        raise UsageError(
            f"a {session.status} session stays on the version it was on",
            code="session.not_active",
        )
    answers, dropped = _remap_answers(workflow, session)
    channel = session.channel
    if channel is not None and channel not in {c.id for c in workflow.channels}:
        dropped.append(DroppedAnswer("channel", "channel_removed"))
        channel = None
    after_policies = apply_answer_policies(workflow, answers, channel, session.locale)
    dropped += [DroppedAnswer(q, "hidden") for q in answers if q not in after_policies]
    moved = attrs.evolve(session, workflow=target, answers=after_policies, channel=channel)
    visited = {*session.trail, session.step}
    trail: list[str] = []
    current = workflow.start
    while not _needs_input(workflow, moved, current, visited):
        ctx = flow.step_context(current.id, moved.answers, moved.channel, moved.locale)
        following = flow.steps[current.id].target(LEAVING_EVENT[current.kind], ctx)
        if following is None or following in trail or following == current.id:
            break
        trail.append(current.id)
        current = flow.steps[following].step
    moved = attrs.evolve(moved, step=current.id, trail=tuple(trail), issues=())
    return Migration(moved, source, target, tuple(dropped), session.step, current.id)
