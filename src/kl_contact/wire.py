"""The JSON entry point: plain JSON documents in, plain JSON documents out.

A frontend or a host in another language drives the engine with documents that validate
against the shipped schemas (``wire.schema.json`` for requests and responses). Incoming
documents are checked against the schema before anything else; outgoing ones are produced by
the one converter and validate by construction (the test suite proves it).

A request that is malformed, or an event the step does not accept, gives an error response
that carries the unchanged session: nothing the user typed is lost.

Each document is checked once. A host that hands back a session it stored itself (read from
its own database, or opened from a token it signed) may say so with ``trusted=True`` /
``trusted_session=True``: that session skips the schema check, which is the largest cost of
an event, but is still read strictly (an unknown or mistyped field is refused) and must fit
the workflow (:meth:`~kl_contact.engine.engine.Engine.check_session`). A session that came
from anywhere else, a browser above all, must never be passed as trusted. A host that
answers effects itself can pass ``perform`` to :meth:`JsonEngine.handle` and
:meth:`JsonEngine.start`: its answers are fed back without writing the session to JSON and
reading it again after every effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from kl_contact._convert import converter
from kl_contact.backends.model import RequestStatus
from kl_contact.engine.effects import Effect
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import Event
from kl_contact.engine.session import Session
from kl_contact.errors import UsageError
from kl_contact.schemas import violations
from kl_contact.ticket.model import Receipt, Ticket

__all__ = [
    "JsonEngine",
    "dump_receipt",
    "dump_request_status",
    "dump_session",
    "dump_transition",
    "load_event",
    "load_session",
    "load_ticket",
]

JSON = dict[str, Any]

Perform = Callable[[JSON], "JSON | None"]
"""A host's answer to an effect document: the result event's document, or None when the
effect needs none (it stays in the returned transition's ``effects``)."""

MAX_EFFECTS = 16
"""How many effects one call may perform before it gives up (a definition bug)."""


def dump_transition(transition: Transition) -> JSON:
    """A transition as a JSON document (``transition.schema.json``)."""
    out: JSON = converter.unstructure(transition)
    return out


def dump_session(session: Session) -> JSON:
    """A session as a JSON document (``session.schema.json``)."""
    out: JSON = converter.unstructure(session)
    return out


def load_session(document: Any, *, trusted: bool = False) -> Session:
    """A session from its JSON document; raises :class:`UsageError` when it is malformed.

    ``trusted=True`` skips the schema check for a document the host stored itself (its own
    database, a token it signed); the document is still read strictly, so a mistyped or
    unknown field is refused. Never pass a document from a browser as trusted.
    """
    if not trusted:
        _check("session", document)
    session: Session = _structure(document, Session)
    return session


def load_event(document: Any) -> Event:
    """An event from its JSON document; raises :class:`UsageError` when it is malformed."""
    _check("event", document)
    event: Event = _structure(document, Event)
    return event


def load_ticket(document: Any) -> Ticket:
    """A ticket from its JSON document (``ticket.schema.json``), as a ``submit_ticket``
    effect carries it; raises :class:`UsageError` when it is malformed."""
    _check("ticket", document)
    ticket: Ticket = _structure(document, Ticket)
    return ticket


def dump_receipt(receipt: Receipt) -> JSON:
    """A receipt as the JSON document a ``ticket_accepted`` event carries."""
    out: JSON = converter.unstructure(receipt)
    return out


def dump_request_status(status: RequestStatus) -> JSON:
    """A request's status as a JSON document (``request_status.schema.json``)."""
    out: JSON = converter.unstructure(status)
    out["state"] = status.state.value
    return out


def _check(schema: str, document: Any) -> None:
    for violation in violations(schema, document):
        from kl_contact.errors import format_path

        raise UsageError(
            f"{schema} document: {violation.message} at {format_path(violation.path)}",
            code=f"{schema}.invalid",
        )


def _structure(document: Any, cls: Any) -> Any:
    try:
        return converter.structure(document, cls)
    except Exception as exc:  # cattrs wraps every failure in its own group types
        raise UsageError(
            f"document could not be read ({type(exc).__name__})", code="document.invalid"
        ) from None


def _error(code: str, message: str, session: Any) -> JSON:
    return {"ok": False, "error": {"code": code, "message": message}, "session": session}


class JsonEngine:
    """An :class:`~kl_contact.engine.engine.Engine` behind JSON documents.

    ``start({"session_id": ..., "now": ..., "locale": ...})`` and
    ``handle({"session": {...}, "event": {...}, "now": ...})`` each return
    ``{"ok": true, "transition": {...}}`` or ``{"ok": false, "error": {...}, "session": ...}``.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, request: Any, *, perform: Perform | None = None) -> JSON:
        """Start a session from a ``start`` request document.

        With ``perform``, the start's effects are answered as in :meth:`handle`.
        """
        try:
            _check("wire", {"start": request})
            now = datetime.fromisoformat(request["now"])
            transition = self.engine.start(
                session_id=request["session_id"],
                now=now,
                locale=request.get("locale"),
                time_zone=request.get("time_zone"),
                region=request.get("region"),
            )
            if perform is not None:
                transition = self._settle(transition, perform, now)
        except UsageError as exc:
            return _error(exc.code, str(exc), None)
        except ValueError:
            return _error("time.invalid", "now is not an ISO 8601 datetime", None)
        return {"ok": True, "transition": dump_transition(transition)}

    def handle(
        self, request: Any, *, trusted_session: bool = False, perform: Perform | None = None
    ) -> JSON:
        """Apply an event from a ``handle`` request document.

        The request, its session and its event are each checked once against their schemas;
        ``trusted_session=True`` skips the session's check for a session the host stored
        itself (see :func:`load_session`). With ``perform``, every effect is handed to it
        and the event it returns is applied in turn, until no effect is left: the returned
        transition is the last one, its ``effects`` those ``perform`` answered with None. A
        result event the engine refuses gives an error response with the request's session.
        """
        session_doc = request.get("session") if isinstance(request, dict) else None
        try:
            _check("wire", {"handle": request})
            session = load_session(request["session"], trusted=trusted_session)
            event = load_event(request["event"])
            now = datetime.fromisoformat(request["now"])
            transition = self.engine.handle(session, event, now)
            if perform is not None:
                transition = self._settle(transition, perform, now)
        except UsageError as exc:
            return _error(exc.code, str(exc), session_doc)
        except ValueError:
            return _error("time.invalid", "now is not an ISO 8601 datetime", session_doc)
        return {"ok": True, "transition": dump_transition(transition)}

    def _settle(self, transition: Transition, perform: Perform, now: datetime) -> Transition:
        pending = list(transition.effects)
        unanswered: list[Effect] = []
        for _ in range(MAX_EFFECTS):
            if not pending:
                return attrs.evolve(transition, effects=tuple(unanswered))
            effect = pending.pop(0)
            answer = perform(converter.unstructure(effect, Effect))
            if answer is None:
                unanswered.append(effect)
                continue
            transition = self.engine.handle(transition.session, load_event(answer), now)
            pending.extend(transition.effects)
        raise UsageError(f"more than {MAX_EFFECTS} effects for one event", code="effects.too_many")

    def view(self, session_document: Any, *, trusted: bool = False) -> JSON:
        """The view of a stored session, as JSON (for re-rendering after a reload);
        ``trusted`` as in :func:`load_session`."""
        session = load_session(session_document, trusted=trusted)
        self.engine.check_session(session)
        out: JSON = converter.unstructure(self.engine.view(session))
        return out
