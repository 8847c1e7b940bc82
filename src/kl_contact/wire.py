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
from anywhere else, a browser above all, must never be passed as trusted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kl_contact._convert import converter
from kl_contact.backends.model import RequestStatus
from kl_contact.engine.effects import Effect
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import Event
from kl_contact.engine.session import Session
from kl_contact.errors import UsageError
from kl_contact.limits import event_problem
from kl_contact.schemas import violations
from kl_contact.ticket.model import Receipt, Ticket

__all__ = [
    "WIRE_ERRORS",
    "JsonEngine",
    "check_revision",
    "dump_effect",
    "dump_receipt",
    "dump_request_status",
    "dump_session",
    "dump_ticket",
    "dump_transition",
    "load_event",
    "load_session",
    "load_ticket",
]

JSON = dict[str, Any]

WIRE_ERRORS: dict[str, str] = {
    "wire.invalid": "The request does not match wire.schema.json (a field missing or extra).",
    "session.invalid": "The session does not match session.schema.json.",
    "event.invalid": "The event does not match event.schema.json.",
    "document.invalid": "A document matches its schema but could not be read.",
    "time.invalid": "`now` is not an ISO 8601 date and time.",
    "time.naive": "`now` has no time zone offset.",
    "time.before_last_event": "`now` is earlier than the session's last event.",
    "time_zone.unknown": "`time_zone` is not an IANA time zone name.",
    "locale.unknown": "The locale is not one the definition declares.",
    "session.no_id": "`session_id` is empty.",
    "session.misfit": "The session names a step, channel, locale or status this definition "
    "cannot have.",
    "session.foreign": "The session belongs to another definition.",
    "session.version_mismatch": "The session was started on another version of the "
    "definition (resume it with a version policy).",
    "event.not_allowed": "The step does not accept this event now (see `view.actions`).",
    "channel.unknown": "`choose_channel` names a channel the definition does not declare.",
    "follow_up.none": "`follow_up` names a channel that offers no follow-up step, and the "
    "contacts page offers none either.",
    "session.not_active": "Only an active session moves to another version of the "
    "definition; a submitted or resolved one stays on its own.",
    "session.not_finished": "Only a submitted or resolved session's personal data can be erased.",
    "session.conflict": "The session sent is older than the one the host stored (another "
    "request changed it first): reload the latest and apply the event to it.",
    "limit.answers": "The event carries more answers than `Limits.answers` allows.",
    "limit.answer_items": "An answer holds more items than `Limits.answer_items` allows.",
    "limit.event_values": "The event holds more values than `Limits.event_values` allows.",
    "limit.event_text": "The event's texts are longer than `Limits.event_text` allows.",
}
"""The closed catalogue of error codes a wire response carries, with what each means
(``wire.schema.json`` lists the same codes; docs/errors.md explains each)."""


def dump_transition(transition: Transition) -> JSON:
    """A transition as a JSON document (``transition.schema.json``)."""
    out: JSON = converter.unstructure(transition)
    return out


def dump_effect(effect: Effect) -> JSON:
    """An effect as the JSON document a transition lists it as (tagged by ``type``)."""
    out: JSON = converter.unstructure(effect, Effect)
    return out


def dump_ticket(ticket: Ticket) -> JSON:
    """A ticket as a JSON document (``ticket.schema.json``), for a host that stores it."""
    out: JSON = converter.unstructure(ticket)
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
        # the path and the schema's own words may name a client's keys: they go in fields
        raise UsageError(
            f"{schema} document does not match its schema ({violation.keyword})",
            code=f"{schema}.invalid",
            path=violation.path,
            params={"detail": violation.message},
        )


def _structure(document: Any, cls: Any) -> Any:
    try:
        return converter.structure(document, cls)
    except Exception as exc:  # a date of month 13, a key no class has, a wrong type...
        raise UsageError(
            f"document could not be read ({type(exc).__name__})", code="document.invalid"
        ) from None


def _error(code: str, message: str, session: Any) -> JSON:
    """An error response; ``session`` goes back only when it is a valid session document."""
    assert code in WIRE_ERRORS, code  # the catalogue is closed: a new code is added there
    if session is not None and next(iter(violations("session", session)), None) is not None:
        session = None
    return {"ok": False, "error": {"code": code, "message": message}, "session": session}


def check_revision(latest: Session, session_id: str, revision: int) -> None:
    """Refuse a change built on anything but ``latest``, the session the host stored.

    ``session_id`` and ``revision`` are those of the session the request was built from
    (the session sent, or the revision a browser was shown); when either differs from
    ``latest``'s, :class:`~kl_contact.errors.UsageError` ``session.conflict`` is raised and
    the caller applies nothing. Check under the same lock or compare-and-set that then
    stores the new session, so two requests read from one revision cannot both pass.
    """
    if (latest.id, latest.revision) != (session_id, revision):
        raise UsageError(
            f"the session sent is revision {revision}, the stored one {latest.revision}",
            code="session.conflict",
        )


