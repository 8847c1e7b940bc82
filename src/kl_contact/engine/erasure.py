"""Erasure: a finished contact's personal data replaced, its anonymised record kept.

When a user asks for their personal data to be erased, a host replaces its stored sessions
with :func:`erase_personal_data`'s result. What goes: every answer that is personal data (a
question with a contact or ``licence_key`` role, one the definition marks ``personal:
true``, attachments' file names), the ticket's contact details, licence key, free text and
file names (the ticket's own redaction; its e-mail and phone answers are left out, as a
redacted address is no longer one), "not helpful" reasons a user typed in words, and the
comments given with satisfaction ratings. What stays: the steps taken, the channel, the
choices (product, category...), what the articles step showed and how it went, the request
number, consents and their versions, and the rating scores.
So :mod:`kl_contact.analytics` counts an erased session exactly as before.

Only a finished contact (submitted or resolved) is erased: one in progress would lose what
the user is still typing, so that is a :class:`~kl_contact.errors.UsageError`
(``session.not_finished``).
"""

from __future__ import annotations

import attrs

from kl_contact.definition.answers import AnswerValue, Attachment
from kl_contact.definition.model import Workflow
from kl_contact.engine.session import ArticlesState, Session, is_reason_code
from kl_contact.errors import UsageError
from kl_contact.ticket.model import REDACTED

__all__ = ["erase_personal_data"]

_FINISHED = frozenset({"submitted", "resolved"})
_ADDRESSES = frozenset({"email", "phone"})


def _erased(value: AnswerValue) -> AnswerValue:
    if isinstance(value, str):
        return REDACTED
    if isinstance(value, bool):
        return value
    files = tuple(attrs.evolve(v, name=REDACTED) for v in value if isinstance(v, Attachment))
    return files if files else tuple(REDACTED for _ in value)


def _typed(reason: str | None) -> bool:
    """Whether a "not helpful" reason is words a user typed (not empty, not a code)."""
    return bool(reason) and not is_reason_code(reason or "")


def _articles(state: ArticlesState) -> ArticlesState:
    if not any(_typed(f.reason) for f in state.feedback):
        return state
    feedback = tuple(
        attrs.evolve(f, reason=REDACTED) if _typed(f.reason) else f for f in state.feedback
    )
    return attrs.evolve(state, feedback=feedback)


def erase_personal_data(workflow: Workflow, session: Session) -> Session:
    """``session`` (of a submitted or resolved contact on ``workflow``) with every personal
    answer replaced by ``<redacted>`` and its ticket redacted.

    An answer to a question ``workflow`` does not know (a session of an older version) is
    treated as personal. Erasing an erased session changes nothing more. Raises
    :class:`~kl_contact.errors.UsageError` ``session.not_finished`` for a contact still in
    progress.
    """
    if session.status not in _FINISHED:
        raise UsageError(
            f"a {session.status} session cannot be erased: only a finished one",
            code="session.not_finished",
        )
    questions = workflow.questions()
    answers = {
        qid: _erased(value) if qid not in questions or questions[qid].is_personal else value
        for qid, value in session.answers.items()
    }
    submission = session.submission
    if submission is not None:
        ticket = submission.ticket.redacted()
        # a redacted e-mail address or phone number is no longer one: those answers go (the
        # ticket's contact details say "<redacted>" in their place)
        kept = tuple(a for a in ticket.answers if a.type not in _ADDRESSES)
        submission = attrs.evolve(submission, ticket=attrs.evolve(ticket, answers=kept))
    ratings = tuple(
        attrs.evolve(r, comment=REDACTED) if r.comment is not None else r for r in session.ratings
    )
    return attrs.evolve(
        session,
        answers=answers,
        submission=submission,
        articles=_articles(session.articles),
        ratings=ratings,
    )
