"""Effects: what the host must do for the engine, one small value class each.

The engine performs nothing. It returns effects; the host carries them out with its own
transports and feeds the results back as events.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from kl_contact.articles.model import ArticleQuery
from kl_contact.ticket.model import Attachment, Receipt, Ticket

__all__ = [
    "EFFECT_TYPES",
    "AddToRequest",
    "Effect",
    "Feedback",
    "LookUpRequest",
    "RecordFeedback",
    "ReopenRequest",
    "SearchArticles",
    "SendRegistrationEmail",
    "SubmitTicket",
]


def _redacted(value: object) -> str:
    return "<redacted>"


@attrs.frozen
class SearchArticles:
    """Find articles for ``query``; answer with ``ArticlesFound`` (same ``search_id``).

    ``limit`` and ``min_score`` come from the definition's ``articles:`` settings, so a host
    that answers from its own search service applies the same threshold as the built-in
    matcher (``Bm25Matcher.for_workflow``).
    """

    search_id: str
    query: ArticleQuery
    limit: int
    min_score: float = 0.0


@attrs.frozen
class SubmitTicket:
    """Register ``ticket`` with the support backend; answer with ``TicketAccepted`` or
    ``TicketRejected`` (same ``submission_id``)."""

    submission_id: str
    ticket: Ticket
    receipt_fields: tuple[str, ...] = ()
    """The receipt fields the chosen channel's next steps need (``contact.chat_url``,
    ``contact.phone``, ``reply_within_hours``): a receipt without one is refused."""


@attrs.frozen
class SendRegistrationEmail:
    """Send the registration e-mail for an accepted request (no event comes back)."""

    submission_id: str
    locale: str
    ticket: Ticket
    receipt: Receipt


@attrs.frozen
class LookUpRequest:
    """Find the request ``request_number`` registered for ``email``; answer with
    ``RequestFound`` or ``RequestNotFound`` (same ``lookup_id``). A host answers a wrong
    address exactly as an unknown number, so that nobody learns whose request it is."""

    lookup_id: str
    request_number: str
    email: str = attrs.field(repr=_redacted)
    locale: str


@attrs.frozen
class AddToRequest:
    """Add the user's ``text`` and ``attachments`` to request ``request_number`` (no event
    comes back). ``addition_id`` is the same for a retried effect: an idempotency key."""

    addition_id: str
    request_number: str
    email: str = attrs.field(repr=_redacted)
    text: str = attrs.field(repr=_redacted)
    attachments: tuple[Attachment, ...] = ()


@attrs.frozen
class ReopenRequest:
    """Reopen the solved or closed request ``request_number`` (no event comes back);
    ``reopen_id`` is an idempotency key."""

    reopen_id: str
    request_number: str
    email: str = attrs.field(repr=_redacted)


@attrs.frozen(repr=False)
class Feedback:
    """One satisfaction rating, as the host stores it.

    ``step`` is the end step rated (``resolved`` after an article helped, ``confirmation``
    after a request was sent), ``channel`` the channel chosen (if any), ``article_id`` the
    article that helped (if any) and ``request_number`` the request registered (if any).
    ``comment`` is what the user typed: it never appears in ``repr``.
    """

    session_id: str
    workflow: str
    step: str
    score: int
    at: datetime
    locale: str
    channel: str | None = None
    article_id: str | None = None
    request_number: str | None = None
    comment: str | None = None

    def __repr__(self) -> str:
        return (
            f"Feedback(step={self.step!r}, channel={self.channel!r}, "
            f"article_id={self.article_id!r}, score={self.score!r}, "
            f"comment={'<redacted>' if self.comment is not None else None})"
        )


@attrs.frozen
class RecordFeedback:
    """Store the user's satisfaction rating (no event comes back)."""

    feedback: Feedback


Effect = (
    SearchArticles
    | SubmitTicket
    | SendRegistrationEmail
    | RecordFeedback
    | LookUpRequest
    | AddToRequest
    | ReopenRequest
)
"""Any effect the engine asks for."""

EFFECT_TYPES: dict[type[Effect], str] = {
    SearchArticles: "search_articles",
    SubmitTicket: "submit_ticket",
    SendRegistrationEmail: "send_registration_email",
    LookUpRequest: "look_up_request",
    AddToRequest: "add_to_request",
    ReopenRequest: "reopen_request",
    RecordFeedback: "record_feedback",
}
"""The ``type`` tag of each effect class in JSON."""
