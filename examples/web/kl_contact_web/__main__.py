"""Run the host: ``python -m kl_contact_web [--host H] [--port P] [--threads T]
[--processes N] [--smtp-sink]``.

Each worker process is served by waitress with T request threads; with N > 1 processes they
share one listening socket (the kernel hands each connection to one of them), and since no
worker keeps a session between requests, any of them serves any request. Configuration
comes from ``KL_CONTACT_WEB_*`` environment variables (see
:class:`~kl_contact_web.settings.Settings`; ``--threads`` and ``--processes`` override
``THREADS`` and ``PROCESSES``). ``--smtp-sink`` also starts a
local SMTP server on the configured host and port that accepts the registration letters and
logs only their subject, so the example runs with one command and no mail server.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
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
    parser.add_argument("--threads", type=int, help="request threads per process")
    parser.add_argument("--processes", type=int, help="worker processes on one socket")
    parser.add_argument(
        "--smtp-sink", action="store_true", help="accept the letters on the configured SMTP port"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env(os.environ)
    threads = args.threads or settings.threads
    processes = args.processes or settings.processes
    if threads < 1 or processes < 1:
        parser.error("--threads and --processes must be at least 1")
    sink = None
    if args.smtp_sink:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every peer
        sink = Controller(SubjectLog(), hostname=settings.smtp_host, port=settings.smtp_port)
        sink.start()
        log.info("SMTP sink on %s:%s", settings.smtp_host, settings.smtp_port)
    host = Host(settings)  # built once: forked processes share its compiled validators
    app = create_app(host=host)
    log.info("open http://%s:%s/", args.host, args.port)
    try:
        if processes == 1:
            waitress.serve(app, host=args.host, port=args.port, threads=threads)
        else:
            host.storage.close()  # no child may inherit a database connection
            _serve_processes(app, args.host, args.port, threads, processes)
    finally:
        if sink is not None:
            sink.stop()


def _serve_processes(app: Any, address: str, port: int, threads: int, processes: int) -> None:
    """Fork ``processes`` waitress servers on one socket; stop them all on SIGTERM/SIGINT."""
    listener = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(1024)
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # a worker process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                waitress.serve(app, sockets=[listener], threads=threads)
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum: int, frame: Any) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        while True:
            try:
                os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                break


if __name__ == "__main__":
    main()
