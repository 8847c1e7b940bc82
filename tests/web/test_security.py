"""The reference host probed as an attacker would, on real waitress workers on loopback.

Each test runs on SQLite and on PostgreSQL. A client is an :class:`HttpApi` with its own
cookie jar: the capability a session is created with lives there, and a second client,
however much it knows about the session, holds none.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kl_contact import load_session, load_ticket
from web.conftest import MailSink, WorkerProcess, need_module
from web.walks import HttpApi, next_event, script, send, walk

need_module("waitress")

from kl_contact_web.app import SECURITY_HEADERS  # noqa: E402
from kl_contact_web.storage import Storage  # noqa: E402

JSON = dict[str, Any]


def env_for(database_url: str, mail: MailSink, **more: str) -> dict[str, str]:
    return {
        "KL_CONTACT_WEB_DATABASE_URL": database_url,
        "KL_CONTACT_WEB_SMTP_PORT": str(mail.port),
        **{f"KL_CONTACT_WEB_{name.upper()}": value for name, value in more.items()},
    }


@pytest.fixture
def server(database_url: str, mail_sink: MailSink, tmp_path: Path) -> Iterator[str]:
    process = WorkerProcess(env_for(database_url, mail_sink), tmp_path / "worker.log")
    try:
        yield process.start()
    finally:
        process.stop()


def personal_values(plan: JSON) -> list[str]:
    answers = plan["answers"]
    return [answers[k] for k in ("name", "email", "subject", "description")]


# ---------------------------------------------------------------------- ownership


def test_another_client_without_the_capability_gets_403_and_no_personal_data(
    server: str,
) -> None:
    owner, stranger = HttpApi(server), HttpApi(server)
    plan = script("email")
    at = walk(owner, plan, until="request")[-1]
    status, with_details = send(owner, at, {"type": "answer", "answers": plan["answers"]})
    assert status == 200
    session = at["session_id"]

    for status, body in (
        stranger.get(f"/api/sessions/{session}"),
        stranger.post(f"/api/sessions/{session}/events", {"version": 1, "event": {"type": "back"}}),
        send(stranger, with_details, next_event(with_details["view"], plan)),
    ):
        assert status == 403
        assert body == {"error": {"code": "session.forbidden", "message": body["error"]["message"]}}
        text = json.dumps(body, ensure_ascii=False)
        assert not [value for value in personal_values(plan) if value in text]

    # nothing the stranger sent reached the session
    assert owner.get(f"/api/sessions/{session}") == (200, with_details)


def test_a_planted_session_id_is_never_adopted(server: str) -> None:
    """Fixation: the attacker's session id in the victim's address gives the victim nothing
    of it, and the attacker nothing of what the victim then types."""
    attacker, victim = HttpApi(server), HttpApi(server)
    _, planted = attacker.post("/api/sessions", {"locale": "en"})
    status, _ = victim.get(f"/api/sessions/{planted['session_id']}")  # what the page tries
    assert status == 403
    plan = script("chat")
    own = walk(victim, plan)  # so the page starts a session of its own
    assert own[0]["session_id"] != planted["session_id"]
    assert own[-1]["view"]["kind"] == "confirmation"
    assert attacker.get(f"/api/sessions/{planted['session_id']}") == (200, planted)
    status, body = attacker.get(f"/api/sessions/{own[0]['session_id']}")
    assert status == 403
    assert plan["answers"]["email"] not in json.dumps(body)


def test_session_creation_is_rate_limited_per_client_address(
    database_url: str, mail_sink: MailSink, tmp_path: Path
) -> None:
    env = env_for(database_url, mail_sink, sessions_per_client="3")
    process = WorkerProcess(env, tmp_path / "worker.log")
    process.start()
    try:
        client = HttpApi(process.base)
        statuses = [client.post("/api/sessions", {})[0] for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        status, body = HttpApi(process.base).post("/api/sessions", {})  # same address
        assert (status, body["error"]["code"]) == (429, "session.rate_limited")
    finally:
        process.stop()


# ---------------------------------------------------------------------- bounded requests


def _post_raw(base: str, path: str, body: bytes) -> tuple[int, JSON, float]:
    """POST raw bytes as JSON; the status, the JSON answer and the seconds it took."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    started = time.perf_counter()
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        data = reply.read()
        return reply.status, json.loads(data), time.perf_counter() - started
    finally:
        connection.close()


