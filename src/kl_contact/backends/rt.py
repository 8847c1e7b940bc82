"""Request Tracker 5 (Best Practical's RT) through its REST2 API: the mapping, pure.

:class:`RequestTracker` turns a :class:`~kl_contact.ticket.model.Ticket` into the
``POST /ticket`` document RT expects: the ticket's subject, the user's e-mail as Requestor,
the description (with the answers the engineers need to read) as the content, the screenshots
as attachments (base64), and the classification as custom fields (product, platform,
category, channel, locale), plus the idempotency key in a custom field of its own that
:meth:`RequestTracker.find_submission` searches before anything is created. It reads RT's
answers back: the new ticket's id, the receipt in the definition's request-number format, and
RT's ticket and history as a typed :class:`~kl_contact.backends.model.RequestStatus`.

Paths are relative to RT's REST2 base, ``{WebBaseURL}/REST/2.0/``; a host authenticates with
an RT auth token (``Authorization: token ...``). Nothing here sends anything.

>>> rt = RequestTracker(queue="General", requests=RequestFormat(number="KL-{id}"))
>>> rt.find_submission("0f3a").query["query"]
"CF.{Submission} = '0f3a'"
>>> rt.receipt("17", "email").request_number
'KL-17'
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from kl_contact.backends.model import (
    BackendAnswerInvalid,
    FileContent,
    FollowUpState,
    HttpRequest,
    RequestStatus,
)
from kl_contact.definition.model import RequestFormat
from kl_contact.ticket.model import EngineerContact, Receipt, Ticket

__all__ = ["RT_STATES", "RequestTracker", "RtCustomFields"]

JSON = dict[str, Any]

RT_STATES: Mapping[str, FollowUpState] = {
    "new": FollowUpState.OPEN,
    "open": FollowUpState.OPEN,
    "stalled": FollowUpState.WAITING_FOR_YOU,
    "resolved": FollowUpState.SOLVED,
    "rejected": FollowUpState.CLOSED,
    "deleted": FollowUpState.CLOSED,
}
"""RT's default lifecycle statuses as follow-up states; an unknown status counts as open."""

_TICKET_ID = re.compile(r"[1-9][0-9]{0,17}")
_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_SKIPPED_ANSWERS = frozenset({"attachments", "email", "info"})


@attrs.frozen
class RtCustomFields:
    """The names of the RT custom fields the mapping fills; ``None`` leaves one out.

    They must exist in RT and apply to the queue's tickets (single free-form values).
    """

    product: str | None = "Product"
    platform: str | None = "Platform"
    category: str | None = "Category"
    channel: str | None = "Channel"
    locale: str | None = "Locale"
    submission: str = "Submission"
    """The idempotency key; the one field the mapping cannot do without."""


