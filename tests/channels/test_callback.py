"""Callback slots from opening hours: inside the hours, ahead, bounded, unique, DST-safe."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_contact import Availability, CallbackOffer, Schedule, callback_slots
from kl_contact.channels.callback import (
    MAX_CALLBACK_SLOTS,
    offered_slots,
    slot_id,
    slot_label,
    slot_start,
)
from kl_contact.channels.hours import DatedHours, Period, WeeklyPeriod, channel_status
from kl_contact.definition.loader import default_workflow

MSK = ZoneInfo("Europe/Moscow")
WEEKDAYS = (0, 1, 2, 3, 4)
PHONE = Availability(
    Schedule(
        "Europe/Moscow",
        weekly=(WeeklyPeriod(WEEKDAYS, Period(time(9), time(21))),),
        exceptions=(DatedHours(date(2026, 12, 31), (Period(time(9), time(15)),)),),
    )
)


def offer(slot_minutes: int = 30, days: int = 3) -> CallbackOffer:
    return CallbackOffer(slot_minutes=slot_minutes, days=days, instructions=())


def test_a_weekend_offers_the_next_working_days_from_their_opening() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    slots = callback_slots(PHONE, offer(days=3), saturday)
    starts = [s.starts_at for s in slots]
    assert starts[0] == datetime(2026, 11, 30, 9, 0, tzinfo=MSK)
    assert starts[23] == datetime(2026, 11, 30, 20, 30, tzinfo=MSK)  # the last of Monday
    assert starts[24] == datetime(2026, 12, 1, 9, 0, tzinfo=MSK)
    # three days of 24 hours from Saturday 15:00 Moscow end on Tuesday at 15:00
    assert starts[-1] == datetime(2026, 12, 1, 14, 30, tzinfo=MSK)
    assert len(slots) == 24 + 12


def test_a_slot_under_way_is_skipped_and_the_rest_stay_on_the_same_grid() -> None:
    during = datetime(2026, 11, 30, 9, 40, tzinfo=MSK)
    slots = callback_slots(PHONE, offer(slot_minutes=45, days=1), during)
    assert slots[0].starts_at == datetime(2026, 11, 30, 9, 45, tzinfo=MSK)  # 9:00-9:45 has begun
    assert slots[1].starts_at == datetime(2026, 11, 30, 10, 30, tzinfo=MSK)
    # 20:15-21:00 is the last whole slot before the line closes at 21:00
    assert [s for s in slots if s.starts_at.date() == during.date()][-1].ends_at == datetime(
        2026, 11, 30, 21, 0, tzinfo=MSK
    )


def test_a_short_eve_gives_only_its_own_hours() -> None:
    eve = datetime(2026, 12, 31, 8, 0, tzinfo=MSK)
    slots = callback_slots(PHONE, offer(slot_minutes=60, days=1), eve)
    assert [s.starts_at.hour for s in slots] == [9, 10, 11, 12, 13, 14]


def test_slots_are_shown_in_the_users_time_zone_and_named_by_their_utc_start() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    (first, *_) = callback_slots(PHONE, offer(), saturday, "Asia/Tokyo")
    assert first.starts_at.isoformat() == "2026-11-30T15:00:00+09:00"
    assert first.id == "20261130T0600Z" == slot_id(first.starts_at)
    assert slot_start(first.id) == first.starts_at
    assert slot_label(first, "en") == "2026-11-30 15:00–15:30 (UTC+09:00)"
    assert slot_label(first, "ru") == "30.11.2026 15:00–15:30 (UTC+09:00)"


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "20261130T0600", "20261332T0600Z", "20261130T2560Z", "x" * 300]
)
def test_what_is_not_a_slot_id_names_no_start(text: str) -> None:
    assert slot_start(text) is None


def test_a_line_without_hours_offers_nothing_and_a_naive_now_is_refused() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert callback_slots(Availability(), offer(), now) == ()
    always = Availability(Schedule("UTC", always_open=True))
    assert callback_slots(always, offer(), now) == ()
    with pytest.raises(ValueError, match="timezone-aware"):
        callback_slots(PHONE, offer(), datetime(2026, 11, 28, 12, 0))


def test_the_list_is_bounded() -> None:
    round_the_clock = Availability(
        Schedule("UTC", weekly=(WeeklyPeriod(tuple(range(7)), Period(time(0), time(0))),))
    )
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    slots = callback_slots(round_the_clock, offer(slot_minutes=10, days=14), now)
    assert len(slots) == MAX_CALLBACK_SLOTS
    assert slots[0].starts_at == datetime(2026, 11, 28, 12, 10, tzinfo=UTC)


def test_the_default_phone_line_offers_slots_only_while_it_is_closed() -> None:
    workflow = default_workflow()
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 13:00 in Moscow: open
    assert offered_slots(workflow, "phone", wednesday, None, None) == ()
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    slots = offered_slots(workflow, "phone", saturday, None, "Nowhere/Unknown")
    assert slots
    assert slots[0].starts_at.utcoffset() == timedelta(hours=3)  # the line's own zone
    assert offered_slots(workflow, "email", saturday, None, None) == ()  # no callback there


# ------------------------------------------------------------------ properties

ZONES = [
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # a half-hour daylight saving shift
    "Asia/Kolkata",
    "UTC",
]
clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
weekly = st.builds(
    WeeklyPeriod,
    st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True).map(tuple),
    st.builds(Period, clock, clock),  # closes <= opens runs past midnight
)
exceptions = st.lists(
    st.builds(
        DatedHours,
        st.dates(date(2026, 3, 20), date(2026, 11, 10)),
        st.lists(st.builds(Period, clock, clock), max_size=2).map(tuple),
    ),
    max_size=3,
    unique_by=lambda d: d.date,
).map(tuple)
schedules = st.builds(
    Schedule,
    st.sampled_from(ZONES),
    st.lists(weekly, min_size=1, max_size=3).map(tuple),
    exceptions,
)
# instants around the spring and autumn changes of daylight saving time, and in between
instants = st.datetimes(datetime(2026, 3, 20), datetime(2026, 11, 10), timezones=st.just(UTC)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules,
    now=instants,
    slot_minutes=st.sampled_from([10, 15, 30, 45, 60, 90, 240]),
    days=st.integers(1, 4),
    shown=st.sampled_from(ZONES),
)
def test_every_slot_is_inside_the_hours_ahead_and_unique(
    schedule: Schedule, now: datetime, slot_minutes: int, days: int, shown: str
) -> None:
    hours = Availability(schedule)
    slots = callback_slots(hours, offer(slot_minutes, days), now, shown)
    length = timedelta(minutes=slot_minutes)
    assert len({s.id for s in slots}) == len(slots)  # no duplicates
    # compared in UTC: two wall times of one zone compare as wall times, even across DST
    starts = [s.starts_at.astimezone(UTC) for s in slots]
    assert starts == sorted(starts)
    for earlier, later in itertools.pairwise(slots):
        assert earlier.ends_at.astimezone(UTC) <= later.starts_at.astimezone(UTC)  # no overlap
    for slot in slots:
        assert now < slot.starts_at < now + timedelta(days=days)
        # as long in absolute time as asked, across a change of daylight saving time too
        assert slot.ends_at.astimezone(UTC) - slot.starts_at.astimezone(UTC) == length
        assert slot.starts_at.tzinfo == ZoneInfo(shown)
        assert slot_start(slot.id) == slot.starts_at.astimezone(UTC)  # an ambiguous hour too
        status = channel_status(hours, "phone", slot.starts_at)
        assert status.open, slot  # open at the start...
        assert status.closes_at is not None
        assert status.closes_at >= slot.ends_at  # ...to the end


@settings(max_examples=100, deadline=None)
@given(schedule=schedules, now=instants, days=st.integers(1, 3))
def test_a_whole_open_hour_ahead_always_holds_a_slot(
    schedule: Schedule, now: datetime, days: int
) -> None:
    """No open time is lost: wherever the line stays open for two slot lengths inside the
    window, a slot starts within them (slots are laid end to end from each opening)."""
    hours = Availability(schedule)
    slots = callback_slots(hours, offer(30, days), now)
    step = timedelta(minutes=30)
    moment = now + step
    while moment + 2 * step <= now + timedelta(days=days):
        status = channel_status(hours, "phone", moment)
        if status.open and status.closes_at is not None and status.closes_at >= moment + 2 * step:
            assert any(moment <= s.starts_at < moment + step * 2 for s in slots), moment
        moment += timedelta(hours=5)
