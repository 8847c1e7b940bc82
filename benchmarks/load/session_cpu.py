"""The reference host's CPU per whole session, in one thread, without an HTTP server.

`make load` measures the host under many users, where CPU time per session moves with how
many threads contend for the interpreter and with the load tool on the same cores. This
script measures the steady part: it walks whole sessions (the load run's paths: e-mail,
chat and phone, English and Russian, in turn) through the Flask application with Flask's
test client in this one thread, the registration letters going to an SMTP server in another
process, and divides this process's CPU time (``time.process_time``) by the sessions. As a
baseline measured in the same run it gives the CPU of as many ``GET /healthz`` requests
through the same client (what a request costs before the host does anything), and the
session's CPU as a multiple of it.

    PYTHONPATH=src .venv/bin/python benchmarks/load/session_cpu.py [--sessions 300]
        [--stores sqlite postgresql] [--postgres-url URL] [--profile FILE]

PostgreSQL needs ``--postgres-url`` (or KL_CONTACT_TEST_POSTGRES_URL): a server the run may
create a database on. ``--profile`` writes a cProfile of the measured sessions (CPU time)
for ``python -m pstats``.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "web"))
sys.path.insert(0, str(ROOT / "tests"))

from run import fresh_database  # noqa: E402  (the throwaway database make load uses)

from web.walks import next_event, script, scripted  # noqa: E402

JSON = dict[str, Any]
OFFICE_HOURS = "2026-11-25T12:00:00+03:00"
"""A Wednesday noon in Moscow: every channel of the default workflow is open."""
PLANS = [
    {**script(channel), "locale": locale}
    for channel in ("email", "chat", "phone")
    for locale in ("en", "ru")
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[int]:
    """aiosmtpd's sink in a process of its own (its CPU is not this process's)."""
    port = free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    sink = subprocess.Popen([*command, "-c", "aiosmtpd.handlers.Sink"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        sink.terminate()
        sink.wait()


def walker(app: Any) -> tuple[Callable[[], int], Callable[[int], None]]:
    """A function walking one whole session (returns its requests), and one sending N
    ``/healthz`` requests, both through Flask's test client."""
    turns = itertools.count()

    def walk() -> int:
        client = app.test_client()
        plan = copy.deepcopy(PLANS[next(turns) % len(PLANS)])
        plan["answers"]["email"] = f"cpu-{uuid.uuid4().hex}@example.com"
        requests = 0

        def post(path: str, body: JSON) -> JSON:
            nonlocal requests
            requests += 1
            reply = client.post(path, json=body)
            assert reply.status_code in (200, 201), reply.status_code
            document: JSON = reply.get_json()
            return document

        reply = post("/api/sessions", {"locale": plan["locale"]})
        for _ in range(30):
            view = reply["view"]
            if view["kind"] == "confirmation":
                return requests
            given = scripted(view, plan)
            path = f"/api/sessions/{reply['session_id']}/events"
            if "answer" in {action["type"] for action in view["actions"]} and given:
                event = {"type": "answer", "answers": given}
                reply = post(path, {"version": reply["version"], "event": event})
                if scripted(reply["view"], plan).keys() != given.keys():
                    continue  # more questions appeared: answer those too
            event = next_event(reply["view"], plan)
            reply = post(path, {"version": reply["version"], "event": event})
        raise AssertionError("the walk did not end")

    def health(count: int) -> None:
        client = app.test_client()
        for _ in range(count):
            assert client.get("/healthz").status_code == 200

    return walk, health


def measure(store: str, url: str, smtp_port: int, sessions: int, profile: str | None) -> str:
    from kl_contact_web.app import create_app
    from kl_contact_web.host import Host
    from kl_contact_web.settings import Settings

    settings = Settings(
        database_url=url,
        smtp_port=smtp_port,
        fixed_time=OFFICE_HOURS,
        sessions_per_client=10**9,  # every session comes from one address
    )
    host = Host(settings)
    walk, health = walker(create_app(host=host))
    try:
        for _ in range(30):  # unmeasured: indexes, converters and caches built on first use
            walk()
        profiler = cProfile.Profile(time.process_time) if profile else None
        begin = time.process_time()
        if profiler is not None:
            profiler.enable()
        requests = sum(walk() for _ in range(sessions))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{store}")
        spent = time.process_time() - begin
        health(200)
        begin = time.process_time()
        health(requests)
        floor = time.process_time() - begin
    finally:
        host.storage.close()
    per = spent / sessions * 1e3
    floor_per = floor / sessions * 1e3
    return (
        f"{store}: {per:.2f} ms CPU per session ({requests / sessions:.2f} requests);"
        f" as many /healthz requests: {floor_per:.2f} ms; {per / floor_per:.1f}x that"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("KL_CONTACT_TEST_POSTGRES_URL"))
    parser.add_argument("--profile", help="write a cProfile of the sessions to FILE.STORE")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="kl-contact-session-cpu.") as tmp,
        smtp_server() as port,
    ):
        for store in args.stores:
            if store == "postgresql" and not args.postgres_url:
                print("postgresql: skipped (no --postgres-url or KL_CONTACT_TEST_POSTGRES_URL)")
                continue
            with fresh_database(store, args.postgres_url, Path(tmp), 0) as url:
                print(measure(store, url, port, args.sessions, args.profile), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