class JsonEngine:
    """An :class:`~kl_contact.engine.engine.Engine` behind JSON documents.

    ``start({"session_id": ..., "now": ..., "locale": ...})`` and
    ``handle({"session": {...}, "event": {...}, "now": ...})`` each return
    ``{"ok": true, "transition": {...}}`` or ``{"ok": false, "error": {...}, "session": ...}``
    where ``error.code`` is one of :data:`WIRE_ERRORS` and ``session`` is the session sent
    when it is a valid session document, else ``null``.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, request: Any) -> JSON:
        """Start a session from a ``start`` request document."""
        try:
            _check("wire", {"start": request})
            now = datetime.fromisoformat(request["now"])
            transition = self.engine.start(
                session_id=request["session_id"],
                now=now,
                locale=request.get("locale"),
                time_zone=request.get("time_zone"),
                region=request.get("region"),
                prefill=request.get("prefill"),
            )
        except UsageError as exc:
            return _error(exc.code, str(exc), None)
        except ValueError:
            return _error("time.invalid", "now is not an ISO 8601 datetime", None)
        return {"ok": True, "transition": dump_transition(transition)}

    def handle(self, request: Any, latest: Any = None, *, trusted_session: bool = False) -> JSON:
        """Apply an event from a ``handle`` request document.

        The request, its session and its event are each checked once against their schemas;
        ``trusted_session=True`` skips the session's check for a session the host stored
        itself (see :func:`load_session`).

        ``latest`` is the session document the host has stored for this contact, when it
        has one: a request whose session is not that revision gets ``session.conflict``
        and changes nothing (the host then stores the new session only if its revision is
        still the one it read: compare-and-set).
        """
        session_doc = request.get("session") if isinstance(request, dict) else None
        event_doc = request.get("event") if isinstance(request, dict) else None
        answers = event_doc.get("answers") if isinstance(event_doc, dict) else None
        too_big = event_problem(answers, self.engine.limits)  # before the schema: it is cheap
        if too_big is not None:
            return _error(too_big[0], too_big[1], session_doc)
        try:
            _check("wire", {"handle": request})
            session = load_session(request["session"], trusted=trusted_session)
            if latest is not None:
                stored = load_session(latest, trusted=trusted_session)
                check_revision(stored, session.id, session.revision)
            event = load_event(request["event"])
            now = datetime.fromisoformat(request["now"])
            transition = self.engine.handle(session, event, now)  # pure: nothing ran yet
            if now < session.updated_at:  # checked after the engine's own refusals
                raise UsageError(
                    "now is earlier than the session's last event", code="time.before_last_event"
                )
        except UsageError as exc:
            return _error(exc.code, str(exc), session_doc)
        except ValueError:
            return _error("time.invalid", "now is not an ISO 8601 datetime", session_doc)
        return {"ok": True, "transition": dump_transition(transition)}

    def resume(self, request: Any) -> JSON:
        """Take up a stored session from a ``resume`` request document,
        ``{"session": {...}, "now": ..., "on_version_change": "refuse" | "migrate"}``.

        The response is ``{"ok": true, "transition": {...}, "migration": {...}}`` where
        ``migration`` says which version the session came from and went to, the answers it
        could not keep (by question id and reason, never their values) and the step moves.
        A session of another version under ``refuse`` is ``session.version_mismatch``.
        """
        session_doc = request.get("session") if isinstance(request, dict) else None
        try:
            _check("wire", {"resume": request})
            session = load_session(request["session"])
            now = datetime.fromisoformat(request["now"])
            policy = request.get("on_version_change", "refuse")
            transition, migration = self.engine.resume(session, now, on_version_change=policy)
        except UsageError as exc:
            return _error(exc.code, str(exc), session_doc)
        except ValueError:
            return _error("time.invalid", "now is not an ISO 8601 datetime", session_doc)
        record: JSON = converter.unstructure(migration)
        del record["session"]  # it is the transition's session
        return {"ok": True, "transition": dump_transition(transition), "migration": record}

    def erase(self, request: Any) -> JSON:
        """Erase a finished contact's personal data from an ``erase`` request document,
        ``{"session": {...}}``: the response is ``{"ok": true, "session": {...}}`` with the
        erased session (see :func:`kl_contact.engine.erasure.erase_personal_data`) to store
        in place of the old one. A session still in progress is ``session.not_finished``.
        """
        session_doc = request.get("session") if isinstance(request, dict) else None
        try:
            _check("wire", {"erase": request})
            session = load_session(request["session"])
            # no fit check: a session of an older version of the definition is erased too
            erased = self.engine.erase_personal_data(session)
        except UsageError as exc:
            return _error(exc.code, str(exc), session_doc)
        return {"ok": True, "session": dump_session(erased)}

    def view(self, session_document: Any, *, trusted: bool = False) -> JSON:
        """The view of a stored session, as JSON (for re-rendering after a reload);
        ``trusted`` as in :func:`load_session`."""
        session = load_session(session_document, trusted=trusted)
        self.engine.check_session(session)
        out: JSON = converter.unstructure(self.engine.view(session))
        return out


def serve(engine: Engine, lines: Any, out: Any) -> int:
    """Answer wire documents one per line: each ``{"start": ...}``, ``{"handle": ...}``,
    ``{"resume": ...}`` or ``{"erase": ...}``
    line read from ``lines`` gets its response on one line of ``out``; returns the count.

    This is the JSON entry point as a process (``python -m kl_contact.wire [DEFINITION]``),
    for a host or a test client in another language that talks over a pipe.
    """
    import json

    wire = JsonEngine(engine)
    count = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if isinstance(request, dict) and set(request) == {"start"}:
            response = wire.start(request["start"])
        elif isinstance(request, dict) and set(request) == {"resume"}:
            response = wire.resume(request["resume"])
        elif isinstance(request, dict) and set(request) == {"handle"}:
            response = wire.handle(request["handle"])
        elif isinstance(request, dict) and set(request) == {"erase"}:
            response = wire.erase(request["erase"])
        else:
            response = _error(
                "wire.invalid", "a line holds one start, handle, resume or erase", None
            )
        out.write(json.dumps(response, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """``python -m kl_contact.wire [DEFINITION]``: serve the wire over stdin and stdout."""
    import sys

    from kl_contact.definition.loader import default_workflow, load_workflow

    args = sys.argv[1:] if argv is None else argv
    workflow = load_workflow(args[0]) if args else default_workflow()
    serve(Engine(workflow), sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
