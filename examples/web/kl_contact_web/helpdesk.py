"""Request Tracker behind the host: tickets, follow-up lookups and added information over REST2.

:class:`RtHelpdesk` performs the ``submit_ticket`` effect against RT with httpx, using the
library's pure mapping (:class:`kl_contact.RequestTracker`) for every document it sends and
reads. Exactly once: the ticket's idempotency key (:func:`kl_contact.idempotency_key`) is
claimed in the host's database, so that of two workers submitting the same request one
creates and the other waits for its answer; the claimer first searches RT for a ticket that
already carries the key (a retry after a timeout whose create went through) and creates one
only when there is none. RT down or slow gives ``ticket_rejected`` with the code
``unavailable``: the engine keeps everything the user typed and offers to send again.

Nothing here logs a ticket, an address or a token; failures are logged by their type alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from kl_contact import (
    Attachment,
    BackendAnswerInvalid,
    EngineerContact,
    FileContent,
    HttpRequest,
    Receipt,
    RequestStatus,
    RequestTracker,
    ServiceUnavailable,
    Ticket,
    Workflow,
    dump_receipt,
    idempotency_key,
    load_ticket,
)
from kl_contact_web.settings import Settings
from kl_contact_web.storage import Storage

__all__ = ["HelpdeskUnavailable", "RtHelpdesk", "UnknownRequest"]

JSON = dict[str, Any]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
"""How often a worker waiting for another's create looks whether it finished."""


class HelpdeskUnavailable(ServiceUnavailable):
    """RT could not be reached, was too slow, or answered with an error: try again later
    (the driver rejects the submission as ``unavailable``)."""


class UnknownRequest(LookupError):
    """No request with this number was registered for this e-mail address."""


