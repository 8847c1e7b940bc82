"""Whether a session restored from storage fits the workflow an engine runs.

A session document can be valid JSON, match ``session.schema.json`` and still not belong to
this definition: it names a step that was removed, a channel that is not declared, or a
status that its step cannot have (a store was edited, a definition changed under it, or
someone sent a forged document). The engine refuses such a session with a
:class:`~kl_contact.errors.UsageError` instead of failing half-way through an event. This
module only inspects; it never repairs a session.
"""

from __future__ import annotations

from kl_contact.definition.flow import Flow
from kl_contact.definition.model import StepKind
from kl_contact.engine.session import Session

__all__ = ["misfit"]

_ACTIVE_KINDS = frozenset(
    {
        StepKind.SELF_SERVICE,
        StepKind.CHANNEL_CHOICE,
        StepKind.QUESTIONS,
        StepKind.ARTICLES,
        StepKind.REQUEST,
        StepKind.FOLLOW_UP,
    }
)


def misfit(session: Session, flow: Flow) -> str | None:
    """What makes ``session`` impossible under ``flow``, or ``None`` when it fits.

    The answer names fields, never values. Of the trail only the step ``back`` would go to
    is looked at: each event checks the end of the trail again, so no step the workflow lacks
    is ever entered, and the check costs the same on a trail of any length.
    """
    steps = flow.steps
    table = steps.get(session.step)
    if table is None or (session.trail and session.trail[-1] not in steps):
        return "the session is on a step the workflow does not have"
    kind = table.step.kind
    channels = flow.channels
    if session.channel is not None and session.channel not in channels:
        return "the session's channel is not declared"
    if session.locale not in flow.workflow.locales:
        return "the session's locale is not declared"
    submission = session.submission
    if session.status == "active" and kind not in _ACTIVE_KINDS:
        return "an active session cannot be on an end step"
    if session.status == "submitting" and (
        kind is not StepKind.REQUEST or submission is None or submission.status != "pending"
    ):
        return "a submitting session needs a pending submission on a request step"
    if session.status == "submitted" and (submission is None or submission.receipt is None):
        return "a submitted session needs an accepted submission"
    receipt = submission.receipt if submission is not None else None
    if receipt is not None and receipt.channel not in channels:
        return "the receipt's channel is not declared"
    if session.status == "resolved" and kind is not StepKind.RESOLVED:
        return "a resolved session must be on a resolved step"
    ratings = session.ratings
    if ratings and (
        len(ratings) > 1 or ratings[0].step != session.step or table.step.rating is None
    ):
        return "a rating belongs to the end step the session stands on, once"
    return None
