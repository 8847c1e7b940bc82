"""Effects: what the host must do for the engine, one small value class each.

The engine performs nothing. It returns effects; the host carries them out with its own
transports and feeds the results back as events.
"""

from __future__ import annotations

import attrs

from kl_contact.articles.model import ArticleQuery
from kl_contact.ticket.model import Receipt, Ticket

__all__ = [
    "EFFECT_TYPES",
    "Effect",
    "EstimateWait",
    "SearchArticles",
    "SendRegistrationEmail",
    "SubmitTicket",
]


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
class EstimateWait:
    """Estimate how long a user would wait on ``channel`` now; answer with
    ``WaitEstimated`` (same ``estimate_id``). Asked when the channel choice or the channel's
    confirmation is shown, for each open channel whose definition says ``estimate_wait``;
    a host that cannot tell sends nothing, and no wait is shown."""

    estimate_id: str
    channel: str


Effect = SearchArticles | SubmitTicket | SendRegistrationEmail | EstimateWait
"""Any effect the engine asks for."""

EFFECT_TYPES: dict[type[Effect], str] = {
    SearchArticles: "search_articles",
    SubmitTicket: "submit_ticket",
    SendRegistrationEmail: "send_registration_email",
    EstimateWait: "estimate_wait",
}
"""The ``type`` tag of each effect class in JSON."""
