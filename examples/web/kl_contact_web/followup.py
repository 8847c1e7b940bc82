"""Files and requests beyond the form: uploads, and a registered request's status and additions.

``upload`` keeps the bytes of a file the page attaches (the answer then names it by digest, and
the helpdesk receives the same bytes). ``request_status`` answers a user asking where a request
they already have stands, from Request Tracker's ticket and history; ``add_information`` adds
what they write to it as correspondence. A request is only shown to the e-mail address it was
registered with, and an unknown number or a wrong address get the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from kl_contact import dump_request_status
from kl_contact_web.helpdesk import HelpdeskUnavailable, UnknownRequest
from kl_contact_web.host import Host, Reply, _error
from kl_contact_web.storage import UnknownSession

__all__ = [
    "MAX_FILES",
    "MAX_SESSION_BYTES",
    "MAX_TEXT",
    "MAX_UPLOAD",
    "add_information",
    "request_status",
    "upload",
]

MAX_UPLOAD = 10 * 1024 * 1024
"""The largest file accepted, in bytes (the default workflow's limit per file)."""

MAX_FILES = 20
"""How many files one session may upload (the default workflow attaches at most 5)."""

MAX_SESSION_BYTES = 50 * 1024 * 1024
"""How many bytes of files one session may upload in all."""

MAX_TEXT = 20_000
"""The longest text a user may add to a request, in characters."""


def upload(
    host: Host, session_id: str, name: str, media_type: str, stream: IO[bytes], size: int | None
) -> Reply:
    """Keep one file for ``session_id``; 201 and its attachment metadata (with the digest)."""
    if not name or len(name) > 255 or any(ord(ch) < 32 for ch in name) or not media_type:
        return _error(400, "request.invalid", "expected ?name=FILE and a Content-Type")
    if size is not None and size > MAX_UPLOAD:
        return _error(413, "file.too_large", "the file is larger than allowed")
    content = stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return _error(413, "file.too_large", "the file is larger than allowed")
    try:
        host.storage.session(session_id)
    except UnknownSession:
        return _error(404, "session.unknown", "no such session")
    count, total = host.storage.files_kept(session_id)
    if count >= MAX_FILES or total + len(content) > MAX_SESSION_BYTES:
        return _error(413, "file.too_many", "this session uploaded as much as it may")
    digest = host.storage.store_file(session_id, name, media_type, content)
    attachment = {"name": name, "media_type": media_type, "size": len(content), "digest": digest}
    return Reply(201, attachment)


def _lookup(body: Any, *extra: str) -> tuple[str, ...] | None:
    if not isinstance(body, Mapping):
        return None
    values = tuple(body.get(key) for key in ("request_number", "email", *extra))
    if not all(isinstance(v, str) and v.strip() and len(v) <= MAX_TEXT for v in values):
        return None
    return values  # type: ignore[return-value]


def request_status(host: Host, body: Any) -> Reply:
    """``{"request_number", "email"}`` -> 200 and ``request_status.schema.json``'s document."""
    given = _lookup(body)
    if given is None:
        return _error(400, "request.invalid", 'expected {"request_number": ..., "email": ...}')
    if host.helpdesk is None:
        return _error(501, "helpdesk.none", "no helpdesk is configured")
    try:
        found = host.helpdesk.status(*given)
    except UnknownRequest:
        return _error(404, "request.unknown", "no such request for this address")
    except HelpdeskUnavailable:
        return _error(503, "helpdesk.unavailable", "the helpdesk did not answer; try again")
    return Reply(200, dump_request_status(found))


def add_information(host: Host, body: Any) -> Reply:
    """``{"request_number", "email", "text"}`` -> 201: the text is RT correspondence."""
    given = _lookup(body, "text")
    if given is None:
        return _error(400, "request.invalid", "expected request_number, email and text")
    if host.helpdesk is None:
        return _error(501, "helpdesk.none", "no helpdesk is configured")
    try:
        number, email, text = given
        host.helpdesk.add_information(number, email, text)
    except UnknownRequest:
        return _error(404, "request.unknown", "no such request for this address")
    except HelpdeskUnavailable:
        return _error(503, "helpdesk.unavailable", "the helpdesk did not answer; try again")
    return Reply(201, {"request_number": given[0], "added": True})
