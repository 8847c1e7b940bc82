"""Workers keep no state: two backend processes on one database serve the same session.

This is how a deployment grows: more worker processes on the database it already runs. A
session started on one worker continues on the other, and two workers writing the same
version at once never both win.
"""

from __future__ import annotations

import http.cookiejar
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.conftest import MailSink, need_module, worker
from web.walks import HttpApi, next_event, script, send, walk

need_module("waitress")

JSON = dict[str, Any]


@pytest.fixture
def two_workers(
    database_url: str, mail_sink: MailSink, tmp_path: Path
) -> Iterator[tuple[HttpApi, HttpApi]]:
    env = {
        "KL_CONTACT_WEB_DATABASE_URL": database_url,
        "KL_CONTACT_WEB_SMTP_PORT": str(mail_sink.port),
        "KL_CONTACT_WEB_REQUEST_PREFIX": "TWO-",
    }
    with (
        worker(env, tmp_path / "first.log") as first,
        worker(env, tmp_path / "second.log") as second,
    ):
        browser = http.cookiejar.CookieJar()  # one client: the capability goes to both workers
        yield HttpApi(first, browser), HttpApi(second, browser)


def test_a_session_started_on_one_worker_is_continued_on_the_other(
    two_workers: tuple[HttpApi, HttpApi], mail_sink: MailSink
) -> None:
    first, second = two_workers
    plan = script("phone")
    on_first = walk(first, plan, until="questions")[-1]
    assert on_first["view"]["kind"] == "questions"

    status, seen_by_second = second.get(f"/api/sessions/{on_first['session_id']}")
    assert status == 200
    assert seen_by_second == on_first

    final = walk(second, plan, resume=seen_by_second)[-1]
    confirmation = final["view"]["confirmation"]
    assert confirmation["request_number"].startswith("TWO-")
    assert confirmation["channel"] == "phone"
    assert first.get(f"/api/sessions/{on_first['session_id']}") == (200, final)

    # the first worker still holds an old version: its write is refused, not applied
    status, stale = send(first, on_first, next_event(on_first["view"], plan))
    assert status == 409
    assert stale["error"]["code"] == "session.conflict"
    assert stale["view"] == final["view"]

    [(recipients, letter)] = mail_sink.wait(1)
    assert recipients == [plan["answers"]["email"]]
    assert confirmation["request_number"] in letter["Subject"]


def test_two_workers_writing_the_same_version_at_once_never_both_win(
    two_workers: tuple[HttpApi, HttpApi],
) -> None:
    first, second = two_workers
    plan = script("email")
    for _ in range(3):  # a few rounds, each a fresh race on the same version
        at = walk(first, plan, until="questions")[-1]
        results: dict[str, tuple[int, JSON]] = {}
        ready = threading.Barrier(2, timeout=20)

        def post(
            name: str,
            api: HttpApi,
            reply: JSON = at,
            ready: threading.Barrier = ready,
            results: dict[str, tuple[int, JSON]] = results,
        ) -> None:
            ready.wait()
            results[name] = send(api, reply, next_event(reply["view"], plan))

        threads = [
            threading.Thread(target=post, args=("first", first)),
            threading.Thread(target=post, args=("second", second)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 409], results
        winner = next(body for status, body in results.values() if status == 200)
        loser = next(body for status, body in results.values() if status == 409)
        assert loser["version"] == winner["version"] > at["version"]
        assert first.get(f"/api/sessions/{at['session_id']}") == (200, winner)


def _processes_serving(port: int) -> list[int]:
    """The pids whose command line names ``--port PORT`` (a parent and its forked workers)."""
    wanted = f"--port\0{port}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if wanted in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_worker_processes_on_one_socket_all_serve_and_any_continues_a_session(
    database_url: str, mail_sink: MailSink, tmp_path: Path
) -> None:
    env = {
        "KL_CONTACT_WEB_DATABASE_URL": database_url,
        "KL_CONTACT_WEB_SMTP_PORT": str(mail_sink.port),
        "KL_CONTACT_WEB_PROCESSES": "2",
        "KL_CONTACT_WEB_THREADS": "2",
    }
    with worker(env, tmp_path / "forked.log") as base:
        api = HttpApi(base)
        pids = _processes_serving(int(base.rsplit(":", 1)[1]))
        assert len(pids) == 3  # the parent that holds the socket, and two workers
        before = {pid: _cpu_ticks(pid) for pid in pids}
        plans = [script(path) for path in ("email", "chat", "phone")] * 4
        finals: list[JSON] = []

        def one(plan: JSON) -> None:
            finals.append(walk(api, plan)[-1])

        threads = [threading.Thread(target=one, args=(plan,)) for plan in plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(finals) == len(plans)
        assert all(final["view"]["kind"] == "confirmation" for final in finals)
        busy = sorted(_cpu_ticks(pid) - before[pid] for pid in pids)
        assert busy[-2] > 0  # the second busiest process did work too: both workers serve
        mail_sink.wait(len(plans))
