"""The HTTP surface: a Flask application serving the JSON API and the static page.

    POST /api/sessions                  {"locale": "en"}            -> 201 view + capability
    GET  /api/sessions/<id>                                         -> 200 view
    POST /api/sessions/<id>/events      {"version": N, "event": {}} -> 200 view
                                                                       409 stale, 422 refused
    POST /api/sessions/<id>/files?name=N  the bytes (needs the capability) -> 201 attachment
    POST /api/requests/status           {"request_number", "email"} -> 200 status (RT)
    POST /api/requests/information      {"request_number", "email", "text"} -> 201 (RT)
    GET  /                              the page (static/index.html)
    GET  /healthz                       {"ok": true}

Every view reply is ``{"session_id": ..., "version": N, "view": {...}}``; ``view`` follows
``view.schema.json``. Every error is ``{"error": {"code", "message"}}``, whatever went wrong.

Who may do what:

* Creating a session sets its **capability** in a cookie (``HttpOnly``, ``SameSite=Strict``,
  ``Path`` the session's own URL, ``Secure`` over HTTPS): reading or driving the session
  needs it, so knowing a session id is worth nothing (403 ``session.forbidden``), and an id
  planted in a victim's address is never adopted.
* Every ``POST`` must be ``application/json`` and, when the browser says where it comes
  from (``Origin``, ``Sec-Fetch-Site``), come from this site. With the ``SameSite=Strict``
  cookie this is the defence against cross-site request forgery: a form or image on another
  site can neither send JSON nor carry the cookie.
* A body is refused before any work when it is over ``max_body_bytes`` (413
  ``request.too_large``), nests deeper than ``max_json_depth`` (400 ``request.too_deep``),
  or carries more than the library's :class:`~kl_contact.Limits` allow (413 ``limit.*``).

Every response carries a strict Content-Security-Policy (no inline script, no framing) and
the other headers of :data:`SECURITY_HEADERS`. The routes only translate HTTP to
:class:`~kl_contact_web.host.Host` calls; they hold no state and never log a body.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kl_contact_web.followup import MAX_UPLOAD, add_information, request_status, upload
from kl_contact_web.host import Host, Reply
from kl_contact_web.settings import Settings

__all__ = ["CAPABILITY_COOKIE", "SECURITY_HEADERS", "create_app", "nesting_depth_over"]

log = logging.getLogger(__name__)

CAPABILITY_COOKIE = "kl_contact_owner"
"""The cookie that carries a session's capability, scoped to that session's URL."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
"""Headers on every response, the page's and the API's, errors included."""

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def nesting_depth_over(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit``.

    It reads brackets outside strings only and never parses, in a handful of passes over
    the text, so a hostile body costs little more than reading it.
    """
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    brackets = brackets.replace(b"{", b"[").replace(b"}", b"]")
    for done in range(limit):
        if not brackets:
            return False
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):  # unbalanced: "]]][[[" is left; count the openers
            return brackets.count(b"[") > limit - done
        brackets = shorter
    return bool(brackets)


def _send(reply: Reply) -> tuple[Response, int]:
    return jsonify(reply.body), reply.status


def _refuse(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def _cross_site() -> bool:
    """Whether the browser tells us this request comes from another site."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    ours = urlsplit(request.host_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc)


def create_app(settings: Settings | None = None, *, host: Host | None = None) -> Flask:
    """The application for ``settings`` (default: from the environment); tables are created."""
    if host is None:
        host = Host(settings or Settings.from_env(os.environ))
    settings = host.settings
    host.storage.create_schema()
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes

    def body() -> Any | tuple[Response, int]:
        """The request's JSON body (None when there is none), or the refusal to send instead."""
        if not request.content_length and "chunked" not in request.headers.get(
            "Transfer-Encoding", ""
        ):
            return None
        if request.mimetype != "application/json":
            return _refuse(415, "request.not_json", "send the body as application/json")
        raw = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before reading
        if nesting_depth_over(raw, settings.max_json_depth):
            return _refuse(400, "request.too_deep", "the body nests too deeply")
        try:
            return json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            return _refuse(400, "request.invalid", "the body is not JSON")

    def capability() -> str | None:
        return request.cookies.get(CAPABILITY_COOKIE)

    @app.before_request
    def _same_site_only() -> tuple[Response, int] | None:
        if request.method not in {"GET", "HEAD", "OPTIONS"} and _cross_site():
            return _refuse(403, "request.cross_site", "requests from other sites are refused")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.path.startswith("/api/") or request.path == "/healthz":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        code = {413: "request.too_large", 404: "route.unknown", 405: "method.not_allowed"}
        return _refuse(status, code.get(status, f"http.{status}"), error.name)

    @app.errorhandler(Exception)
    def _failure(error: Exception) -> tuple[Response, int]:
        log.error("request failed (%s)", type(error).__name__)
        return _refuse(503, "service.unavailable", "the service cannot answer now")

    @app.get("/")
    def page() -> Response:
        return app.send_static_file("index.html")

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/api/sessions")
    def start() -> tuple[Response, int]:
        given = body()
        if isinstance(given, tuple):
            return given
        locale = given.get("locale") if isinstance(given, dict) else None
        reply = host.start(locale if isinstance(locale, str) else None, request.remote_addr or "")
        response, status = _send(reply)
        if reply.capability is not None:
            response.set_cookie(
                CAPABILITY_COOKIE,
                reply.capability,
                max_age=int(settings.session_lifetime_seconds),
                path=f"/api/sessions/{reply.body['session_id']}",
                secure=request.is_secure or settings.cookie_secure,
                httponly=True,
                samesite="Strict",
            )
        return response, status

    @app.get("/api/sessions/<session_id>")
    def show(session_id: str) -> tuple[Response, int]:
        return _send(host.view(session_id, capability()))

    @app.post("/api/sessions/<session_id>/events")
    def handle(session_id: str) -> tuple[Response, int]:
        given = body()
        if isinstance(given, tuple):
            return given
        return _send(host.handle(session_id, capability(), given))

    @app.post("/api/sessions/<session_id>/files")
    def upload_file(session_id: str) -> tuple[Response, int]:
        owned = host.owned(session_id, capability())  # files too belong to their session
        if isinstance(owned, Reply):
            return _send(owned)
        request.max_content_length = MAX_UPLOAD  # a file, not an event: its own limit
        name, kind = request.args.get("name", ""), request.mimetype
        return _send(upload(host, session_id, name, kind, request.stream, request.content_length))

    @app.post("/api/requests/status")
    def status() -> tuple[Response, int]:
        given = body()
        if isinstance(given, tuple):
            return given
        return _send(request_status(host, given))

    @app.post("/api/requests/information")
    def information() -> tuple[Response, int]:
        given = body()
        if isinstance(given, tuple):
            return given
        return _send(add_information(host, given))

    return app
