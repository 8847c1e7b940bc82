"""Run a worker: ``python -m kl_contact_web [--host 127.0.0.1] [--port 8000] [--smtp-sink]``.

The worker is served by waitress, with the outbox worker in a thread beside it (each worker
process runs one; they share the work through the database). ``--no-outbox`` leaves the
letters to other processes, ``--outbox-only`` runs the outbox alone without serving HTTP.
Configuration comes from ``KL_CONTACT_WEB_*`` environment variables (see
:class:`~kl_contact_web.settings.Settings`). ``--smtp-sink`` also starts a
local SMTP server on the configured host and port that accepts the registration letters and
logs only their subject, so the example runs with one command and no mail server.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from collections.abc import Sequence
from email import message_from_bytes, policy
from typing import Any

import waitress  # type: ignore[import-untyped]

from kl_contact_web.app import create_app
from kl_contact_web.host import Host
from kl_contact_web.settings import Settings

log = logging.getLogger("kl_contact_web")


class SubjectLog:
    """An aiosmtpd handler that accepts every letter and logs its subject alone."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        letter = message_from_bytes(envelope.content, policy=policy.default)
        log.info("SMTP sink received a letter: %s", letter["Subject"])
        return "250 OK"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line, then serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m kl_contact_web", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--threads", type=int, default=4, help="request threads")
    parser.add_argument(
        "--smtp-sink", action="store_true", help="accept the letters on the configured SMTP port"
    )
    parser.add_argument("--no-outbox", action="store_true", help="do not send queued letters")
    parser.add_argument("--outbox-only", action="store_true", help="send letters, serve nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env(os.environ)
    sink = None
    if args.smtp_sink:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every peer
        sink = Controller(SubjectLog(), hostname=settings.smtp_host, port=settings.smtp_port)
        sink.start()
        log.info("SMTP sink on %s:%s", settings.smtp_host, settings.smtp_port)
    host = Host(settings)
    app = create_app(host=host)
    stop = None
    try:
        if args.outbox_only:
            host.outbox.run(threading.Event())
            return
        if not args.no_outbox:
            _, stop = host.outbox.start()
        log.info("open http://%s:%s/", args.host, args.port)
        waitress.serve(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads,
            # waitress reads a whole body before the application sees it: keep that bounded
            # too, well above the application's own limit so that its typed 413 answers
            max_request_body_size=max(32 * settings.max_body_bytes, 16 * 1024 * 1024),
            recv_bytes=256 * 1024,  # read a big body in few calls: refused sooner
        )
    finally:
        if stop is not None:
            stop.set()
        if sink is not None:
            sink.stop()


if __name__ == "__main__":
    main()
