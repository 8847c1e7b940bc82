"""Events: everything that can happen to a session, one small value class each.

User events come from the person at the screen; host events (``ArticlesFound``,
``ArticlesFailed``, ``TicketAccepted``, ``TicketRejected``, ``RequestFound``,
``RequestNotFound``) carry the results of effects the host performed. The JSON form of each
is tagged by ``type`` (see ``event.schema.json``).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kl_contact.articles.model import ArticleMatch
from kl_contact.ticket.model import AnswerValue, Receipt
from kl_contact.ticket.status import RequestStatus

__all__ = [
    "EVENT_TYPES",
    "AddInformation",
    "Answer",
    "ArticleHelped",
    "ArticleNotHelpful",
    "ArticlesFailed",
    "ArticlesFound",
    "Back",
    "ChangeLocale",
    "ChooseChannel",
    "Continue",
    "Escalate",
    "Event",
    "FindRequest",
    "FollowUp",
    "Next",
    "OpenArticle",
    "Rate",
    "Reopen",
    "RequestFound",
    "RequestNotFound",
    "Send",
    "SkipRating",
    "TicketAccepted",
    "TicketRejected",
    "event_type",
]


def _answers_repr(answers: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{key!r}: <redacted>" for key in answers) + "}"


@attrs.frozen
class Continue:
    """Go on from an information step (self-service: "I still need an engineer")."""


@attrs.frozen
class ChooseChannel:
    """Choose e-mail, chat or phone ("Contact support" in that channel's section)."""

    channel: str


@attrs.frozen
class Answer:
    """Record answers on the current step without leaving it (options may change)."""

    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict, repr=_answers_repr)


@attrs.frozen
class Next:
    """Record answers and go to the next step if the current one is complete."""

    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict, repr=_answers_repr)


@attrs.frozen
class Back:
    """Go back one step; every answer given so far is kept."""


@attrs.frozen
class ArticlesFound:
    """Host: the results of a ``SearchArticles`` effect."""

    search_id: str
    matches: tuple[ArticleMatch, ...] = ()


@attrs.frozen
class ArticlesFailed:
    """Host: a ``SearchArticles`` effect could not be carried out."""

    search_id: str
    reason: str = "unavailable"


@attrs.frozen
class OpenArticle:
    """The user opened a suggested article."""

    article_id: str


@attrs.frozen
class ArticleHelped:
    """The article answered the question: the contact ends resolved and no ticket is sent."""

    article_id: str


@attrs.frozen
class ArticleNotHelpful:
    """The user says an article did not help, optionally why."""

    article_id: str
    reason: str | None = None


@attrs.frozen
class Escalate:
    """No article helped: "Contact support"."""


@attrs.frozen
class Send:
    """Record the request's answers and send it ("Send")."""

    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict, repr=_answers_repr)


@attrs.frozen
class TicketAccepted:
    """Host: the backend registered the ticket of submission ``submission_id``."""

    submission_id: str
    receipt: Receipt


@attrs.frozen
class TicketRejected:
    """Host: the backend refused or failed to register the ticket."""

    submission_id: str
    code: str = "unavailable"


def _comment_repr(comment: str | None) -> str:
    return "None" if comment is None else "<redacted>"


@attrs.frozen
class Rate:
    """Rate the help on an end step that asks for it: ``score`` from 1 to 5, and an
    optional free-text ``comment`` (never shown in ``repr``)."""

    score: int
    comment: str | None = attrs.field(default=None, repr=_comment_repr)


@attrs.frozen
class SkipRating:
    """Decline the end step's rating question; it is not asked again."""


@attrs.frozen
class ChangeLocale:
    """Switch the session to another declared locale."""

    locale: str


@attrs.frozen
class FollowUp:
    """On the channel choice: "I already have a request". ``channel`` picks the follow-up
    step of the channel the request was made on, when it has its own."""

    channel: str | None = None


@attrs.frozen
class FindRequest:
    """On a follow-up step: record the request number and e-mail, and look the request up."""

    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict, repr=_answers_repr)


@attrs.frozen
class AddInformation:
    """On a follow-up step whose request is open: add the text and files to the request."""

    answers: Mapping[str, AnswerValue] = attrs.field(factory=dict, repr=_answers_repr)


@attrs.frozen
class Reopen:
    """On a follow-up step whose request is solved or closed: ask to reopen it."""


@attrs.frozen
class RequestFound:
    """Host: the answer to a ``LookUpRequest`` effect (same ``lookup_id``): the request."""

    lookup_id: str
    request: RequestStatus


@attrs.frozen
class RequestNotFound:
    """Host: no request has this number and e-mail (``not_found``), or the helpdesk could
    not be asked (``unavailable``: the lookup does not count against the attempts)."""

    lookup_id: str
    reason: str = "not_found"


Event = (
    Continue
    | ChooseChannel
    | Answer
    | Next
    | Back
    | ArticlesFound
    | ArticlesFailed
    | OpenArticle
    | ArticleHelped
    | ArticleNotHelpful
    | Escalate
    | Send
    | TicketAccepted
    | TicketRejected
    | ChangeLocale
    | FollowUp
    | FindRequest
    | AddInformation
    | Reopen
    | RequestFound
    | RequestNotFound
    | Rate
    | SkipRating
)
"""Any event the engine handles."""

EVENT_TYPES: dict[type[Event], str] = {
    Continue: "continue",
    ChooseChannel: "choose_channel",
    Answer: "answer",
    Next: "next",
    Back: "back",
    ArticlesFound: "articles_found",
    ArticlesFailed: "articles_failed",
    OpenArticle: "open_article",
    ArticleHelped: "article_helped",
    ArticleNotHelpful: "article_not_helpful",
    Escalate: "escalate",
    Send: "send",
    TicketAccepted: "ticket_accepted",
    TicketRejected: "ticket_rejected",
    ChangeLocale: "change_locale",
    FollowUp: "follow_up",
    FindRequest: "find_request",
    AddInformation: "add_information",
    Reopen: "reopen",
    RequestFound: "request_found",
    RequestNotFound: "request_not_found",
    Rate: "rate",
    SkipRating: "skip_rating",
}
"""The ``type`` tag of each event class in JSON."""


def event_type(event: Event) -> str:
    """The JSON ``type`` tag of an event."""
    return EVENT_TYPES[type(event)]
