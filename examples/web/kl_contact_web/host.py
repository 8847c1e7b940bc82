"""The host: kl_contact's driver, the database and the effects, per HTTP request.

Each call checks that the caller owns the session (the capability made with it), reads the
session and checks it and the browser's event against the shipped schemas
(:func:`kl_contact.load_session`, :func:`kl_contact.load_event`), then hands them to
:class:`kl_contact.Driver`, which runs the library's one effect loop: the article search and
the request's registration are this host's callables, the registration letters are
collected, and each satisfaction rating is written to ``kl_contact_feedback``. All of that
happens inside one :meth:`~kl_contact_web.storage.Storage.step`: the session row is locked
and its version checked first, and the request, the confirmed session, its registration
letter and a rating are committed together or not at all. Only then is the letter
handed to the :class:`~kl_contact_web.outbox.Outbox`, which keeps trying until it is sent. A
worker keeps nothing between calls, so any worker can serve any session.

The session is read as trusted (:func:`kl_contact.load_session` with ``trusted=True``:
the engine wrote it, so it is not checked against the schema again, but it is still read
strictly and must fit the workflow; a row altered in the database is refused with 500
``session.unreadable`` and left as it is).

It never logs a session, a ticket, an address or a capability.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kl_contact import (
    HOST_EVENTS,
    Driver,
    Effect,
    Engine,
    EngineerContact,
    Feedback,
    JsonEngine,
    Receipt,
    RecordFeedback,
    SendRegistrationEmail,
    Ticket,
    UsageError,
    check_revision,
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
from kl_contact.limits import event_problem
from kl_contact.schemas import prepare
from kl_contact_web.follow_up_effects import FollowUpEffects
from kl_contact_web.helpdesk import RtHelpdesk
from kl_contact_web.mail import registration_letter, send_email
from kl_contact_web.outbox import Outbox
from kl_contact_web.settings import Settings
from kl_contact_web.storage import (
    Letter,
    SessionRecord,
    Step,
    Storage,
    UnknownSession,
)

__all__ = ["HOST_EVENTS", "Host", "Reply", "Submit", "digest"]

JSON = dict[str, Any]

log = logging.getLogger(__name__)


MAX_EFFECTS = 16
"""How many rounds of effects one user event may lead to (the driver stops there)."""

Submit = Callable[[Step, Ticket], str]
"""Files one ticket inside the step's transaction; returns the request number. The default
stores it in ``kl_contact_requests``; a helpdesk connector may also queue its own outbox
kind with :meth:`Step.enqueue`, delivered after the commit."""


def _log_failure(effect: Effect, reason: str) -> None:
    """A search or registration that failed: the driver turned it into the failure event."""
    log.warning("%s failed (%s)", type(effect).__name__, reason)


@dataclass(frozen=True)
class Reply:
    """An HTTP status, the JSON body to send back, and the capability to hand the caller."""

    status: int
    body: JSON
    capability: str | None = None


def _error(status: int, code: str, message: str, **more: Any) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}, **more})


_UNREADABLE = _error(500, "session.unreadable", "the stored session cannot be read")
_FORBIDDEN = _error(403, "session.forbidden", "this session belongs to another client")
_UNKNOWN = _error(404, "session.unknown", "no such session")
_EXPIRED = _error(404, "session.expired", "the session has expired")


def digest(secret: str) -> str:
    """The stored form of a capability or client address (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def store_request(step: Step, ticket: Ticket) -> str:
    """The default :data:`Submit`: the ticket into ``kl_contact_requests``."""
    return step.register_request(ticket.id, ticket.session_id, ticket.channel, dump_ticket(ticket))


class Host:
    """One worker's view of the contact service: stateless apart from its configuration."""

    def __init__(
        self,
        settings: Settings,
        *,
        storage: Storage | None = None,
        clock: Callable[[], datetime] | None = None,
        wall_clock: Callable[[], float] = time.time,
        mailer: Callable[[str, Settings], None] = send_email,
        submit: Submit = store_request,
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
            sqlite_synchronous=settings.sqlite_synchronous,
        )
        if clock is None and settings.fixed_time:
            instant = datetime.fromisoformat(settings.fixed_time)
            clock = lambda: instant  # noqa: E731
        self.clock = clock or (lambda: datetime.now(UTC))
        self.wall_clock = wall_clock
        """Seconds since the epoch for expiry, rate limits and the outbox (never fixed)."""
        self.mailer = mailer
        """Sends one letter's text (as the outbox keeps it) with the settings' SMTP server."""
        self.submit = submit
        self.requests = workflow.requests
        if helpdesk is None and settings.rt_url:
            helpdesk = RtHelpdesk(settings, self.storage, workflow)
        self.helpdesk = helpdesk
        """Request Tracker when configured: tickets go there instead of ``submit``. Its call
        runs inside the step, so its claim and ticket id commit with the confirmed session."""
        self.outbox = Outbox(self.storage, settings, {"email": self._send_letter}, clock=wall_clock)
        self._swept_at = -float("inf")

    def _now(self) -> str:
        return self.clock().isoformat()

    def _shown(self, status: int, record: SessionRecord, view: JSON | None = None) -> Reply:
        """A view reply; its ``version`` is the session's revision, which the browser sends
        back with its next event."""
        view = view if view is not None else self.wire.view(record.document, trusted=True)
        version = record.document.get("revision", 0)
        return Reply(status, {"session_id": record.id, "version": version, "view": view})

    # ------------------------------------------------------------------ ownership

    def _expired(self, record: SessionRecord, now: float) -> bool:
        settings = self.settings
        return (
            now - record.seen_at > settings.session_idle_seconds
            or now - record.created_at > settings.session_lifetime_seconds
        )

    def _not_owned(self, record: SessionRecord, capability: str) -> Reply | None:
        """Why the caller with ``capability`` may not use ``record`` (None: it may); an
        expired session is refused, and the caller erases it."""
        if not hmac.compare_digest(record.owner_digest, digest(capability)):
            return _error(403, "session.forbidden", "this session belongs to another client")
        if self._expired(record, self.wall_clock()):
            return _EXPIRED
        return None

    def owned(self, session_id: str, capability: str | None) -> SessionRecord | Reply:
        """The session when ``capability`` owns it and it is alive; else the refusal."""
        if not capability:
            return _FORBIDDEN
        try:
            record = self.storage.session(session_id)
        except UnknownSession:
            return _UNKNOWN
        refused = self._not_owned(record, capability)
        if refused is _EXPIRED:
            self.storage.erase_session(session_id)
        return refused or record

    # ------------------------------------------------------------------ the HTTP operations

    def start(self, locale: str | None = None, client: str = "") -> Reply:
        """Start a session (in ``locale`` when given) for ``client`` (its network address).

        The reply carries a new capability: whoever holds it owns the session. 429 when the
        client started too many sessions lately.
        """
        session_id = secrets.token_urlsafe(16)
        letters: list[SendRegistrationEmail] = []
        try:
            started = self._driver(letters, None, session_id).start(
                session_id=session_id, now=self.clock(), locale=locale or None
            )
        except UsageError as exc:
            return _error(422, exc.code, str(exc))
        if letters:
            raise RuntimeError("a starting step cannot confirm a request")
        transition = dump_transition(started)
        now = self.wall_clock()
        if now - self._swept_at >= self.settings.outbox_poll_seconds:
            # the outbox worker sweeps too; a host without one still sweeps here, at most
            # once per poll interval rather than on every new session
            self._swept_at = now
            self.outbox.erase_expired_sessions()
        capability = secrets.token_urlsafe(32)
        settings = self.settings
        record = self.storage.insert_session(
            session_id,
            transition["session"],
            owner_digest=digest(capability),
            client_digest=digest(client),
            now=now,
            client_quota=(settings.sessions_per_client, settings.sessions_window_seconds),
        )
        if record is None:
            return _error(429, "session.rate_limited", "too many new sessions from this address")
        reply = self._shown(201, record, transition["view"])
        return Reply(reply.status, reply.body, capability)

    def view(self, session_id: str, capability: str | None) -> Reply:
        """The current view of a session the caller owns, with its version."""
        owned = self.owned(session_id, capability)
        if isinstance(owned, Reply):
            return owned
        self.storage.touch(session_id, self.wall_clock())
        try:
            return self._shown(200, owned)
        except UsageError:
            return _UNREADABLE

    def refusal(self, body: Any) -> Reply | None:
        """Why ``body`` is not an event request this host takes, before any other work."""
        if (
            not isinstance(body, Mapping)
            or type(body.get("version")) is not int
            or not isinstance(body.get("event"), Mapping)
        ):
            return _error(400, "request.invalid", 'expected {"version": N, "event": {...}}')
        if body["event"].get("type") in HOST_EVENTS:
            return _error(403, "event.host_only", "this event is sent by the host alone")
        too_big = event_problem(body["event"].get("answers"), self.wire.engine.limits)
        if too_big is not None:
            return _error(413, too_big[0], too_big[1])
        return None

    def handle(self, session_id: str, capability: str | None, body: Any) -> Reply:
        """Apply the browser's event ``{"version": N, "event": {...}}`` to an owned session.

        ``version`` is the session's revision the browser was shown: the stored session is
        the latest, and :func:`kl_contact.check_revision` compares the two under the row's
        lock, so 409 ``session.conflict`` when the session moved on since (another tab or
        worker wrote it first; the body carries the current view and its version), 422 when
        the engine refuses the event (the session is unchanged), 400/413 when the body is not
        such a document or too big, 500 when the stored session no longer reads as one (it
        was altered in the database): it is left as it is.
        """
        try:
            return self._handle(session_id, capability, body)
        except UsageError:
            return _UNREADABLE

    def _handle(self, session_id: str, capability: str | None, body: Any) -> Reply:
        refused = self.refusal(body)
        if refused is not None:
            return refused
        if not capability:
            return _FORBIDDEN
        try:
            # One transaction: ownership, expiry and the revision are checked under the
            # row's lock, then the event is applied and the result written.
            with self.storage.step(session_id, None, self.wall_clock()) as step:
                not_owned = self._not_owned(step.record, capability)
                if not_owned is not None:
                    if not_owned is _EXPIRED:
                        step.erase()
                    return not_owned
                letters: list[SendRegistrationEmail] = []
                try:
                    session = load_session(step.record.document, trusted=True)
                except UsageError:
                    return _UNREADABLE
                try:
                    check_revision(session, session_id, body["version"])
                except UsageError:
                    return self._stale(step.record)
                try:
                    event = load_event(dict(body["event"]))
                    driver = self._driver(letters, step, session_id)
                    moved = driver.handle(session, event, self.clock())
                except UsageError as exc:
                    error = {"code": exc.code, "message": str(exc)}
                    return Reply(422, {"error": error, **self._shown(422, step.record).body})
                transition = dump_transition(moved)
                saved = step.save(transition["session"])
                queued = [m for m in (self._queue(step, e) for e in letters) if m is not None]
        except UnknownSession:
            return _UNKNOWN
        for letter in queued:
            self.outbox.deliver(letter)
        return self._shown(200, saved, transition["view"])

    def _stale(self, record: SessionRecord) -> Reply:
        body = self._shown(409, record).body
        error = {"code": "session.conflict", "message": "the session was changed elsewhere"}
        return Reply(409, {"error": error, **body})

    # ------------------------------------------------------------------ effects

    def _driver(
        self, letters: list[SendRegistrationEmail], step: Step | None, session_id: str
    ) -> Driver:
        """The library's driver for one request, filing tickets inside ``step``; letters
        are kept for the outbox, and the follow-up effects are performed for ``session_id``
        (:mod:`kl_contact_web.follow_up_effects`)."""
        follow_up = FollowUpEffects(self.storage, self.helpdesk, session_id)

        def submit(ticket: Ticket) -> Receipt:
            if step is None:
                raise RuntimeError("a request is filed only inside a step")
            return self._submit(ticket, step)

        def record(feedback: Feedback) -> None:
            if step is None:
                raise RuntimeError("a rating is stored only inside a step")
            step.record_feedback(dump_effect(RecordFeedback(feedback))["feedback"])

        return Driver(
            self.engine,
            search=self.matcher.search,
            submit=submit,
            notify=letters.append,
            look_up=follow_up.look_up,
            update=follow_up.update,
            record=record,
            max_rounds=MAX_EFFECTS,
            on_failure=_log_failure,
            estimate=self._estimate if self.settings.wait_minutes is not None else None,
        )

    def _estimate(self, channel: str) -> int:
        """The expected wait on ``channel``: the configured figure (a real host would ask
        its chat or call-centre queue)."""
        minutes = self.settings.wait_minutes
        if minutes is None:
            raise RuntimeError("no expected wait is configured")
        return minutes

    def _submit(self, ticket: Ticket, step: Step) -> Receipt:
        """Register the request in Request Tracker when configured, else with ``submit``
        (the same ticket id, the same number); raising makes the driver reject it."""
        if self.helpdesk is not None:
            return self.helpdesk.register(ticket)
        number = self.submit(step, ticket)
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

    # ------------------------------------------------------------------ letters

    def _queue(self, step: Step, letter: SendRegistrationEmail) -> Letter | None:
        """Write the registration letter into the outbox, in the step's transaction, leased
        to this worker, which sends it right after the commit (none when Request Tracker's
        own autoreply is the letter, or when it was queued before)."""
        if self.helpdesk is not None and self.settings.rt_autoreply == "rt":
            return None
        effect = dump_effect(letter)
        number = letter.receipt.request_number
        draft = registration_letter(effect, self.settings, subject_tag=self.requests.tag(number))
        lease = self.settings.outbox_lease_seconds
        return step.enqueue("email", draft.message_id, number, draft.text, lease_seconds=lease)

    def _send_letter(self, letter: Letter) -> None:
        self.mailer(letter.payload, self.settings)
