"""What every support-backend mapping shares: requests to make, files, follow-up status.

:class:`HttpRequest` describes one call to a helpdesk's API (method, path under the API's
base address, query and JSON body); the host sends it. :class:`FileContent` is an attached
file's bytes, which the library never keeps itself (a ticket carries only metadata).
:class:`RequestStatus` (from :mod:`kl_contact.ticket.status`, re-exported here) is where a
registered request stands, typed the same for every helpdesk, for a host that answers a user
asking about a request they already have.
:func:`idempotency_key` names a ticket's content, so that a retried or raced submission is
found in the helpdesk instead of being created twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from kl_contact.ticket.model import Attachment, Receipt, Ticket
from kl_contact.ticket.status import FollowUpState, RequestStatus

__all__ = [
    "BackendAnswerInvalid",
    "FileContent",
    "FollowUpState",
    "HttpRequest",
    "RequestStatus",
    "SupportBackend",
    "idempotency_key",
]

JSON = dict[str, Any]


class BackendAnswerInvalid(ValueError):
    """The helpdesk answered with something the mapping cannot read (a code, no content).

    ``code`` is stable (``backend.status``, ``backend.document``); the message names the HTTP
    status or the missing field, never a value from the answer.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@attrs.frozen(repr=False)
class HttpRequest:
    """One call to a helpdesk's API: ``path`` is relative to the API's base address."""

    method: str
    path: str
    query: Mapping[str, str] = attrs.field(factory=dict)
    body: JSON | None = None

    def __repr__(self) -> str:  # the body holds personal data
        return f"HttpRequest({self.method} {self.path})"


@attrs.frozen(repr=False)
class FileContent:
    """An attached file's bytes, as the host keeps them; ``attachment`` is its metadata."""

    attachment: Attachment
    content: bytes

    def __repr__(self) -> str:
        return f"FileContent(media_type={self.attachment.media_type!r}, size={len(self.content)})"


def idempotency_key(ticket: Ticket) -> str:
    """A key naming ``ticket``'s session and content: equal for a retried or raced submission.

    The submission id and creation time are left out (every attempt has its own); any
    change to what the user typed or chose gives another key. 40 hexadecimal characters,
    safe in any helpdesk's search language.

    >>> from kl_contact.ticket.model import ContactDetails, WorkflowRef
    >>> from datetime import datetime, timezone
    >>> def attempt(n: int) -> Ticket:
    ...     return Ticket(f"s1:ticket:{n}", "s1", WorkflowRef("w", 1, "sha256:0"), "email", "en",
    ...                   datetime(2026, 1, n, tzinfo=timezone.utc), "Scan fails", "It stops.",
    ...                   ContactDetails("user@example.org"))
    >>> idempotency_key(attempt(1)) == idempotency_key(attempt(2))
    True
    """
    from kl_contact._convert import converter

    document = converter.unstructure(ticket)
    document.pop("id", None)
    document.pop("created_at", None)
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


class SupportBackend(Protocol):
    """What a helpdesk mapping offers a host; one module per helpdesk implements it.

    A host submitting a ticket first sends :meth:`find_submission` and reads the answer with
    :meth:`submission_found`; only when nothing is found does it send :meth:`create_request`
    and read the new ticket's id with :meth:`created`. Either way :meth:`receipt` gives the
    engine's :class:`~kl_contact.ticket.model.Receipt`.
    """

    def find_submission(self, key: str) -> HttpRequest:
        """The search for a ticket created earlier with idempotency ``key``."""
        ...

    def submission_found(self, status: int, document: Any) -> str | None:
        """The helpdesk's ticket id found by :meth:`find_submission`, or ``None``."""
        ...

    def create_request(
        self, ticket: Ticket, key: str, files: tuple[FileContent, ...] = ()
    ) -> HttpRequest:
        """The call that creates the helpdesk ticket for ``ticket``, marked with ``key``."""
        ...

    def created(self, status: int, document: Any) -> str:
        """The id of the ticket :meth:`create_request` made; raises BackendAnswerInvalid."""
        ...

    def receipt(self, ticket_id: str, channel: str) -> Receipt:
        """The receipt for the helpdesk's ticket ``ticket_id`` on ``channel``."""
        ...
