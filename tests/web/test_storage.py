"""Sessions and requests in SQLite and PostgreSQL: compare-and-set, numbering, round trips."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.conftest import need_module

need_module("flask")

from kl_contact_web.storage import Claim, StaleSession, Storage, UnknownSession  # noqa: E402

_SESSION_IDS = itertools.count()

DOCUMENT = {"id": "s-1", "answers": {"name": "Мария Иванова", "email": "maria@example.org"}}


@pytest.fixture
def storage(database_url: str) -> Storage:
    store = Storage(database_url, request_prefix="T-")
    store.create_schema()
    store.create_schema()  # a second worker starting on the same database changes nothing
    return store


def test_a_new_session_is_stored_at_version_one_and_read_back_unchanged(storage: Storage) -> None:
    record = storage.insert_session("s-1", DOCUMENT)
    assert record.version == 1
    again = storage.session("s-1")
    assert (again.id, again.version, again.document) == ("s-1", 1, DOCUMENT)
    with pytest.raises(UnknownSession):
        storage.session("nobody")


def test_a_stale_write_is_refused_and_the_winner_is_kept(storage: Storage) -> None:
    storage.insert_session("s-1", DOCUMENT)
    first = {**DOCUMENT, "step": "first tab"}
    second = {**DOCUMENT, "step": "second tab"}
    assert storage.save_session("s-1", first, expected_version=1).version == 2
    with pytest.raises(StaleSession) as refused:
        storage.save_session("s-1", second, expected_version=1)
    assert (refused.value.expected, refused.value.current) == (1, 2)
    assert storage.session("s-1").document == first
    assert storage.session("s-1").version == 2
    with pytest.raises(UnknownSession):
        storage.save_session("nobody", second, expected_version=1)


def test_of_writers_racing_from_one_version_exactly_one_wins(storage: Storage) -> None:
    storage.insert_session("s-1", DOCUMENT)
    writers = 6
    ready = threading.Barrier(writers, timeout=20)
    outcome: dict[int, str] = {}

    def write(n: int) -> None:
        ready.wait()
        try:
            storage.save_session("s-1", {**DOCUMENT, "writer": n}, expected_version=1)
            outcome[n] = "won"
        except StaleSession:
            outcome[n] = "refused"

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [n for n, result in outcome.items() if result == "won"]
    assert len(outcome) == writers
    assert len(winners) == 1
    stored = storage.session("s-1")
    assert stored.version == 2
    assert stored.document["writer"] == winners[0]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(attempts=st.lists(st.integers(min_value=0, max_value=6), max_size=12))
def test_a_write_succeeds_exactly_when_it_names_the_current_version(
    storage: Storage, attempts: list[int]
) -> None:
    """Whatever versions writers claim to have read, the store behaves like a counter."""
    session_id = f"s-{next(_SESSION_IDS)}"
    storage.insert_session(session_id, {"n": 0})
    current, kept = 1, {"n": 0}
    for n, expected in enumerate(attempts, start=1):
        document = {"n": n}
        if expected == current:
            assert storage.save_session(session_id, document, expected).version == current + 1
            current, kept = current + 1, document
        else:
            with pytest.raises(StaleSession):
                storage.save_session(session_id, document, expected)
    record = storage.session(session_id)
    assert (record.version, record.document) == (current, kept)


def test_a_request_is_numbered_once_per_submission(storage: Storage) -> None:
    ticket: dict[str, Any] = {"subject": "Код не принимается", "contact": {"email": "a@b.example"}}
    first = storage.register_request("s-1:ticket:1", "s-1", "email", ticket)
    again = storage.register_request("s-1:ticket:1", "s-1", "email", ticket)
    other = storage.register_request("s-2:ticket:1", "s-2", "phone", ticket)
    assert first == again != other
    assert first.startswith("T-")
    assert other.startswith("T-")
    record = storage.request(first)
    assert record is not None
    assert (record.session_id, record.channel, record.email_status) == ("s-1", "email", "none")
    assert record.ticket == ticket
    assert storage.request("T-999999") is None
    assert storage.request("X-000001") is None
    assert storage.request("T-abc") is None


def test_records_never_show_their_documents(storage: Storage) -> None:
    storage.insert_session("s-1", DOCUMENT)
    number = storage.register_request("s-1:ticket:1", "s-1", "email", DOCUMENT)
    shown = repr(storage.session("s-1")) + repr(storage.request(number)) + repr(storage)
    assert "maria" not in shown
    assert "Мария" not in shown


def test_an_unknown_database_url_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        Storage("mysql://localhost/contact")


def test_one_claim_per_submission_key_until_it_is_finished_or_its_lease_ends(
    storage: Storage,
) -> None:
    assert storage.claim_submission("k1", 30).state == "mine"
    assert storage.claim_submission("k1", 30).state == "busy"  # another worker waits
    storage.release_submission("k1")  # nothing was created: the next attempt may claim
    assert storage.claim_submission("k1", 30).state == "mine"
    storage.finish_submission("k1", "17")
    assert storage.claim_submission("k1", 30) == Claim("done", "17")
    storage.release_submission("k1")  # a finished submission stays finished
    assert storage.claim_submission("k1", 30) == Claim("done", "17")
    assert storage.claim_submission("k2", -1).state == "mine"  # a lease already over...
    assert storage.claim_submission("k2", 30).state == "mine"  # ...is taken over


def test_racing_claims_give_the_key_to_one_worker(storage: Storage) -> None:
    gate = threading.Barrier(6)
    states: list[str] = []

    def claim() -> None:
        gate.wait()
        states.append(storage.claim_submission("raced", 30).state)

    workers = [threading.Thread(target=claim) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(states) == ["busy"] * 5 + ["mine"]


def test_files_round_trip_as_bytes(storage: Storage) -> None:
    content = bytes(range(256)) + b"\x00" * 10
    digest = storage.store_file("s-f", "a.png", "image/png", content)
    assert storage.store_file("s-f", "a.png", "image/png", content) == digest  # kept once
    kept = storage.file("s-f", digest)
    assert kept is not None
    assert (kept.name, kept.media_type, kept.content) == ("a.png", "image/png", content)
    assert storage.files_kept("s-f") == (1, len(content))
    assert storage.files_kept("s-none") == (0, 0)
    assert "\\x00" not in repr(kept)


def test_a_rating_is_stored_once_per_session_and_step(storage: Storage) -> None:
    storage.insert_session("s-1", DOCUMENT)
    feedback = {
        "session_id": "s-1",
        "workflow": "kl-home-support",
        "step": "resolved",
        "score": 5,
        "at": "2026-11-25T10:00:00+00:00",
        "locale": "ru",
        "channel": "chat",
        "article_id": "kb-1",
        "request_number": None,
        "comment": DOCUMENT["answers"]["name"],
    }
    with storage.step("s-1", 1, 0.0) as step:
        assert step.record_feedback(feedback) is True
        assert step.record_feedback({**feedback, "score": 1}) is False
        step.save(DOCUMENT)

    def failing_step() -> None:
        with storage.step("s-1", 2, 0.0) as step:
            step.record_feedback({**feedback, "step": "confirmation"})
            raise RuntimeError("the step fails: its rating goes with it")

    with pytest.raises(RuntimeError):
        failing_step()
    [stored] = storage.feedback()
    assert (stored.step, stored.score, stored.article_id, stored.channel) == (
        "resolved",
        5,
        "kb-1",
        "chat",
    )
    assert stored.comment == DOCUMENT["answers"]["name"]
    assert DOCUMENT["answers"]["name"] not in repr(stored)