def _instant(value: Any) -> datetime | None:
    """RT's ``2026-12-02T05:48:17Z``; RT's "never" (1970-01-01) and junk give ``None``."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return None if instant.year <= 1970 else instant


def _id_of(document: Any) -> str | None:
    if isinstance(document, Mapping):
        document = document.get("id")
    text = str(document) if isinstance(document, int | str) else ""
    return text if _TICKET_ID.fullmatch(text) else None


@attrs.frozen
class RequestTracker:
    """The mapping to one RT queue.

    ``requests`` is the definition's request format (``Workflow.requests``): RT's ticket id
    becomes the request number the user sees through it. ``contacts`` gives the engineers'
    contact per channel id, ``contact`` the one for any other channel; a ``chat_url`` may
    contain ``{request_number}``.
    """

    queue: str = "General"
    requests: RequestFormat = attrs.field(factory=RequestFormat)
    custom_fields: RtCustomFields = attrs.field(factory=RtCustomFields)
    contact: EngineerContact = attrs.field(factory=EngineerContact)
    contacts: Mapping[str, EngineerContact] = attrs.field(factory=dict)
    reply_within_hours: int | None = None

    # ------------------------------------------------------------------ submitting

    def find_submission(self, key: str) -> HttpRequest:
        """``GET tickets``: the tickets whose submission field holds ``key``, oldest first."""
        if not _KEY.fullmatch(key):
            raise ValueError("an idempotency key is 1 to 128 letters, digits or ._:-")
        name = self.custom_fields.submission
        return HttpRequest(
            "GET",
            "tickets",
            {"query": f"CF.{{{name}}} = '{key}'", "orderby": "id", "order": "ASC", "fields": "id"},
        )

    def submission_found(self, status: int, document: Any) -> str | None:
        """The oldest ticket id in the answer to :meth:`find_submission`, or ``None``."""
        if status != 200 or not isinstance(document, Mapping):
            raise BackendAnswerInvalid("backend.status", f"ticket search answered {status}")
        items = document.get("items")
        if not isinstance(items, list):
            raise BackendAnswerInvalid("backend.document", "ticket search without items")
        ids = [int(i) for i in map(_id_of, items) if i is not None]
        return str(min(ids)) if ids else None

    def create_request(
        self, ticket: Ticket, key: str, files: Sequence[FileContent] = ()
    ) -> HttpRequest:
        """``POST ticket``: RT's ticket for ``ticket``, carrying ``key`` and ``files``."""
        self.find_submission(key)  # the same check of the key
        fields = self.custom_fields
        values = {
            fields.product: ticket.product,
            fields.platform: ticket.platform,
            fields.category: ticket.category,
            fields.channel: ticket.channel,
            fields.locale: ticket.locale,
            fields.submission: key,
        }
        body: JSON = {
            "Queue": self.queue,
            "Subject": ticket.subject,
            "Requestor": ticket.contact.email,
            "Content": self.content(ticket),
            "ContentType": "text/plain",
            "CustomFields": {
                name: value for name, value in values.items() if name and value is not None
            },
        }
        if files:
            body["Attachments"] = [
                {
                    "FileName": file.attachment.name,
                    "FileType": file.attachment.media_type,
                    "FileContent": base64.b64encode(file.content).decode("ascii"),
                }
                for file in files
            ]
        return HttpRequest("POST", "ticket", body=body)

    def content(self, ticket: Ticket) -> str:
        """The ticket's first message in RT: the description, then how to reach the user and
        the answers an engineer reads (labels and shown values, in the user's locale)."""
        lines = [ticket.description.rstrip(), "", "--"]
        contact = ticket.contact
        lines += [
            f"{label}: {value}"
            for label, value in [
                ("Name", contact.name),
                ("E-mail", contact.email),
                ("Phone", contact.phone),
                ("Language", contact.language or ticket.locale),
            ]
            if value
        ]
        for answer in ticket.answers:
            if answer.type in _SKIPPED_ANSWERS or not answer.display:
                continue
            if answer.display in {ticket.subject, ticket.description, contact.name, contact.phone}:
                continue  # shown above already
            lines.append(f"{answer.label}: {answer.display}")
        if ticket.attachments:
            lines.append("Files: " + ", ".join(a.name for a in ticket.attachments))
        return "\n".join(lines) + "\n"

    def created(self, status: int, document: Any) -> str:
        """The id RT gave the ticket :meth:`create_request` made (RT answers 201, id a string)."""
        if status != 201:
            raise BackendAnswerInvalid("backend.status", f"ticket create answered {status}")
        ticket_id = _id_of(document)
        if ticket_id is None:
            raise BackendAnswerInvalid("backend.document", "ticket create answer without an id")
        return ticket_id

    def contact_for(self, channel: str, request_number: str) -> EngineerContact:
        """The engineers' contact for ``channel``, its chat address naming the request."""
        contact = self.contacts.get(channel, self.contact)
        if contact.chat_url and "{request_number}" in contact.chat_url:
            url = contact.chat_url.replace("{request_number}", request_number)
            contact = attrs.evolve(contact, chat_url=url)
        return contact

    def receipt(self, ticket_id: str, channel: str) -> Receipt:
        """The receipt for RT ticket ``ticket_id``: its request number and the contact."""
        number = self.requests.request_number(ticket_id)
        return Receipt(
            request_number=number,
            channel=channel,
            contact=self.contact_for(channel, number),
            reply_within_hours=self.reply_within_hours,
        )

    # ------------------------------------------------------------------ following up

    def ticket_id(self, request_number: str) -> str | None:
        """RT's ticket id in ``request_number`` (the definition's format), or ``None``."""
        ticket_id = self.requests.ticket_id(request_number.strip())
        return ticket_id if ticket_id is not None and _TICKET_ID.fullmatch(ticket_id) else None

    def show_ticket(self, ticket_id: str) -> HttpRequest:
        """``GET ticket/ID``: the ticket with its status and requestors."""
        return HttpRequest("GET", f"ticket/{self._checked(ticket_id)}")

    def show_history(self, ticket_id: str) -> HttpRequest:
        """``GET ticket/ID/history``: its transactions (type, creator, time), oldest first."""
        return HttpRequest(
            "GET",
            f"ticket/{self._checked(ticket_id)}/history",
            {"fields": "Type,Created,Creator", "per_page": "100", "order": "ASC"},
        )

    def requestors(self, document: Any) -> tuple[str, ...]:
        """The requestors' addresses of a ticket document from :meth:`show_ticket`, lower case."""
        people = document.get("Requestor") if isinstance(document, Mapping) else None
        if not isinstance(people, list):
            return ()
        found = (p.get("id") if isinstance(p, Mapping) else p for p in people)
        return tuple(str(p).casefold() for p in found if isinstance(p, str) and p)

    def status(self, request_number: str, ticket: Any, history: Any) -> RequestStatus:
        """Where the request stands, from the answers to :meth:`show_ticket` and
        :meth:`show_history`.

        The last reply is the latest correspondence by someone who is not a requestor (an
        engineer). An open ticket whose latest correspondence is such a reply waits for the
        user, as does a stalled one.
        """
        if not isinstance(ticket, Mapping) or not isinstance(ticket.get("Status"), str):
            raise BackendAnswerInvalid("backend.document", "ticket without a status")
        items = history.get("items") if isinstance(history, Mapping) else None
        if not isinstance(items, list):
            raise BackendAnswerInvalid("backend.document", "history without items")
        users = set(self.requestors(ticket))
        last_reply: datetime | None = None
        last_from_user: datetime | None = None
        for item in items:
            if not isinstance(item, Mapping) or item.get("Type") != "Correspond":
                continue
            when = _instant(item.get("Created"))
            creator = item.get("Creator")
            who = creator.get("id") if isinstance(creator, Mapping) else creator
            if when is None:
                continue
            if isinstance(who, str) and who.casefold() in users:
                last_from_user = max(last_from_user or when, when)
            else:
                last_reply = max(last_reply or when, when)
        state = RT_STATES.get(ticket["Status"], FollowUpState.OPEN)
        if (
            state is FollowUpState.OPEN
            and last_reply is not None
            and (last_from_user is None or last_reply > last_from_user)
        ):
            state = FollowUpState.WAITING_FOR_YOU
        return RequestStatus(
            request_number=request_number,
            state=state,
            last_reply_at=last_reply,
            updated_at=_instant(ticket.get("LastUpdated")),
        )

    def add_information(
        self, ticket_id: str, text: str, files: Sequence[FileContent] = ()
    ) -> HttpRequest:
        """``POST ticket/ID/correspond``: what the user adds, as correspondence on the ticket."""
        body: JSON = {"Content": text, "ContentType": "text/plain"}
        if files:
            body["Attachments"] = [
                {
                    "FileName": file.attachment.name,
                    "FileType": file.attachment.media_type,
                    "FileContent": base64.b64encode(file.content).decode("ascii"),
                }
                for file in files
            ]
        return HttpRequest("POST", f"ticket/{self._checked(ticket_id)}/correspond", body=body)

    def added(self, status: int, document: Any) -> None:
        """Check RT's answer to :meth:`add_information` (201); raises BackendAnswerInvalid."""
        if status not in {200, 201}:
            raise BackendAnswerInvalid("backend.status", f"correspond answered {status}")

    def reopen(self, ticket_id: str) -> HttpRequest:
        """``PUT ticket/ID``: a solved or closed request back to ``open``, as a user's reopening."""
        return HttpRequest("PUT", f"ticket/{self._checked(ticket_id)}", body={"Status": "open"})

    def reopened(self, status: int, document: Any) -> None:
        """Check RT's answer to :meth:`reopen` (200); raises BackendAnswerInvalid."""
        if status != 200:
            raise BackendAnswerInvalid("backend.status", f"reopen answered {status}")

    @staticmethod
    def _checked(ticket_id: str) -> str:
        if not _TICKET_ID.fullmatch(ticket_id):
            raise ValueError("an RT ticket id is a positive whole number")
        return ticket_id
