"""The HTTP surface: a Flask application serving the JSON API and the static page.

    POST /api/sessions                  {"locale": "en"}            -> 201 view
    GET  /api/sessions/<id>                                         -> 200 view
    POST /api/sessions/<id>/events      {"version": N, "event": {}} -> 200 view
                                                                       409 stale, 422 refused
    POST /api/sessions/<id>/files?name=N  the file's bytes             -> 201 attachment
    POST /api/requests/status           {"request_number", "email"} -> 200 status (RT)
    POST /api/requests/information      {"request_number", "email", "text"} -> 201 (RT)
    GET  /                              the page (static/index.html)

Every view reply is ``{"session_id": ..., "version": N, "view": {...}}``; ``view`` follows
``view.schema.json``. The routes only translate HTTP to :class:`~kl_contact_web.host.Host`
calls; they hold no state and never log a body.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, jsonify, request

from kl_contact_web.followup import add_information, request_status, upload
from kl_contact_web.host import Host, Reply
from kl_contact_web.settings import Settings

__all__ = ["create_app"]

_PAGE_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"


def _send(reply: Reply) -> tuple[Response, int]:
    return jsonify(reply.body), reply.status


def create_app(settings: Settings | None = None, *, host: Host | None = None) -> Flask:
    """The application for ``settings`` (default: from the environment); tables are created."""
    if host is None:
        host = Host(settings or Settings.from_env(os.environ))
    host.storage.create_schema()
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = _PAGE_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def page() -> Response:
        return app.send_static_file("index.html")

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/api/sessions")
    def start() -> tuple[Response, int]:
        body = request.get_json(silent=True) or {}
        locale = body.get("locale") if isinstance(body, dict) else None
        return _send(host.start(locale if isinstance(locale, str) else None))

    @app.get("/api/sessions/<session_id>")
    def show(session_id: str) -> tuple[Response, int]:
        return _send(host.view(session_id))

    @app.post("/api/sessions/<session_id>/events")
    def handle(session_id: str) -> tuple[Response, int]:
        return _send(host.handle(session_id, request.get_json(silent=True)))

    @app.post("/api/sessions/<session_id>/files")
    def upload_file(session_id: str) -> tuple[Response, int]:
        name, kind = request.args.get("name", ""), request.mimetype
        return _send(upload(host, session_id, name, kind, request.stream, request.content_length))

    @app.post("/api/requests/status")
    def status() -> tuple[Response, int]:
        return _send(request_status(host, request.get_json(silent=True)))

    @app.post("/api/requests/information")
    def information() -> tuple[Response, int]:
        return _send(add_information(host, request.get_json(silent=True)))

    return app
