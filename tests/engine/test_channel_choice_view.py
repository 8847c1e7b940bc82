"""The channel choice's channels are built once per minute and reused: what a session sees
still follows its own minute, time zone and reported waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kl_contact import Continue, Engine, EstimateWait, Transition, WaitEstimated

MORNING = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)  # 09:30 in Moscow: every channel open
EVENING = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # 21:00 in Moscow: the phone just closed


def channel_choice(
    engine: Engine, now: datetime, session_id: str = "c-1", time_zone: str | None = None
) -> Transition:
    first = engine.start(session_id=session_id, now=now, locale="en", time_zone=time_zone)
    return engine.handle(first.session, Continue(), now)


def opening(t: Transition) -> dict[str, tuple[bool, datetime | None, datetime | None]]:
    return {c.id: (c.open, c.opens_at, c.closes_at) for c in t.view.channels}


def test_a_later_minute_shows_its_own_statuses(engine: Engine) -> None:
    morning = channel_choice(engine, MORNING)
    evening = channel_choice(engine, EVENING)
    assert opening(morning)["phone"][0] is True
    assert opening(evening)["phone"][0] is False
    # and back again: the morning's list is the one built for that minute
    assert channel_choice(engine, MORNING).view.channels == morning.view.channels
    # the next morning, every channel is open again, and closes a day later
    tomorrow = channel_choice(engine, MORNING + timedelta(days=1))
    assert [o[0] for o in opening(tomorrow).values()] == [o[0] for o in opening(morning).values()]
    closes = {cid: o[2] for cid, o in opening(morning).items()}
    assert {cid: o[2] for cid, o in opening(tomorrow).items()} == {
        cid: at + timedelta(days=1) if at is not None else None for cid, at in closes.items()
    }


def test_each_time_zone_reads_its_own_times(engine: Engine) -> None:
    moscow = channel_choice(engine, MORNING, time_zone="Europe/Moscow")
    tokyo = channel_choice(engine, MORNING, time_zone="Asia/Tokyo")
    moscow_close, tokyo_close = opening(moscow)["chat"][2], opening(tokyo)["chat"][2]
    assert moscow_close is not None
    assert tokyo_close is not None
    # the same instant, written in each user's zone
    assert (moscow_close.hour, tokyo_close.hour) == (23, 5)
    assert channel_choice(engine, MORNING, time_zone="Europe/Moscow").view == moscow.view


def test_a_reported_wait_shows_only_on_its_own_session(engine: Engine) -> None:
    asked = channel_choice(engine, MORNING, session_id="c-2")
    (estimate,) = asked.effects
    assert isinstance(estimate, EstimateWait)
    reported = engine.handle(asked.session, WaitEstimated(estimate.estimate_id, "chat", 7), MORNING)
    other = channel_choice(engine, MORNING, session_id="c-3")
    assert {c.id: c.wait_minutes for c in reported.view.channels}["chat"] == 7
    assert {c.id: c.wait_minutes for c in other.view.channels}["chat"] is None