def _health(base: str, stop: threading.Event, answered: list[tuple[int, float]]) -> None:
    """Ask /healthz until ``stop``; each answer's status and seconds go into ``answered``."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with HttpApi(base)._opener.open(base + "/healthz", timeout=30) as reply:
                status = reply.status
        except OSError:
            status = 0  # no answer: the test sees it
        answered.append((status, time.perf_counter() - started))
        time.sleep(0.01)


def test_oversized_and_deeply_nested_bodies_are_refused_while_health_answers(
    server: str,
) -> None:
    client = HttpApi(server)
    _, started = client.post("/api/sessions", {})
    events = f"/api/sessions/{started['session_id']}/events"
    attachment = {"name": "a.png", "media_type": "image/png", "size": 1}
    many = {"version": 1, "event": {"type": "send", "answers": {"files": [attachment] * 100_000}}}
    within_bytes = {"version": 1, "event": {"type": "send", "answers": {"f": [attachment] * 4000}}}
    probes = [
        (json.dumps(many).encode(), 413, "request.too_large"),  # 5.7 MB, as in the report
        (b"[" * 100_000, 400, "request.too_deep"),
        (b'{"version": 1, "event": ' * 5000 + b"{}" + b"}" * 5000, 400, "request.too_deep"),
        (json.dumps(within_bytes).encode(), 413, "limit.answer_items"),
        (b'{"version": 1, "event": {"type": "next", "answers": {"x": "\xff"}}}', 400,
         "request.invalid"),
    ]  # fmt: skip
    assert len(probes[0][0]) > 5_000_000
    # How fast the refusals come is a figure for a quiet machine, not for a test: here every
    # answer must be the right refusal, and the health check must go on answering (every one
    # of its requests gets 200) while four of each hostile body arrive at once.
    stop, health = threading.Event(), []
    checker = threading.Thread(target=_health, args=(server, stop, health))
    checker.start()
    try:
        time.sleep(0.2)
        answers = []
        with ThreadPoolExecutor(max_workers=4) as pool:
            for body, _, _ in probes:  # four at once of each: as many as worker threads
                answers.append(list(pool.map(lambda b: _post_raw(server, events, b), [body] * 4)))
        time.sleep(0.2)
    finally:
        stop.set()
        checker.join(timeout=30)
    for replies, (_, want_status, want_code) in zip(answers, probes, strict=True):
        for status, body, _took in replies:
            assert (status, body["error"]["code"]) == (want_status, want_code)
    assert not checker.is_alive()
    assert len(health) >= 5
    assert all(status == 200 for status, _ in health)
    # the session is as it was
    assert client.get(f"/api/sessions/{started['session_id']}") == (200, started)


def test_every_response_carries_the_security_headers(server: str) -> None:
    client = HttpApi(server)
    _, started = client.post("/api/sessions", {})
    session = started["session_id"]
    host, port = server.removeprefix("http://").split(":")
    probes: list[tuple[str, str, bytes | None, dict[str, str], int]] = [
        ("GET", "/", None, {}, 200),
        ("GET", "/static/app.js", None, {}, 200),
        ("GET", "/static/style.css", None, {}, 200),
        ("GET", "/healthz", None, {}, 200),
        ("GET", f"/api/sessions/{session}", None, {}, 403),
        ("GET", "/nowhere", None, {}, 404),
        ("DELETE", "/api/sessions", None, {}, 405),
        ("POST", "/api/sessions", b"locale=en", {"Content-Type": "text/plain"}, 415),
        ("POST", "/api/sessions", b"{}", {"Content-Type": "application/json",
                                          "Origin": "https://evil.example"}, 403),
        ("POST", f"/api/sessions/{session}/events", b"[" * 1000,
         {"Content-Type": "application/json"}, 400),
        ("POST", f"/api/sessions/{session}/events", b" " * 600_000,
         {"Content-Type": "application/json"}, 413),
    ]  # fmt: skip
    for method, path, body, headers, status in probes:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.request(method, path, body, headers)
            reply = connection.getresponse()
            reply.read()
        finally:
            connection.close()
        assert reply.status == status, (method, path)
        for name, value in SECURITY_HEADERS.items():
            assert reply.getheader(name) == value, (method, path, name)


def test_the_page_has_no_inline_script_style_or_handler() -> None:
    from web.conftest import EXAMPLE

    page = (EXAMPLE / "kl_contact_web" / "static" / "index.html").read_text(encoding="utf-8")

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S | re.I)
    assert scripts, "the page loads its script"
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page, flags=re.I)
    assert not re.search(r"<style\b|\sstyle\s*=|javascript:", page, flags=re.I)
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy


# ---------------------------------------------------------------------- exactly once


def _race(first: HttpApi, second: HttpApi, at: JSON, events: tuple[JSON, JSON]) -> list[int]:
    ready = threading.Barrier(2, timeout=30)
    results: list[tuple[int, JSON]] = [(0, {}), (0, {})]

    def post(index: int, api: HttpApi) -> None:
        ready.wait()
        results[index] = send(api, at, events[index])

    pair = (first, second)
    threads = [threading.Thread(target=post, args=(n, api)) for n, api in enumerate(pair)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "session.conflict"
    return sorted(status for status, _ in results)


def _check_no_orphans(storage: Storage, sessions: list[str]) -> dict[str, str]:
    """Every request belongs to a session that confirms it, with the very same ticket;
    return session id -> request number."""
    by_session: dict[str, str] = {}
    for record in storage.requests():
        assert record.session_id not in by_session, "two requests for one session"
        # read as values: a stored session leaves out the fields at their default, the
        # ticket sent to the helpdesk carries every field
        submission = load_session(storage.session(record.session_id).document).submission
        assert submission is not None, "a request whose session was never confirmed"
        assert submission.status == "accepted"
        assert submission.receipt is not None
        assert submission.receipt.request_number == record.number
        assert submission.ticket == load_ticket(record.ticket)
        by_session[record.session_id] = record.number
    for session in sessions:
        confirmed = load_session(storage.session(session).document).submission
        if confirmed is not None and confirmed.status == "accepted":
            assert session in by_session, "a confirmed session without its request"
    return by_session


@pytest.fixture
def two_servers(
    database_url: str, mail_sink: MailSink, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    env = env_for(database_url, mail_sink, sessions_per_client="1000")
    first = WorkerProcess(env, tmp_path / "first.log")
    second = WorkerProcess(env, tmp_path / "second.log")
    try:
        yield first.start(), second.start()
    finally:
        first.stop()
        second.stop()


PAIRS = 50


def test_racing_submits_give_one_ticket_equal_to_the_confirmed_session(
    two_servers: tuple[str, str], database_url: str, mail_sink: MailSink
) -> None:
    import http.cookiejar

    plan = script("email")
    answers = dict(plan["answers"])
    clients = []
    for _ in range(PAIRS):
        jar = http.cookiejar.CookieJar()
        clients.append((HttpApi(two_servers[0], jar), HttpApi(two_servers[1], jar)))

    def prepare(pair: tuple[HttpApi, HttpApi]) -> JSON:
        return walk(pair[0], plan, until="request")[-1]

    with ThreadPoolExecutor(max_workers=4) as pool:
        starts = list(pool.map(prepare, clients))

    outcomes = []
    for n, ((first, second), at) in enumerate(zip(clients, starts, strict=True)):
        x = {"type": "send", "answers": {**answers, "email": f"x{n}@example.org"}}
        y = {"type": "send", "answers": {**answers, "email": f"y{n}@example.org"}}
        outcomes.append(_race(first, second, at, (x, y)))
    assert outcomes == [[200, 409]] * PAIRS

    storage = Storage(database_url)
    confirmed = _check_no_orphans(storage, [at["session_id"] for at in starts])
    assert len(confirmed) == PAIRS
    letters = mail_sink.wait(PAIRS)
    time.sleep(0.5)
    assert len(mail_sink.letters) == PAIRS
    to = {re.findall(r"WEB-\d+", letter["Subject"])[-1]: rcpt for rcpt, letter in letters}
    for session, number in confirmed.items():
        ticket_email = storage.session(session).document["submission"]["ticket"]["contact"]
        assert to[number] == [ticket_email["email"]]


def test_a_submit_racing_back_leaves_no_orphan_row(
    two_servers: tuple[str, str], database_url: str
) -> None:
    import http.cookiejar

    plan = script("phone")
    sessions, outcomes = [], []
    for _ in range(20):
        jar = http.cookiejar.CookieJar()
        first, second = HttpApi(two_servers[0], jar), HttpApi(two_servers[1], jar)
        at = walk(first, plan, until="request")[-1]
        sessions.append(at["session_id"])
        submit = {
            "type": "send",
            "answers": {
                k: v
                for k, v in plan["answers"].items()
                if k in {q["id"] for q in at["view"]["questions"]}
            },
        }
        outcomes.append(_race(first, second, at, (submit, {"type": "back"})))  # fmt: skip
    assert all(outcome == [200, 409] for outcome in outcomes)
    confirmed = _check_no_orphans(Storage(database_url), sessions)
    assert 0 < len(confirmed) <= len(sessions)
