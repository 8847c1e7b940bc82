"""The request a user sends (the ticket) and what the support backend answers (the receipt).

A ticket carries personal data: contact details and free text. Its ``repr`` shows only ids,
counts and the channel, and :meth:`Ticket.redacted` gives a copy safe to log.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from kl_contact.definition.answers import AnswerValue, Attachment
from kl_contact.definition.model import Priority

__all__ = [
    "AnswerValue",
    "Attachment",
    "ContactDetails",
    "EngineerContact",
    "Receipt",
    "Ticket",
    "TicketAnswer",
    "TicketArticles",
    "TicketCallback",
    "TicketConsent",
    "TicketRouting",
    "WorkflowRef",
]

REDACTED = "<redacted>"


@attrs.frozen
class WorkflowRef:
    """Which definition a session or ticket belongs to: id, version and content digest."""

    id: str
    version: int
    digest: str


@attrs.frozen(repr=False)
class ContactDetails:
    """How the engineers reach the user. Personal data: never shown in repr or logs.

    ``email`` is always there (the registration e-mail goes to it) and normalised; ``phone``
    is in E.164 (``+74951234567``) and given when the definition asks for it, as the default
    one does for the phone channel; ``language`` is the locale to answer in.
    """

    email: str
    name: str | None = None
    phone: str | None = None
    language: str | None = None

    def __repr__(self) -> str:
        return "ContactDetails(<redacted>)"

    def redacted(self) -> ContactDetails:
        """A copy with every personal value replaced."""
        return ContactDetails(
            email=REDACTED,
            name=REDACTED if self.name is not None else None,
            phone=REDACTED if self.phone is not None else None,
            language=self.language,
        )


@attrs.frozen(repr=False)
class TicketAnswer:
    """One visible answer, with its question's label and the option labels, in the user's locale."""

    question: str
    label: str
    type: str
    value: AnswerValue
    display: str
    prefilled: bool = False
    """The answer is the one the host prefilled (the user's own program knew it)."""

    def __repr__(self) -> str:
        return f"TicketAnswer(question={self.question!r}, type={self.type!r})"


@attrs.frozen
class TicketConsent:
    """A consent the user gave: the consent question's ``id``, the ``version`` of its text
    the definition declares (``consent_version``, ``None`` when it declares none), the
    SHA-256 (hex) of the text shown in the ``locale`` shown, and when the request that
    carries it was sent (``given_at``)."""

    id: str
    version: str | None
    text_sha256: str
    locale: str
    given_at: datetime


def _priority(value: str) -> str:
    return Priority(value).value


@attrs.frozen
class TicketRouting:
    """How urgent the request is and which queue takes it, with the ``rule`` of the
    definition's ``routing:`` that chose them (``None``: no rule held, the default).
    ``priority`` is one of :class:`~kl_contact.definition.model.Priority`'s values."""

    priority: str = attrs.field(converter=_priority)
    queue: str
    rule: str | None = None


@attrs.frozen(repr=False)
class TicketCallback:
    """The call back the user booked: the slot from ``starts_at`` to ``ends_at`` (in the
    user's ``time_zone``) and the ``phone`` to call, from the contact details (E.164).
    The phone is personal data: never in ``repr``, replaced by :meth:`redacted`."""

    starts_at: datetime
    ends_at: datetime
    time_zone: str
    phone: str | None = None

    def __repr__(self) -> str:
        return f"TicketCallback(starts_at={self.starts_at.isoformat()!r})"

    def redacted(self) -> TicketCallback:
        """A copy with the phone replaced."""
        return attrs.evolve(self, phone=REDACTED if self.phone is not None else None)


@attrs.frozen
class TicketArticles:
    """What the user saw of the suggested articles before asking for an engineer."""

    shown: tuple[str, ...] = ()
    opened: tuple[str, ...] = ()
    not_helpful: tuple[str, ...] = ()
    escalated: bool = False


@attrs.frozen(repr=False)
class Ticket:
    """The request as the engineers receive it, built by the engine when the user sends."""

    id: str
    session_id: str
    workflow: WorkflowRef
    channel: str
    locale: str
    created_at: datetime
    subject: str
    description: str
    contact: ContactDetails
    product: str | None = None
    category: str | None = None
    platform: str | None = None
    answers: tuple[TicketAnswer, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    articles: TicketArticles = TicketArticles()
    routing: TicketRouting | None = None
    """Priority and queue when the definition declares ``routing:``."""
    licence_key: str | None = None
    """The answer of the question with the ``licence_key`` role: personal data, never in a
    repr and replaced by :meth:`redacted`."""
    consents: tuple[TicketConsent, ...] = ()
    """The consents the user gave on the way, with the version and digest of their text."""
    callback: TicketCallback | None = None
    """The call back booked while the channel's line was closed, if any."""

    def __repr__(self) -> str:
        return (
            f"Ticket(id={self.id!r}, channel={self.channel!r}, locale={self.locale!r}, "
            f"product={self.product!r}, category={self.category!r}, "
            f"answers={len(self.answers)}, attachments={len(self.attachments)}, "
            f"callback={self.callback is not None})"
        )

    __str__ = __repr__

    def redacted(self) -> Ticket:
        """A copy safe to log: contact details, the licence key, free text and file names
        replaced."""
        free_text = {"text", "long_text", "email", "phone", "attachments"}
        return attrs.evolve(
            self,
            subject=REDACTED,
            description=REDACTED,
            contact=self.contact.redacted(),
            licence_key=REDACTED if self.licence_key is not None else None,
            answers=tuple(
                attrs.evolve(a, value=REDACTED, display=REDACTED) if a.type in free_text else a
                for a in self.answers
            ),
            attachments=tuple(attrs.evolve(a, name=REDACTED) for a in self.attachments),
            callback=self.callback.redacted() if self.callback is not None else None,
        )


@attrs.frozen
class EngineerContact:
    """How the engineers can be reached for a request, as the backend gives it."""

    email: str | None = None
    chat_url: str | None = None
    phone: str | None = None
    phone_display: str | None = None


@attrs.frozen
class Receipt:
    """The support backend's answer to a submitted ticket."""

    request_number: str
    channel: str
    contact: EngineerContact = EngineerContact()
    reply_within_hours: int | None = None
