"""Fixtures for the web host: databases, a real SMTP server, worker processes, the browser.

Outside CI a missing piece (the example's requirements, a PostgreSQL server, Chromium) skips
the tests that need it with the reason; under ``CI=true`` the same absence fails them, so CI
never passes by skipping.
"""

from __future__ import annotations

import importlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web"
ARTIFACTS = ROOT / "test-artifacts" / "web"
POSTGRES_ENV = "KL_CONTACT_TEST_POSTGRES_URL"
"""The variable naming a PostgreSQL server the tests may create databases on (set by .ci/run)."""

IN_CI = os.environ.get("CI") == "true"

OFFICE_HOURS = "2026-11-25T12:00:00+03:00"
"""A Wednesday noon in Moscow: every channel of the default workflow is open then."""

if str(EXAMPLE) not in sys.path:
    sys.path.insert(0, str(EXAMPLE))


def need(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, or fail under CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason, allow_module_level=True)


def need_module(name: str) -> Any:
    """Import ``name``, or skip (fail under CI) when the example's requirements are missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        need(False, f"{name} is not installed (make web-deps installs examples/web's requirements)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------- databases


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the server named by $KL_CONTACT_TEST_POSTGRES_URL."""
    server = os.environ.get(POSTGRES_ENV, "")
    need(bool(server), f"no PostgreSQL server: set {POSTGRES_ENV} (bash .ci/run starts one)")
    psycopg = need_module("psycopg")
    name = "kl_contact_test_" + secrets.token_hex(6)
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def _postgres_tests() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: an SQLite file, then PostgreSQL (a schema of its own per test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contact.sqlite3'}"
    url: str = request.getfixturevalue("_postgres_tests")
    schema = "t_" + secrets.token_hex(6)
    with need_module("psycopg").connect(url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return f"{url}?options=-csearch_path%3D{schema}"


# ---------------------------------------------------------------------- SMTP


class MailSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every letter it accepts."""

    def __init__(self) -> None:
        self.letters: list[tuple[list[str], EmailMessage]] = []
        self._arrived = threading.Condition()
        self.port = free_port()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        letter = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.letters.append((list(envelope.rcpt_tos), letter))  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 OK"

    def wait(self, count: int, timeout: float = 10.0) -> list[tuple[list[str], EmailMessage]]:
        """The letters once at least ``count`` arrived; fails after ``timeout`` seconds."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.letters) >= count, timeout)
        assert arrived, f"{len(self.letters)} letters arrived, expected {count}"
        return list(self.letters)


@pytest.fixture(scope="session")
def _mail_server() -> Iterator[MailSink]:
    controller_module = need_module("aiosmtpd.controller")
    sink = MailSink()
    controller = controller_module.Controller(
        sink, hostname="127.0.0.1", port=sink.port, ready_timeout=10
    )
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def mail_sink(_mail_server: MailSink) -> MailSink:
    """The SMTP server, emptied for this test (starting one takes most of a second)."""
    with _mail_server._arrived:
        _mail_server.letters.clear()
    return _mail_server


# ---------------------------------------------------------------------- worker processes


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[str]:
    """A backend process (``python -m kl_contact_web``) on a free loopback port.

    Yields its base URL once ``/healthz`` answers; stops it afterwards. Its output goes to
    ``log``, shown when it fails to start.
    """
    port = free_port()
    full_env = {
        "KL_CONTACT_WEB_FIXED_TIME": OFFICE_HOURS,
        **os.environ,
        **env,
        "PYTHONPATH": str(EXAMPLE),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kl_contact_web", "--host", "127.0.0.1", "--port", str(port)],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the worker did not start:\n" + log.read_text())
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---------------------------------------------------------------------- Request Tracker

RT_SCRIPTS = EXAMPLE / "rt"
RT_ENV = "KL_CONTACT_TEST_RT_DIR"
"""The folder of an RT that examples/web/rt/start-rt started for the tests (set by .ci/run)."""


class RtServer:
    """A throwaway Request Tracker started by ``examples/web/rt/start-rt`` in ``folder``.

    ``url`` and ``token`` reach its REST2 API; :meth:`stop` and :meth:`start` take it down and
    bring the same RT back (same port, tickets and token), for tests of an RT that goes away.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env: dict[str, str] = {}

    def start(self) -> None:
        done = subprocess.run(
            [str(RT_SCRIPTS / "start-rt"), str(self.folder)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode == 3:
            need(False, "Request Tracker 5 is not installed (bash .ci/run installs it)")
        assert done.returncode == 0, done.stderr
        self.env = dict(line.split("=", 1) for line in done.stdout.split() if "=" in line)

    def stop(self, *, keep: bool = True) -> None:
        command = [str(RT_SCRIPTS / "stop-rt"), str(self.folder)] + (["--keep"] if keep else [])
        subprocess.run(command, timeout=60, check=True)

    @property
    def url(self) -> str:
        return self.env["KL_CONTACT_RT_URL"]

    @property
    def token(self) -> str:
        return self.env["KL_CONTACT_RT_TOKEN"]

    @property
    def name(self) -> str:
        return self.env["KL_CONTACT_RT_NAME"]

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST2 call as RT's root (the engineers' side); the decoded JSON answer."""
        httpx = need_module("httpx")
        headers = {"Authorization": f"token {self.token}"}
        answer = httpx.request(
            method, f"{self.url}/REST/2.0/{path}", headers=headers, timeout=30, **kwargs
        )
        assert answer.status_code < 300, (answer.status_code, answer.text[:300])
        return answer.json()

    def outbox(self) -> list[Path]:
        """The letters RT itself sent (written to files, never delivered)."""
        return sorted((self.folder / "outbox").glob("letter.*"))


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtServer]:
    """One RT for the whole test run (starting one takes several seconds and ~400 MB)."""
    given = os.environ.get(RT_ENV)
    if given:
        server = RtServer(Path(given))
        server.start()  # already running: start-rt finds it set up and answering
        yield server
        return
    server = RtServer(tmp_path_factory.mktemp("rt"))
    server.start()
    try:
        yield server
    finally:
        server.stop(keep=False)
