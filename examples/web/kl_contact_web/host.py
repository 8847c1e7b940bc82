"""The host: kl_contact's driver, the database and the effects, per HTTP request.

Each call reads the session document from storage and the browser's event, checks the event
against the shipped schema (:func:`kl_contact.load_event`) and reads the session as trusted
(:func:`kl_contact.load_session` with ``trusted=True``: the engine wrote it, so it is not
checked against the schema again, but it is still read strictly and must fit the workflow;
a row altered in the database is refused), then hands them to :class:`kl_contact.Driver`,
which runs the library's one effect loop: the article search and the request's registration
are this host's callables, and the registration letters are collected. The session is then
saved with a compare-and-set and only after that are the letters sent. A worker keeps
nothing between calls, so any worker can serve any session. It never logs a session, a
ticket or an address.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from kl_contact import (
    Driver,
    Effect,
    Engine,
    EngineerContact,
    JsonEngine,
    Receipt,
    SendRegistrationEmail,
    Ticket,
    UsageError,
    default_workflow,
    dump_effect,
    dump_ticket,
    dump_transition,
    load_event,
    load_session,
    load_workflow,
)
from kl_contact.articles.catalog import load_catalog, sample_catalog
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.schemas import prepare
from kl_contact_web.helpdesk import RtHelpdesk
from kl_contact_web.mail import registration_email, send_email
from kl_contact_web.settings import Settings
from kl_contact_web.storage import SessionRecord, StaleSession, Storage, UnknownSession

__all__ = ["HOST_EVENTS", "Host", "Reply"]

JSON = dict[str, Any]

log = logging.getLogger(__name__)

HOST_EVENTS = frozenset({"articles_found", "articles_failed", "ticket_accepted", "ticket_rejected"})
"""Event types only the host may send: a browser that sends one is refused."""

MAX_EFFECTS = 16
"""How many rounds of effects one user event may lead to (the driver stops there)."""


def _log_failure(effect: Effect, reason: str) -> None:
    """A search or registration that failed: the driver turned it into the failure event."""
    log.warning("%s failed (%s)", type(effect).__name__, reason)


@dataclass(frozen=True)
class Reply:
    """An HTTP status and the JSON body to send back."""

    status: int
    body: JSON


def _error(status: int, code: str, message: str, **more: Any) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}, **more})


_UNREADABLE = _error(500, "session.unreadable", "the stored session cannot be read")


class Host:
    """One worker's view of the contact service: stateless apart from its configuration."""

    def __init__(
        self,
        settings: Settings,
        *,
        storage: Storage | None = None,
        clock: Callable[[], datetime] | None = None,
        mailer: Callable[[EmailMessage, Settings], None] = send_email,
        helpdesk: RtHelpdesk | None = None,
    ) -> None:
        self.settings = settings
        workflow = load_workflow(settings.workflow) if settings.workflow else default_workflow()
        self.engine = Engine(workflow)
        self.wire = JsonEngine(self.engine)
        prepare("session", "event", "view")  # validators built now, not by the first request
        articles = load_catalog(*settings.catalogs) if settings.catalogs else sample_catalog()
        self.matcher = Bm25Matcher.for_workflow(articles, workflow)
        self.storage = storage or Storage(
            settings.database_url,
            request_prefix=settings.request_prefix,
            pool_size=settings.pool_size or settings.threads,
        )
        if clock is None and settings.fixed_time:
            instant = datetime.fromisoformat(settings.fixed_time)
            clock = lambda: instant  # noqa: E731
        self.clock = clock or (lambda: datetime.now(UTC))
        self.mailer = mailer
        self.requests = workflow.requests
        if helpdesk is None and settings.rt_url:
            helpdesk = RtHelpdesk(settings, self.storage, workflow)
        self.helpdesk = helpdesk
        """Request Tracker when configured: tickets go there instead of the SQL table."""

    def _shown(self, status: int, record: SessionRecord, view: JSON | None = None) -> Reply:
        view = view if view is not None else self.wire.view(record.document, trusted=True)
        return Reply(status, {"session_id": record.id, "version": record.version, "view": view})

    # ------------------------------------------------------------------ the HTTP operations

    def start(self, locale: str | None = None) -> Reply:
        """Start a session (in ``locale`` when given) and store it at version 1."""
        session_id = secrets.token_urlsafe(16)
        letters: list[SendRegistrationEmail] = []
        try:
            started = self._driver(letters).start(
                session_id=session_id, now=self.clock(), locale=locale or None
            )
        except UsageError as exc:
            return _error(422, exc.code, str(exc))
        transition = dump_transition(started)
        record = self.storage.insert_session(session_id, transition["session"])
        self._deliver(letters)
        return self._shown(201, record, transition["view"])

    def view(self, session_id: str) -> Reply:
        """The current view of a stored session, with its version."""
        try:
            return self._shown(200, self.storage.session(session_id))
        except UnknownSession:
            return _error(404, "session.unknown", "no such session")
        except UsageError:
            return _UNREADABLE

    def handle(self, session_id: str, body: Any) -> Reply:
        """Apply the browser's event ``{"version": N, "event": {...}}`` to a stored session.

        409 when the session moved on since version N (another tab or worker wrote it first;
        the body carries the current view), 422 when the engine refuses the event (the
        session is unchanged), 400 when the body is not such a document, 500 when the stored
        session no longer reads as one (it was altered in the database): it is left as it is.
        """
        try:
            return self._handle(session_id, body)
        except UsageError:
            return _UNREADABLE

    def _handle(self, session_id: str, body: Any) -> Reply:
        if (
            not isinstance(body, Mapping)
            or type(body.get("version")) is not int
            or not isinstance(body.get("event"), Mapping)
        ):
            return _error(400, "request.invalid", 'expected {"version": N, "event": {...}}')
        if body["event"].get("type") in HOST_EVENTS:
            return _error(403, "event.host_only", "this event is sent by the host alone")
        try:
            record = self.storage.session(session_id)
        except UnknownSession:
            return _error(404, "session.unknown", "no such session")
        if body["version"] != record.version:
            return self._stale(record)
        letters: list[SendRegistrationEmail] = []
        try:
            session = load_session(record.document, trusted=True)
            event = load_event(dict(body["event"]))
            moved = self._driver(letters).handle(session, event, self.clock())
        except UsageError as exc:
            error = {"code": exc.code, "message": str(exc)}
            return Reply(422, {"error": error, **self._shown(422, record).body})
        transition = dump_transition(moved)
        try:
            saved = self.storage.save_session(session_id, transition["session"], record.version)
        except StaleSession:
            return self._stale(self.storage.session(session_id))
        self._deliver(letters)
        return self._shown(200, saved, transition["view"])

    def _stale(self, record: SessionRecord) -> Reply:
        body = self._shown(409, record).body
        error = {"code": "session.stale", "message": "the session was changed elsewhere"}
        return Reply(409, {"error": error, **body})

    # ------------------------------------------------------------------ effects

    def _driver(self, letters: list[SendRegistrationEmail]) -> Driver:
        """The library's driver for one request: letters are kept until the session is saved."""
        return Driver(
            self.engine,
            search=self.matcher.search,
            submit=self._submit,
            notify=letters.append,
            max_rounds=MAX_EFFECTS,
            on_failure=_log_failure,
        )

    def _submit(self, ticket: Ticket) -> Receipt:
        """Register the request in Request Tracker when configured, else in the database (the
        same ticket id, the same number); raising makes the driver reject the submission."""
        if self.helpdesk is not None:
            return self.helpdesk.register(ticket)
        number = self.storage.register_request(
            ticket.id, ticket.session_id, ticket.channel, dump_ticket(ticket)
        )
        settings = self.settings
        return Receipt(
            request_number=number,
            channel=ticket.channel,
            contact=EngineerContact(
                email=settings.support_email,
                chat_url=settings.chat_url.format(request_number=number),
                phone=settings.phone,
                phone_display=settings.phone_display,
            ),
            reply_within_hours=settings.reply_within_hours,
        )

    def _deliver(self, letters: list[SendRegistrationEmail]) -> None:
        """Send the registration letters of requests whose sessions are saved."""
        if self.helpdesk is not None and self.settings.rt_autoreply == "rt":
            return  # RT's own autoreply is the registration e-mail
        for effect in letters:
            number = effect.receipt.request_number
            letter = registration_email(
                dump_effect(effect), self.settings, subject_tag=self.requests.tag(number)
            )
            try:
                self.mailer(letter, self.settings)
            except Exception as exc:
                log.warning("registration e-mail for %s not sent (%s)", number, type(exc).__name__)
                self.storage.record_email(number, "failed")
            else:
                log.info("registration e-mail for %s sent", number)
                self.storage.record_email(number, "sent")