class RtHelpdesk:
    """One worker's connection to RT. ``client`` replaces the HTTP client (tests)."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        workflow: Workflow,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.rt_url or not settings.rt_token:
            raise ValueError("RT needs KL_CONTACT_WEB_RT_URL and KL_CONTACT_WEB_RT_TOKEN")
        self.settings = settings
        self.storage = storage
        self.mapping = RequestTracker(
            queue=settings.rt_queue,
            requests=workflow.requests,
            contact=EngineerContact(
                email=settings.support_email,
                chat_url=settings.chat_url,
                phone=settings.phone,
                phone_display=settings.phone_display,
            ),
            reply_within_hours=settings.reply_within_hours,
        )
        self.client = client or httpx.Client(
            base_url=settings.rt_url.rstrip("/") + "/REST/2.0/",
            headers={"Authorization": f"token {settings.rt_token}"},
            timeout=httpx.Timeout(settings.rt_timeout),
            follow_redirects=False,
        )
        self.lease = 3 * settings.rt_timeout + 5
        """How long a claim holds: longer than the slowest search and create together."""
        self.wait = 2 * settings.rt_timeout + 1
        """How long a worker waits for another's create before telling the user to retry."""
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"RtHelpdesk(queue={self.settings.rt_queue!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def _call(self, request: HttpRequest) -> tuple[int, Any]:
        try:
            answer = self.client.request(
                request.method, request.path, params=dict(request.query), json=request.body
            )
        except httpx.HTTPError as exc:
            raise HelpdeskUnavailable(type(exc).__name__) from None
        if answer.status_code >= 500 or answer.status_code in {401, 403, 429}:
            raise HelpdeskUnavailable(f"RT answered {answer.status_code}")
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, None

    # ------------------------------------------------------------------ submitting

    def register(self, ticket: Ticket) -> Receipt:
        """Create the request in RT once and give its receipt; raises when RT did not take it
        (the driver then rejects the submission, and the user may send it again)."""
        try:
            ticket_id = self._create_once(ticket)
        except BackendAnswerInvalid as exc:
            log.warning("RT did not take the request (%s)", type(exc).__name__)
            raise HelpdeskUnavailable("RT answered with a document it should not") from exc
        except HelpdeskUnavailable as exc:
            log.warning("RT did not take the request (%s)", type(exc).__name__)
            raise
        return self.mapping.receipt(ticket_id, ticket.channel)

    def submit(self, effect: JSON) -> JSON:
        """Perform one ``submit_ticket`` effect document; the event to feed back."""
        submission_id = effect["submission_id"]
        try:
            receipt = self.register(load_ticket(effect["ticket"]))
        except HelpdeskUnavailable:
            return {
                "type": "ticket_rejected",
                "submission_id": submission_id,
                "code": "unavailable",
            }
        return {
            "type": "ticket_accepted",
            "submission_id": submission_id,
            "receipt": dump_receipt(receipt),
        }

    def _create_once(self, ticket: Ticket) -> str:
        key = idempotency_key(ticket)
        deadline = time.monotonic() + self.wait
        while True:
            claim = self.storage.claim_submission(key, self.lease)
            if claim.state == "done":
                assert claim.ticket_id is not None
                return claim.ticket_id
            if claim.state == "mine":
                break
            if time.monotonic() > deadline:  # the other worker is stuck: let the user retry
                raise HelpdeskUnavailable("another worker holds the submission")
            self._sleep(POLL_SECONDS)
        created = False
        try:
            ticket_id = self.mapping.submission_found(
                *self._call(self.mapping.find_submission(key))
            )
            if ticket_id is None:
                request = self.mapping.create_request(ticket, key, self._files(ticket))
                created = True  # from here on RT may have it even if the answer is lost
                ticket_id = self.mapping.created(*self._call(request))
        except (HelpdeskUnavailable, BackendAnswerInvalid):
            if not created:
                self.storage.release_submission(key)  # nothing made: the next try may claim
            # else the claim stays until its lease ends, so that a retry cannot race a create
            # still under way in RT; after it, the search finds what that create made.
            raise
        self.storage.finish_submission(key, ticket_id)
        return ticket_id

    def _files(self, ticket: Ticket) -> tuple[FileContent, ...]:
        files = []
        for attachment in ticket.attachments:
            if attachment.digest is None:
                continue  # metadata only: the page did not upload it
            stored = self.storage.file(ticket.session_id, attachment.digest)
            if stored is None:
                log.warning("an attachment of a request was not uploaded; sent without it")
                continue
            named = Attachment(
                name=attachment.name,
                media_type=attachment.media_type,
                size=len(stored.content),
                digest=stored.digest,
            )
            files.append(FileContent(named, stored.content))
        return tuple(files)

    # ------------------------------------------------------------------ following up

    def _owned_ticket(self, request_number: str, email: str) -> tuple[str, Any]:
        ticket_id = self.mapping.ticket_id(request_number)
        if ticket_id is None:
            raise UnknownRequest(request_number)
        status, ticket = self._call(self.mapping.show_ticket(ticket_id))
        if status == 404 or email.strip().casefold() not in self.mapping.requestors(ticket):
            raise UnknownRequest(request_number)  # the same answer: no probing for addresses
        if status != 200:
            raise HelpdeskUnavailable(f"RT answered {status}")
        return ticket_id, ticket

    def status(self, request_number: str, email: str) -> RequestStatus:
        """Where request ``request_number`` stands, if it was registered for ``email``."""
        ticket_id, ticket = self._owned_ticket(request_number, email)
        _, history = self._call(self.mapping.show_history(ticket_id))
        try:
            return self.mapping.status(request_number, ticket, history)
        except BackendAnswerInvalid as exc:
            raise HelpdeskUnavailable(exc.code) from None

    def add_information(
        self, request_number: str, email: str, text: str, files: tuple[FileContent, ...] = ()
    ) -> None:
        """Add ``text`` (and ``files``) to the request as the user's correspondence in RT."""
        ticket_id, _ = self._owned_ticket(request_number, email)
        try:
            call = self.mapping.add_information(ticket_id, text, files)
            self.mapping.added(*self._call(call))
        except BackendAnswerInvalid as exc:
            raise HelpdeskUnavailable(exc.code) from None

    def reopen(self, request_number: str, email: str) -> None:
        """Set the solved or closed request back to open in RT, for its requestor."""
        ticket_id, _ = self._owned_ticket(request_number, email)
        try:
            self.mapping.reopened(*self._call(self.mapping.reopen(ticket_id)))
        except BackendAnswerInvalid as exc:
            raise HelpdeskUnavailable(exc.code) from None

    def stored_files(
        self, session_id: str, attachments: tuple[Attachment, ...]
    ) -> tuple[FileContent, ...]:
        """The uploaded bytes of ``attachments`` (those the page uploaded for the session)."""
        files = []
        for attachment in attachments:
            if attachment.digest is None:
                continue
            stored = self.storage.file(session_id, attachment.digest)
            if stored is not None:
                files.append(FileContent(attachment, stored.content))
        return tuple(files)
