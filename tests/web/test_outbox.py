"""The outbox: every confirmed request's letter is delivered, once per Message-ID, whatever dies.

The first tests drive one host in this process with a clock the test moves and a mail
server that fails on purpose; the last one kills a real worker with SIGKILL again and again
while clients walk sessions to their confirmation, then checks what the SMTP server got.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from web.conftest import MailSink, WorkerProcess, need_module
from web.walks import FlaskApi, HttpApi, script, walk

need_module("flask")

from kl_contact_web.app import create_app  # noqa: E402
from kl_contact_web.host import Host  # noqa: E402
from kl_contact_web.mail import send_email  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402
from kl_contact_web.storage import Letter, Storage  # noqa: E402

from web.test_host import make_settings  # noqa: E402


class Clock:
    """Seconds since the epoch that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class FlakyMail:
    """An SMTP client that fails its first ``failures`` letters, then delivers for real."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, letter: str, settings: Settings) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionRefusedError("the mail server is away")
        send_email(letter, settings)


def _confirmed(database_url: str, mail: MailSink, mailer: FlakyMail, clock: Clock) -> Host:
    host = Host(make_settings(database_url, mail.port), mailer=mailer, wall_clock=clock)
    final = walk(FlaskApi(create_app(host=host)), script("email"))[-1]
    assert final["view"]["kind"] == "confirmation"
    return host


def test_a_failed_letter_is_retried_with_a_growing_delay_then_sent_once(
    database_url: str, mail_sink: MailSink
) -> None:
    clock, mailer = Clock(), FlakyMail(failures=3)
    host = _confirmed(database_url, mail_sink, mailer, clock)
    [number] = host.storage.message_ids()
    assert host.storage.request(number).email_status == "retrying"  # type: ignore[union-attr]
    assert mailer.calls == 1  # tried at once, before the reply

    waits = []
    for _ in range(3):
        assert host.outbox.run_once() == 0  # not due yet
        start = clock.now
        while host.outbox.run_once() == 0:
            clock.now += 0.25
        waits.append(clock.now - start)
    assert mailer.calls == 4
    assert waits[0] < waits[1] < waits[2]  # the delay doubles (less a little jitter)
    assert host.storage.request(number).email_status == "sent"  # type: ignore[union-attr]
    [(_, letter)] = mail_sink.wait(1)
    assert letter["Message-ID"] == host.storage.message_ids()[number]
    clock.now += 10_000
    assert host.outbox.run_once() == 0  # a sent letter is never sent again
    assert host.storage.outbox_counts() == {"sent": 1}


def test_a_letter_whose_sender_died_is_sent_again_under_the_same_message_id(
    database_url: str, mail_sink: MailSink
) -> None:
    clock = Clock()
    host = Host(make_settings(database_url, mail_sink.port), wall_clock=clock)
    died: list[Letter] = []
    host.outbox.deliver = died.append  # type: ignore[method-assign,assignment]  # then it dies
    walk(FlaskApi(create_app(host=host)), script("phone"))
    del host.outbox.deliver  # a new worker, with the real sender
    [leased] = died  # queued already leased to the worker that confirmed the request
    assert host.outbox.run_once() == 0  # leased: nobody else sends it meanwhile
    assert host.storage.lease(clock.now, 60) is None
    clock.now += host.settings.outbox_lease_seconds + 1
    assert host.outbox.run_once() == 1
    [(_, letter)] = mail_sink.wait(1)
    assert letter["Message-ID"] == leased.message_id
    assert host.storage.mark_sent(leased.message_id, clock.now) is False  # marked once only


def test_a_letter_is_given_up_only_after_every_attempt_and_kept_for_an_operator(
    database_url: str, mail_sink: MailSink
) -> None:
    clock, mailer = Clock(), FlakyMail(failures=10**6)
    host = _confirmed(database_url, mail_sink, mailer, clock)
    for _ in range(host.settings.outbox_max_attempts * 2):
        clock.now += host.settings.outbox_max_delay_seconds + 1
        host.outbox.run_once()
    assert mailer.calls == host.settings.outbox_max_attempts
    assert host.storage.outbox_counts() == {"failed": 1}
    [number] = host.storage.message_ids()
    assert host.storage.request(number).email_status == "failed"  # type: ignore[union-attr]


def test_expired_sessions_are_erased_with_what_the_user_typed(
    database_url: str, mail_sink: MailSink
) -> None:
    clock = Clock()
    host = Host(make_settings(database_url, mail_sink.port), wall_clock=clock)
    api = FlaskApi(create_app(host=host))
    plan = script("email")
    idle = walk(api, plan, until="request")[-1]
    clock.now += host.settings.session_idle_seconds - 1
    busy = walk(api, plan, until="questions")[-1]
    assert api.get(f"/api/sessions/{idle['session_id']}")[0] == 200  # used again: not idle
    clock.now += host.settings.session_idle_seconds + 1
    status, body = api.get(f"/api/sessions/{idle['session_id']}")
    assert (status, body["error"]["code"]) == (404, "session.expired")
    with pytest.raises(LookupError):
        host.storage.session(idle["session_id"])
    # the other one went the same way, erased by the outbox worker's sweep
    assert host.outbox.erase_expired_sessions() == 1
    with pytest.raises(LookupError):
        host.storage.session(busy["session_id"])
    # and however busy, no session outlives its lifetime
    young = walk(api, plan, until="questions")[-1]
    born = clock.now
    while True:
        clock.now += 1800  # used every half hour
        status, body = api.get(f"/api/sessions/{young['session_id']}")
        if status != 200:
            break
    assert (status, body["error"]["code"]) == (404, "session.expired")
    lived = clock.now - born
    assert lived - 1800 <= host.settings.session_lifetime_seconds < lived


# ---------------------------------------------------------------------- kill -9


ROUNDS = 6
CLIENTS = 4


def test_killing_the_worker_again_and_again_loses_no_letter(
    database_url: str, mail_sink: MailSink, tmp_path: Path
) -> None:
    env = {
        "KL_CONTACT_WEB_DATABASE_URL": database_url,
        "KL_CONTACT_WEB_SMTP_PORT": str(mail_sink.port),
        "KL_CONTACT_WEB_SESSIONS_PER_CLIENT": "100000",
        "KL_CONTACT_WEB_OUTBOX_LEASE_SECONDS": "1",
        "KL_CONTACT_WEB_OUTBOX_RETRY_SECONDS": "0.2",
        "KL_CONTACT_WEB_OUTBOX_POLL_SECONDS": "0.1",
    }
    process = WorkerProcess(env, tmp_path / "worker.log")
    process.start()
    stop = threading.Event()
    walks = Counter[str]()

    def client(path: str) -> None:
        while not stop.is_set():
            try:
                walk(HttpApi(process.base), script(path))
                walks["completed"] += 1
            except Exception:  # the worker died under this walk: start another
                walks["broken"] += 1
                time.sleep(0.05)

    load = [
        threading.Thread(target=client, args=(path,))
        for path in ("email", "chat", "phone", "email")[:CLIENTS]
    ]
    try:
        for thread in load:
            thread.start()
        for _ in range(ROUNDS):
            time.sleep(random.uniform(0.8, 2.0))
            process.kill()  # SIGKILL: no handler, no clean-up, mid-whatever
            process.start()
        stop.set()
        for thread in load:
            thread.join(timeout=60)
        storage = Storage(database_url)
        deadline = time.monotonic() + 30
        while storage.outbox_counts().get("pending") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        process.stop()

    assert walks["broken"] >= 1, "no kill landed inside a walk"
    assert storage.outbox_counts().keys() == {"sent"}
    expected = storage.message_ids()  # one letter per committed request, nothing else
    assert len(expected) == len(storage.requests()) >= 10
    time.sleep(0.5)
    delivered = Counter(str(letter["Message-ID"]) for _, letter in mail_sink.letters)
    assert set(delivered) == set(expected.values())  # every letter, and no other
    repeats = sum(count - 1 for count in delivered.values())
    # a letter the SMTP server took just before a kill, not yet marked, goes again under
    # its Message-ID; at most the letters in flight at the kills (the sender thread and
    # each request thread) can be repeated
    assert repeats <= ROUNDS * (CLIENTS + 1), delivered
    print(
        f"\n{len(expected)} requests, {ROUNDS} kills, {walks['broken']} failed walk attempts,"
        f" {sum(delivered.values())} deliveries of {len(delivered)} letters ({repeats} repeats)"
    )
