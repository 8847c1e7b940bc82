"""The follow-up effects: a request the user already has, looked up, added to, reopened.

The library's follow-up step asks the request number and the e-mail and emits
``LookUpRequest``; once the request is found, ``AddToRequest`` (text and files) or
``ReopenRequest``. :class:`FollowUpEffects` performs them for one session, as the driver's
``look_up`` and ``update`` callables, inside the step's transaction:

* **lookup**: with Request Tracker configured, RT's ticket and history
  (:meth:`RtHelpdesk.status`); otherwise the request this host registered in its own SQL
  store (``kl_contact_requests``), which has no engineers' side: it is open, its last change
  the latest addition. A request shows only to the address it was registered with; an
  unknown number and a wrong address get the same answer (``None``: not found). RT down is
  :class:`~kl_contact_web.helpdesk.HelpdeskUnavailable`, which the driver reports as
  ``unavailable`` (the attempt is given back).
* **add information**: kept once per ``addition_id`` in ``kl_contact_additions`` (what the
  user wrote stays there even when RT then fails: the driver logs the failure by its type);
  with RT, also the user's correspondence on the ticket, with the files the page uploaded.
* **reopen**: kept the same way (``reopened``); with RT, the ticket's status back to open.

Nothing here logs a number, an address or a text.
"""

from __future__ import annotations

from datetime import datetime

from kl_contact import (
    AddToRequest,
    FollowUpState,
    LookUpRequest,
    ReopenRequest,
    RequestStatus,
    dump_effect,
    normalise_email,
)
from kl_contact_web.helpdesk import RtHelpdesk, UnknownRequest
from kl_contact_web.storage import Storage

__all__ = ["FollowUpEffects"]


def _same_address(registered: object, given: str) -> bool:
    if not isinstance(registered, str):
        return False
    mine = normalise_email(registered) or registered.strip()
    theirs = normalise_email(given) or given.strip()
    return mine.casefold() == theirs.casefold()


class FollowUpEffects:
    """The follow-up effects of one session (``session_id``: whose uploads may be sent)."""

    def __init__(self, storage: Storage, helpdesk: RtHelpdesk | None, session_id: str) -> None:
        self.storage = storage
        self.helpdesk = helpdesk
        self.session_id = session_id

    def look_up(self, effect: LookUpRequest) -> RequestStatus | None:
        """The request's status, or None when no request has this number and address."""
        if self.helpdesk is not None:
            try:
                return self.helpdesk.status(effect.request_number, effect.email)
            except UnknownRequest:
                return None
        return self._stored(effect.request_number, effect.email)

    def _stored(self, number: str, email: str) -> RequestStatus | None:
        record = self.storage.request(number)
        if record is None:
            return None
        contact = record.ticket.get("contact")
        registered = contact.get("email") if isinstance(contact, dict) else None
        if not _same_address(registered, email):
            return None
        additions = self.storage.additions(number)
        changed = additions[-1].created_at if additions else record.ticket.get("created_at")
        updated = datetime.fromisoformat(changed) if isinstance(changed, str) else None
        return RequestStatus(number, FollowUpState.OPEN, last_reply_at=None, updated_at=updated)

    def _owned(self, number: str, email: str) -> bool:
        if self.helpdesk is not None:
            return True  # RT checks the requestor on every call
        return self._stored(number, email) is not None

    def update(self, effect: AddToRequest | ReopenRequest) -> None:
        """Add the user's text and files to the request, or reopen it (once per effect id)."""
        if not self._owned(effect.request_number, effect.email):
            raise UnknownRequest(effect.request_number)
        if isinstance(effect, AddToRequest):
            attachments = dump_effect(effect)["attachments"]
            new = self.storage.add_to_request(
                effect.addition_id, effect.request_number, "added", effect.text, attachments
            )
            if new and self.helpdesk is not None:
                files = self.helpdesk.stored_files(self.session_id, effect.attachments)
                self.helpdesk.add_information(
                    effect.request_number, effect.email, effect.text, files
                )
            return
        new = self.storage.add_to_request(effect.reopen_id, effect.request_number, "reopened")
        if new and self.helpdesk is not None:
            self.helpdesk.reopen(effect.request_number, effect.email)
