"""The drivers perform effects with the host's callables and never lose a session.

A callable that raises, returns the wrong thing or runs past the timeout becomes the engine's
failure event; the user can go on from there. The synchronous and asyncio drivers follow the
same contract, which a property test checks by running both on the same failures.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, receipt_for, script
from kl_contact import (
    AddInformation,
    ArticleMatch,
    AsyncDriver,
    Continue,
    Driver,
    Engine,
    Feedback,
    FindRequest,
    FollowUp,
    FollowUpState,
    LookUpRequest,
    Rate,
    Receipt,
    RequestStatus,
    SendRegistrationEmail,
    ServiceUnavailable,
    Ticket,
    Transition,
    default_workflow,
    dump_session,
)
from kl_contact.articles.model import ArticleQuery

MATCH = ArticleMatch(id="kb-7", title="Activation", url="https://example.com/kb/7", score=0.9)


def ok_search(query: ArticleQuery, limit: int) -> list[ArticleMatch]:
    return [MATCH][:limit]


def ok_submit(ticket: Ticket) -> Receipt:
    return receipt_for(ticket.channel)


class FailureLog(list[tuple[str, str]]):
    """An ``on_failure`` callable that keeps (effect class, reason) pairs."""

    def __call__(self, effect: object, reason: str) -> None:
        self.append((type(effect).__name__, reason))

    @property
    def reasons(self) -> list[str]:
        return [reason for _, reason in self]


def broken(*args: Any) -> Any:
    raise ConnectionError("backend down")


def walk(driver: Driver, channel: str = "email") -> list[Transition]:
    transitions = [driver.start(session_id="drv-1", now=NOW, locale="en")]
    for event in script(channel, "en"):
        transitions.append(driver.handle(transitions[-1].session, event, NOW))
    return transitions


async def walk_async(driver: AsyncDriver, channel: str = "email") -> list[Transition]:
    transitions = [await driver.start(session_id="drv-1", now=NOW, locale="en")]
    for event in script(channel, "en"):
        transitions.append(await driver.handle(transitions[-1].session, event, NOW))
    return transitions


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_sync_driver_walks_to_the_confirmation(engine: Engine, channel: str) -> None:
    notices: list[SendRegistrationEmail] = []
    driver = Driver(engine, search=ok_search, submit=ok_submit, notify=notices.append)
    last = walk(driver, channel)[-1]
    assert last.view.kind == "confirmation"
    assert last.session.request_number == "INC-000042"
    assert [n.receipt.request_number for n in notices] == ["INC-000042"]
    assert [type(e).__name__ for e in last.effects] == ["SubmitTicket", "SendRegistrationEmail"]


def test_a_failing_search_becomes_articles_failed_and_the_walk_goes_on(engine: Engine) -> None:
    failures = FailureLog()
    driver = Driver(engine, search=broken, submit=ok_submit, on_failure=failures)
    transitions = walk(driver)
    at_articles = next(t for t in transitions if t.session.articles.search_id is not None)
    assert at_articles.session.articles.status == "failed"
    assert failures == [("SearchArticles", "error")]
    assert transitions[-1].view.kind == "confirmation"


def test_a_search_that_returns_garbage_is_an_error(engine: Engine) -> None:
    driver = Driver(engine, search=lambda q, n: [{"id": "kb-1"}], submit=ok_submit)
    transitions = walk(driver)
    assert any(t.session.articles.status == "failed" for t in transitions)
    assert transitions[-1].view.kind == "confirmation"


def test_a_failing_submit_is_a_rejection_that_keeps_every_answer(engine: Engine) -> None:
    driver = Driver(engine, search=ok_search, submit=broken)
    last = walk(driver)[-1]
    assert last.session.status == "active"
    assert last.session.submission is not None
    assert last.session.submission.rejection == "error"
    assert [issue.code for issue in last.view.issues] == ["ticket.rejected"]
    assert last.session.answers["email"] == "jane.roe@example.org"
    # the backend recovers: sending again gets the receipt
    driver.submit = ok_submit
    again = driver.handle(last.session, script("email", "en")[-1], NOW)
    assert again.view.kind == "confirmation"


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_a_backend_that_is_down_is_an_unavailable_rejection(
    engine: Engine, timeout: float | None
) -> None:
    """A callable that raises ServiceUnavailable says the service is down: the rejection's
    reason is ``unavailable`` (try again later), in a worker thread or not."""

    def down(ticket: Ticket) -> Receipt:
        raise ServiceUnavailable("the helpdesk does not answer")

    failures = FailureLog()
    driver = Driver(engine, ok_search, down, timeout=timeout, on_failure=failures)
    last = walk(driver)[-1]
    assert failures == [("SubmitTicket", "unavailable")]
    assert last.session.submission is not None
    assert last.session.submission.rejection == "unavailable"


def test_a_submit_returning_no_receipt_is_a_rejection(engine: Engine) -> None:
    driver = Driver(engine, search=ok_search, submit=lambda ticket: "INC-1")
    last = walk(driver)[-1]
    assert last.session.submission is not None
    assert last.session.submission.status == "rejected"


def test_a_failing_notice_is_reported_and_the_confirmation_stands(engine: Engine) -> None:
    failures = FailureLog()
    driver = Driver(engine, ok_search, ok_submit, notify=broken, on_failure=failures)
    assert walk(driver)[-1].view.kind == "confirmation"
    assert failures == [("SendRegistrationEmail", "error")]


def test_a_hanging_callable_times_out_in_the_sync_driver(engine: Engine) -> None:
    release = threading.Event()

    def hanging_submit(ticket: Ticket) -> Receipt:
        release.wait(30)
        return ok_submit(ticket)

    failures = FailureLog()
    driver = Driver(engine, ok_search, hanging_submit, timeout=0.05, on_failure=failures)
    try:
        last = walk(driver)[-1]
    finally:
        release.set()
    assert failures == [("SubmitTicket", "timeout")]
    assert last.session.submission is not None
    assert last.session.submission.rejection == "timeout"


def test_a_callable_within_the_timeout_is_used(engine: Engine) -> None:
    driver = Driver(engine, search=ok_search, submit=ok_submit, timeout=30)
    assert walk(driver)[-1].view.kind == "confirmation"


def test_a_raising_callable_under_a_timeout_is_an_error(engine: Engine) -> None:
    driver = Driver(engine, search=broken, submit=ok_submit, timeout=30)
    assert any(t.session.articles.status == "failed" for t in walk(driver))


@pytest.mark.parametrize("bad", [0, -1.5])
def test_a_timeout_must_be_positive(engine: Engine, bad: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        Driver(engine, search=ok_search, submit=ok_submit, timeout=bad)
    with pytest.raises(ValueError, match="timeout"):
        AsyncDriver(engine, search=ok_search, submit=ok_submit, timeout=bad)  # type: ignore[arg-type]


def test_async_driver_walks_with_coroutines(engine: Engine) -> None:
    notices: list[str] = []

    async def search(query: ArticleQuery, limit: int) -> list[ArticleMatch]:
        await asyncio.sleep(0)
        return [MATCH]

    async def submit(ticket: Ticket) -> Receipt:
        await asyncio.sleep(0)
        return receipt_for(ticket.channel)

    async def notify(effect: SendRegistrationEmail) -> None:
        notices.append(effect.receipt.request_number)

    driver = AsyncDriver(engine, search=search, submit=submit, notify=notify)
    last = asyncio.run(walk_async(driver, "chat"))[-1]
    assert last.view.kind == "confirmation"
    assert notices == ["INC-000042"]


def test_async_driver_cancels_a_hanging_call_and_rejects(engine: Engine) -> None:
    cancelled: list[bool] = []

    async def hanging_search(query: ArticleQuery, limit: int) -> list[ArticleMatch]:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return []

    async def failing_submit(ticket: Ticket) -> Receipt:
        raise ConnectionError("backend down")

    failures = FailureLog()
    driver = AsyncDriver(engine, hanging_search, failing_submit, timeout=0.05, on_failure=failures)
    last = asyncio.run(walk_async(driver))[-1]
    assert cancelled == [True]
    assert failures.reasons == ["timeout", "error"]
    assert last.session.submission is not None
    assert last.session.submission.rejection == "error"
    assert last.session.answers["name"] == "Jane Roe"


Outcome = st.sampled_from(["ok", "raise", "garbage"])


def _callables(search_outcome: str, submit_outcome: str) -> tuple[Callable[..., Any], ...]:
    def search(query: ArticleQuery, limit: int) -> Any:
        if search_outcome == "raise":
            raise RuntimeError("search down")
        return [MATCH] if search_outcome == "ok" else 42

    def submit(ticket: Ticket) -> Any:
        if submit_outcome == "raise":
            raise RuntimeError("submit down")
        return ok_submit(ticket) if submit_outcome == "ok" else None

    return search, submit


@settings(max_examples=25, deadline=None)
@given(search_outcome=Outcome, submit_outcome=Outcome, channel=st.sampled_from(["email", "phone"]))
def test_sync_and_async_drivers_agree(
    workflow: Any, search_outcome: str, submit_outcome: str, channel: str
) -> None:
    engine = Engine(workflow)
    search, submit = _callables(search_outcome, submit_outcome)
    sync_walk = walk(Driver(engine, search=search, submit=submit), channel)

    async def as_coroutine(fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    async_driver = AsyncDriver(
        engine,
        search=lambda q, n: as_coroutine(search, q, n),
        submit=lambda t: as_coroutine(submit, t),
    )
    async_walk = asyncio.run(walk_async(async_driver, channel))
    assert [dump_session(t.session) for t in sync_walk] == [
        dump_session(t.session) for t in async_walk
    ]
    assert sync_walk[-1].view.kind == async_walk[-1].view.kind
    # whatever failed, the user's details are all still there
    assert sync_walk[-1].session.answers["email"] == "jane.roe@example.org"


def test_the_definitions_min_score_and_limit_hold_for_any_search_service() -> None:
    from datetime import datetime

    from kl_contact import (
        ArticleMatch,
        ChooseChannel,
        Continue,
        Engine,
        Next,
        Receipt,
        SearchArticles,
        default_workflow,
    )
    from kl_contact.driver import Driver

    workflow = default_workflow()
    scores = [5.0, workflow.articles.min_score, workflow.articles.min_score / 2, 0.0] + [3.0] * 9

    def search(query, limit):  # type: ignore[no-untyped-def]
        return [
            ArticleMatch(id=f"a{i}", title="t", url="https://example.com/a", score=s)
            for i, s in enumerate(scores)
        ]

    def submit(ticket):  # type: ignore[no-untyped-def]
        return Receipt(request_number="R-1", channel=ticket.channel)

    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    driver = Driver(Engine(workflow), search=search, submit=submit)
    t = driver.start(session_id="ms-1", now=now, locale="en")
    t = driver.handle(t.session, Continue(), now)
    t = driver.handle(t.session, ChooseChannel("email"), now)
    answers = {"product": "plus", "platform": "windows", "category": "vpn", "subject": "VPN drops"}
    t = driver.handle(t.session, Next(answers), now)
    effect = next(e for e in t.effects if isinstance(e, SearchArticles))
    assert effect.min_score == workflow.articles.min_score > 0
    assert t.view.articles is not None
    shown = t.view.articles.matches
    assert all(m.score >= workflow.articles.min_score for m in shown)
    assert [m.id for m in shown][:2] == ["a0", "a1"]
    assert len(shown) == workflow.articles.limit


def test_a_rating_goes_to_the_record_callable_and_a_failing_one_is_reported(
    engine: Engine,
) -> None:
    stored: list[Feedback] = []
    driver = Driver(engine, ok_search, ok_submit, record=stored.append)
    final = walk(driver)[-1]
    rated = driver.handle(final.session, Rate(5, "fine"), NOW)
    [feedback] = stored
    assert (feedback.step, feedback.score, feedback.comment) == ("confirmation", 5, "fine")
    assert feedback.request_number == final.session.request_number
    assert [type(e).__name__ for e in rated.effects] == ["RecordFeedback"]
    failures = FailureLog()
    failing = Driver(engine, ok_search, ok_submit, record=broken, on_failure=failures)
    kept = failing.handle(final.session, Rate(3), NOW)
    assert failures == [("RecordFeedback", "error")]
    assert kept.session.ratings[0].score == 3  # the session holds the rating all the same


def test_async_driver_awaits_the_record_callable(engine: Engine) -> None:
    stored: list[int] = []

    async def record(feedback: Feedback) -> None:
        await asyncio.sleep(0)
        stored.append(feedback.score)

    async def run() -> Transition:
        driver = AsyncDriver(engine, search=_async(ok_search), submit=_async(ok_submit),
                             record=record)  # fmt: skip
        final = (await walk_async(driver))[-1]
        return await driver.handle(final.session, Rate(2), NOW)

    assert asyncio.run(run()).session.ratings[0].score == 2
    assert stored == [2]


def _async(fn: Callable[..., Any]) -> Callable[..., Any]:
    async def call(*args: Any) -> Any:
        return fn(*args)

    return call


def test_both_drivers_start_with_prefilled_answers(engine: Engine) -> None:
    known = {"product": "premium", "platform": "android"}
    driver = Driver(engine, search=ok_search, submit=ok_submit)
    started = driver.start(session_id="drv-p", now=NOW, locale="en", prefill=known)
    assert started.session.prefilled == ("product", "platform")

    async def start_async() -> Transition:
        driver = AsyncDriver(engine, search=ok_search, submit=ok_submit)  # type: ignore[arg-type]
        return await driver.start(session_id="drv-p", now=NOW, locale="en", prefill=known)

    assert asyncio.run(start_async()).session == started.session


# ---------------------------------------------------------------------- follow-up


def _on_follow_up(driver: Driver | AsyncDriver) -> Any:
    started = driver.engine.start(session_id="d-fu", now=NOW, locale="en")
    at_channels = driver.engine.handle(started.session, Continue(), NOW)
    return driver.engine.handle(at_channels.session, FollowUp(), NOW)


FOUND_ANSWERS = {"follow_up_number": "KL-5", "follow_up_email": "sam@example.com"}


def test_the_driver_answers_a_lookup_and_hands_additions_to_update() -> None:
    asked: list[LookUpRequest] = []
    updates: list[object] = []

    def look_up(effect: LookUpRequest) -> RequestStatus | None:
        asked.append(effect)
        return RequestStatus(effect.request_number, FollowUpState.OPEN)

    driver = Driver(
        Engine(default_workflow()), ok_search, ok_submit, look_up=look_up, update=updates.append
    )
    t = driver.handle(_on_follow_up(driver).session, FindRequest(FOUND_ANSWERS), NOW)
    assert [e.request_number for e in asked] == ["KL-5"]
    assert t.view.follow_up is not None
    assert t.view.follow_up.status == "found"
    done = driver.handle(t.session, AddInformation({"follow_up_text": "More."}), NOW)
    assert [type(u).__name__ for u in updates] == ["AddToRequest"]
    assert done.session.status == "resolved"


@pytest.mark.parametrize("look_up", [None, broken, lambda effect: "not a status"])
def test_a_lookup_that_cannot_be_made_is_unavailable_and_gives_the_attempt_back(
    look_up: Callable[..., Any] | None,
) -> None:
    extra = {} if look_up is None else {"look_up": look_up}
    driver = Driver(Engine(default_workflow()), ok_search, ok_submit, **extra)
    t = driver.handle(_on_follow_up(driver).session, FindRequest(FOUND_ANSWERS), NOW)
    assert [i.code for i in t.view.issues] == ["follow_up.unavailable"]
    assert t.session.follow_up.attempts == 0


def test_the_async_driver_answers_nothing_found_as_not_found() -> None:
    async def look_up(effect: LookUpRequest) -> RequestStatus | None:
        return None

    async def run() -> Any:
        driver = AsyncDriver(Engine(default_workflow()), ok_search, ok_submit, look_up=look_up)
        return await driver.handle(_on_follow_up(driver).session, FindRequest(FOUND_ANSWERS), NOW)

    t = asyncio.run(run())
    assert [i.code for i in t.view.issues] == ["follow_up.not_found"]
    assert t.session.follow_up.attempts == 1
