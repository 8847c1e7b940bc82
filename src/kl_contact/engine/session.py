"""The session: everything about one user's contact in progress, as one immutable value.

A session is plain data. It serialises to small JSON (see :mod:`kl_contact.wire`) that any
store can keep, and any worker can resume it: restoring a session never re-runs an effect.
Its ``repr`` shows the step and counts, never what the user typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import attrs

from kl_contact.articles.model import ArticleMatch
from kl_contact.errors import ValidationIssue
from kl_contact.ticket.model import AnswerValue, Receipt, Ticket, WorkflowRef
from kl_contact.ticket.status import RequestStatus

__all__ = [
    "ArticleFeedback",
    "ArticlesState",
    "FollowUpProgress",
    "FollowUpStatus",
    "HistoryEntry",
    "Rating",
    "Session",
    "SessionStatus",
    "Submission",
    "is_reason_code",
]

SessionStatus = Literal["active", "submitting", "submitted", "resolved"]
"""Where the contact stands: in progress, waiting for the backend, or ended one way or the other."""

MAX_HISTORY = 100
"""How many history entries a session keeps (the oldest go first)."""


_REASON_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


def is_reason_code(reason: str) -> bool:
    """Whether a "not helpful" reason is a short code (``outdated``) rather than free text
    a user typed: analytics counts codes by name, and erasure keeps them."""
    return _REASON_CODE.fullmatch(reason) is not None


@attrs.frozen
class ArticleFeedback:
    """The user's verdict on one article; ``reason`` is an optional short code or text."""

    article_id: str
    helpful: bool
    reason: str | None = None


@attrs.frozen
class ArticlesState:
    """The articles step's state: the current search, its matches, and what the user did."""

    status: Literal["idle", "loading", "ready", "failed"] = "idle"
    search_id: str | None = None
    matches: tuple[ArticleMatch, ...] = ()
    shown: tuple[str, ...] = ()
    opened: tuple[str, ...] = ()
    feedback: tuple[ArticleFeedback, ...] = ()
    helped: str | None = None
    escalated: bool = False


FollowUpStatus = Literal[
    "idle", "looking_up", "found", "not_found", "unavailable", "added", "reopened"
]
"""Where a follow-up of an existing request stands: asking for its number and e-mail, waiting
for the host's lookup, found, not found (or the helpdesk could not be asked), and done."""


@attrs.frozen
class FollowUpProgress:
    """A follow-up of a request the user already has: the lookup and what came of it.

    ``attempts`` counts the lookups the session made (a follow-up step allows its
    ``attempts``); ``request`` is what the host found. The number and e-mail asked are
    answers of the step's questions, kept with the other answers.
    """

    status: FollowUpStatus = "idle"
    lookup_id: str | None = None
    attempts: int = 0
    request: RequestStatus | None = None


@attrs.frozen
class Submission:
    """One attempt to send the ticket, and how the backend answered it."""

    id: str
    ticket: Ticket
    status: Literal["pending", "accepted", "rejected"] = "pending"
    receipt: Receipt | None = None
    rejection: str | None = None


@attrs.frozen
class HistoryEntry:
    """One handled event: when, which type, and on which step (never its payload)."""

    at: datetime
    event: str
    step: str


@attrs.frozen(repr=False)
class Rating:
    """The user's answer to an end step's rating question.

    ``score`` is 1 to 5, or None when the user skipped the question; ``comment`` is what
    the user typed, if anything, and never appears in ``repr``.
    """

    step: str
    at: datetime
    score: int | None = None
    comment: str | None = None

    def __repr__(self) -> str:
        return (
            f"Rating(step={self.step!r}, score={self.score!r}, "
            f"comment={'<redacted>' if self.comment is not None else None})"
        )

    @property
    def skipped(self) -> bool:
        """Whether the user declined to rate."""
        return self.score is None


@attrs.frozen(repr=False)
class Session:
    """One user's contact in progress."""

    id: str
    workflow: WorkflowRef
    locale: str
    step: str
    created_at: datetime
    updated_at: datetime
    status: SessionStatus = "active"
    trail: tuple[str, ...] = ()
    channel: str | None = None
    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict)
    issues: tuple[ValidationIssue, ...] = ()
    articles: ArticlesState = ArticlesState()
    submission: Submission | None = None
    sequence: int = 0
    history: tuple[HistoryEntry, ...] = ()
    time_zone: str | None = None
    """The user's IANA time zone, for opening times on the channel choice."""
    region: str | None = None
    """The user's region code, for channels with regional support hours."""
    follow_up: FollowUpProgress = FollowUpProgress()
    """A follow-up of an existing request, when the user went that way."""
    revision: int = 0
    """How many events have changed the session. A host keeps the latest session and
    refuses a request that carries an older revision (compare-and-set), so a double
    submit or a stale tab never forks the contact."""
    prefilled: tuple[str, ...] = ()
    """The questions whose answers are still the ones the host prefilled at the start (the
    definition's ``prefill:`` says which of them the user cannot change)."""
    prefill_issues: tuple[ValidationIssue, ...] = ()
    """What was wrong with the host's prefilled answers: a value that failed its question's
    checks (kept as an answer the user may correct) or one for a question the definition
    does not let the host prefill (left out). Shown until the user answers the question."""
    ratings: tuple[Rating, ...] = ()
    """The answers to the end steps' rating questions, one per step at most."""

    def __repr__(self) -> str:
        return (
            f"Session(id={self.id!r}, step={self.step!r}, status={self.status!r}, "
            f"channel={self.channel!r}, locale={self.locale!r}, answers={len(self.answers)})"
        )

    __str__ = __repr__

    def rating(self, step: str) -> Rating | None:
        """The rating given (or skipped) on ``step``, if any."""
        for rating in self.ratings:
            if rating.step == step:
                return rating
        return None

    @property
    def request_number(self) -> str | None:
        """The request number once the backend accepted the ticket."""
        if self.submission is not None and self.submission.receipt is not None:
            return self.submission.receipt.request_number
        return None
