"""The host: kl_contact's JSON entry point, the database and the effects, per HTTP request.

Each call reads the session from storage, hands the browser's event to
:class:`kl_contact.JsonEngine`, performs the effects the engine asks for and feeds their
results back as events until none is left, then saves the session with a compare-and-set and
only after that sends the registration e-mail. A worker keeps nothing between calls, so any
worker can serve any session.

It speaks to the engine in JSON only, as a host in any language would: the documents it
builds (articles found, ticket accepted) are checked by the engine against the shipped
schemas. It never logs a session, a ticket or an address.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from kl_contact import ArticleQuery, Engine, JsonEngine, default_workflow, load_workflow
from kl_contact.articles.catalog import load_catalog, sample_catalog
from kl_contact.articles.matcher import Bm25Matcher
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
"""How many effects one user event may lead to before the host gives up (a definition bug)."""


@dataclass(frozen=True)
class Reply:
    """An HTTP status and the JSON body to send back."""

    status: int
    body: JSON


def _error(status: int, code: str, message: str, **more: Any) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}, **more})


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
        self.wire = JsonEngine(Engine(workflow))
        articles = load_catalog(*settings.catalogs) if settings.catalogs else sample_catalog()
        self.matcher = Bm25Matcher.for_workflow(articles, workflow)
        self.storage = storage or Storage(
            settings.database_url, request_prefix=settings.request_prefix
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

    def _now(self) -> str:
        return self.clock().isoformat()

    def _shown(self, status: int, record: SessionRecord, view: JSON | None = None) -> Reply:
        view = view if view is not None else self.wire.view(record.document)
        return Reply(status, {"session_id": record.id, "version": record.version, "view": view})

    # ------------------------------------------------------------------ the HTTP operations

    def start(self, locale: str | None = None) -> Reply:
        """Start a session (in ``locale`` when given) and store it at version 1."""
        request: JSON = {"session_id": secrets.token_urlsafe(16), "now": self._now()}
        if locale:
            request["locale"] = locale
        response = self.wire.start(request)
        if not response["ok"]:
            return _error(422, response["error"]["code"], response["error"]["message"])
        transition, letters = self._settle(response["transition"])
        record = self.storage.insert_session(request["session_id"], transition["session"])
        self._deliver(letters)
        return self._shown(201, record, transition["view"])

    def view(self, session_id: str) -> Reply:
        """The current view of a stored session, with its version."""
        try:
            return self._shown(200, self.storage.session(session_id))
        except UnknownSession:
            return _error(404, "session.unknown", "no such session")

    def handle(self, session_id: str, body: Any) -> Reply:
        """Apply the browser's event ``{"version": N, "event": {...}}`` to a stored session.

        409 when the session moved on since version N (another tab or worker wrote it first;
        the body carries the current view), 422 when the engine refuses the event (the
        session is unchanged), 400 when the body is not such a document.
        """
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
        response = self.wire.handle(
            {"session": record.document, "event": dict(body["event"]), "now": self._now()}
        )
        if not response["ok"]:
            error = response["error"]
            return Reply(422, {"error": error, **self._shown(422, record).body})
        transition, letters = self._settle(response["transition"])
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

    def _settle(self, transition: JSON) -> tuple[JSON, list[JSON]]:
        """Perform effects until none is left; registration letters are kept for later."""
        pending = list(transition["effects"])
        letters: list[JSON] = []
        for _ in range(MAX_EFFECTS):
            if not pending:
                return transition, letters
            effect = pending.pop(0)
            if effect["type"] == "send_registration_email":
                letters.append(effect)
                continue
            event = self._perform(effect)
            if event is None:
                continue
            response = self.wire.handle(
                {"session": transition["session"], "event": event, "now": self._now()}
            )
            if not response["ok"]:  # the host built a document the engine refuses: a bug here
                raise RuntimeError(f"the engine refused the host's event: {response['error']}")
            transition = response["transition"]
            pending.extend(transition["effects"])
        raise RuntimeError(f"more than {MAX_EFFECTS} effects for one event")

    def _perform(self, effect: JSON) -> JSON | None:
        if effect["type"] == "search_articles":
            return self._search(effect)
        if effect["type"] == "submit_ticket":
            return self._submit(effect)
        log.warning("effect %r is not known to this host; skipped", effect["type"])
        return None

    def _search(self, effect: JSON) -> JSON:
        try:
            matches = self.matcher.search(ArticleQuery(**effect["query"]), effect["limit"])
        except Exception as exc:
            log.warning("article search failed (%s)", type(exc).__name__)
            return {"type": "articles_failed", "search_id": effect["search_id"], "reason": "error"}
        found = [
            {
                "id": match.id,
                "title": match.title,
                "url": match.url,
                "score": match.score,
                "summary": match.summary,
                "reasons": list(match.reasons),
            }
            for match in matches
        ]
        return {"type": "articles_found", "search_id": effect["search_id"], "matches": found}

    def _submit(self, effect: JSON) -> JSON:
        if self.helpdesk is not None:
            return self.helpdesk.submit(effect)
        ticket = effect["ticket"]
        try:
            number = self.storage.register_request(
                effect["submission_id"], ticket["session_id"], ticket["channel"], ticket
            )
        except Exception as exc:
            log.warning("the request could not be stored (%s)", type(exc).__name__)
            return {
                "type": "ticket_rejected",
                "submission_id": effect["submission_id"],
                "code": "unavailable",
            }
        settings = self.settings
        receipt = {
            "request_number": number,
            "channel": ticket["channel"],
            "contact": {
                "email": settings.support_email,
                "chat_url": settings.chat_url.format(request_number=number),
                "phone": settings.phone,
                "phone_display": settings.phone_display,
            },
            "reply_within_hours": settings.reply_within_hours,
        }
        return {
            "type": "ticket_accepted",
            "submission_id": effect["submission_id"],
            "receipt": receipt,
        }

    def _deliver(self, letters: list[JSON]) -> None:
        """Send the registration letters of requests whose sessions are saved."""
        if self.helpdesk is not None and self.settings.rt_autoreply == "rt":
            return  # RT's own autoreply is the registration e-mail
        for effect in letters:
            number = effect["receipt"]["request_number"]
            tag = self.requests.tag(number)
            try:
                self.mailer(
                    registration_email(effect, self.settings, subject_tag=tag), self.settings
                )
            except Exception as exc:
                log.warning("registration e-mail for %s not sent (%s)", number, type(exc).__name__)
                self.storage.record_email(number, "failed")
            else:
                log.info("registration e-mail for %s sent", number)
                self.storage.record_email(number, "sent")
