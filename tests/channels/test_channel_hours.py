"""Support hours at fixed instants: open, closed, the next opening, holidays, DST, midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_contact.channels.hours import (
    Availability,
    DatedHours,
    Period,
    Schedule,
    WeeklyPeriod,
    availability_from_data,
    channel_status,
    channel_statuses,
)

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = (0, 1, 2, 3, 4)

PHONE = Availability(
    Schedule(
        "Europe/Moscow",
        weekly=(WeeklyPeriod(WEEKDAYS, Period(time(9), time(21))),),
        exceptions=(
            DatedHours(date(2026, 12, 31), (Period(time(9), time(15)),)),
            DatedHours(date(2027, 1, 1)),
            DatedHours(date(2027, 1, 2)),
        ),
    ),
    choosable_when_closed=False,
    suggest=("email",),
)


def at(year: int, month: int, day: int, hour: int, minute: int = 0, tz: ZoneInfo = MSK) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def test_open_during_weekday_hours_with_the_closing_time() -> None:
    status = channel_status(PHONE, "phone", at(2026, 11, 25, 12))  # Wednesday
    assert status.open
    assert status.choosable
    assert status.closes_at == at(2026, 11, 25, 21)
    assert status.opens_at is None


def test_closed_after_hours_opens_next_morning() -> None:
    status = channel_status(PHONE, "phone", at(2026, 11, 25, 21))  # the closing instant
    assert not status.open
    assert not status.choosable
    assert status.opens_at == at(2026, 11, 26, 9)
    assert status.suggest == ("email",)


def test_next_opening_across_a_weekend() -> None:
    friday_night = at(2026, 11, 27, 22)
    status = channel_status(PHONE, "phone", friday_night)
    assert not status.open
    assert status.opens_at == at(2026, 11, 30, 9)  # Monday
    assert status.opens_at is not None
    assert status.opens_at.weekday() == 0


def test_holidays_and_a_short_eve() -> None:
    eve = channel_status(PHONE, "phone", at(2026, 12, 31, 16))
    assert not eve.open  # closes at 15:00 that day, not 21:00
    assert eve.opens_at == at(2027, 1, 4, 9)  # 1 Jan and 2 Jan closed, 3 Jan a Sunday
    assert channel_status(PHONE, "phone", at(2026, 12, 31, 14)).closes_at == at(2026, 12, 31, 15)
    assert not channel_status(PHONE, "phone", at(2027, 1, 1, 12)).open


def test_an_extra_working_day_on_a_saturday() -> None:
    extra = Availability(
        Schedule(
            "Europe/Moscow",
            weekly=PHONE.schedule.weekly if PHONE.schedule else (),
            exceptions=(DatedHours(date(2026, 11, 28), (Period(time(10), time(14)),)),),
        )
    )
    assert channel_status(extra, "phone", at(2026, 11, 28, 11)).open
    assert channel_status(extra, "phone", at(2026, 11, 27, 22)).opens_at == at(2026, 11, 28, 10)


def test_opening_time_is_shown_in_the_users_time_zone() -> None:
    status = channel_status(PHONE, "phone", at(2026, 11, 27, 22), time_zone="Asia/Vladivostok")
    assert status.opens_at is not None
    assert status.opens_at.isoformat() == "2026-11-30T16:00:00+10:00"
    assert status.opens_at == at(2026, 11, 30, 9)  # the same instant


BERLIN_DESK = Availability(
    Schedule("Europe/Berlin", weekly=(WeeklyPeriod((6,), Period(time(1), time(5))),))
)


def test_dst_spring_forward_shortens_the_night_shift() -> None:
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST; 01:00-05:00 local is three real hours.
    status = channel_status(BERLIN_DESK, "desk", datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    assert status.open  # 01:30 CET
    assert status.closes_at == datetime(2026, 3, 29, 5, tzinfo=BERLIN)
    assert status.closes_at is not None
    assert status.closes_at.astimezone(UTC) == datetime(2026, 3, 29, 3, tzinfo=UTC)


def test_dst_switch_moves_the_next_opening_in_utc() -> None:
    weekday = Availability(
        Schedule("Europe/Berlin", weekly=(WeeklyPeriod(WEEKDAYS, Period(time(9), time(17))),))
    )
    # Friday 27 March evening (CET, UTC+1) -> Monday 30 March 09:00 CEST (UTC+2).
    status = channel_status(weekday, "desk", datetime(2026, 3, 27, 18, tzinfo=UTC))
    assert status.opens_at is not None
    assert status.opens_at.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    # The autumn switch: Monday 26 October 09:00 CET is 08:00 UTC.
    status = channel_status(weekday, "desk", datetime(2026, 10, 23, 18, tzinfo=UTC))
    assert status.opens_at is not None
    assert status.opens_at.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)


def test_midnight_crossing_hours() -> None:
    night = Availability(
        Schedule("Europe/Moscow", weekly=(WeeklyPeriod((4,), Period(time(20), time(2))),))
    )
    # Friday 20:00 to Saturday 02:00.
    assert channel_status(night, "chat", at(2026, 11, 27, 23)).open
    saturday = channel_status(night, "chat", at(2026, 11, 28, 1, 59))
    assert saturday.open
    assert saturday.closes_at == at(2026, 11, 28, 2)
    closed = channel_status(night, "chat", at(2026, 11, 28, 2))
    assert not closed.open
    assert closed.opens_at == at(2026, 12, 4, 20)


def test_back_to_back_periods_close_at_the_end_of_the_last() -> None:
    split = Availability(
        Schedule(
            "UTC",
            weekly=(
                WeeklyPeriod((0,), Period(time(20), time(0))),
                WeeklyPeriod((1,), Period(time(0), time(6))),
            ),
        )
    )
    status = channel_status(split, "chat", datetime(2026, 11, 23, 22, tzinfo=UTC))
    assert status.closes_at == datetime(2026, 11, 24, 6, tzinfo=UTC)


def test_always_open_and_no_hours() -> None:
    now = at(2027, 1, 1, 3)
    assert channel_status(None, "email", now).open
    always = Availability(Schedule("UTC", always_open=True))
    assert channel_status(always, "email", now).open


def test_regional_hours_replace_the_default_ones() -> None:
    regional = Availability(
        PHONE.schedule,
        regions={
            "KZ": Schedule(
                "Asia/Almaty", weekly=(WeeklyPeriod(WEEKDAYS, Period(time(9), time(18))),)
            )
        },
    )
    # 07:30 Moscow = 09:30 Almaty (UTC+5) on a Wednesday.
    now = at(2026, 11, 25, 7, 30)
    assert not channel_status(regional, "phone", now).open
    assert channel_status(regional, "phone", now, region="KZ").open
    assert channel_status(regional, "phone", now, region="XX").open is False


def test_suggestions_keep_only_channels_choosable_now() -> None:
    chat_hours = Availability(
        Schedule("Europe/Moscow", weekly=(WeeklyPeriod(WEEKDAYS, Period(time(9), time(21))),)),
        choosable_when_closed=False,
    )
    phone = Availability(PHONE.schedule, choosable_when_closed=False, suggest=("chat", "email"))
    result = channel_statuses(
        {"email": None, "chat": chat_hours, "phone": phone}, at(2026, 11, 28, 12)
    )
    assert result["phone"].suggest == ("email",)
    assert result["email"].open


def test_never_opening_again_has_no_next_opening() -> None:
    never = Availability(Schedule("UTC"))
    status = channel_status(never, "phone", at(2026, 11, 25, 12))
    assert not status.open
    assert status.opens_at is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        channel_status(PHONE, "phone", datetime(2026, 11, 25, 12))


def test_hours_from_definition_data() -> None:
    availability = availability_from_data(
        {
            "time_zone": "Europe/Moscow",
            "weekly": [{"days": ["sat"], "opens": "10:00", "closes": "24:00"}],
            "exceptions": [{"date": "2026-11-28"}],
            "regions": {"KZ": {"always_open": True}},
            "when_closed": {"choosable": False, "suggest": ["email"]},
        }
    )
    assert availability is not None
    assert not availability.choosable_when_closed
    assert not channel_status(availability, "p", at(2026, 11, 28, 12)).open
    sunday_week = channel_status(availability, "p", at(2026, 12, 5, 23, 59))
    assert sunday_week.open
    assert sunday_week.closes_at == at(2026, 12, 6, 0)
    assert channel_status(availability, "p", at(2026, 11, 28, 12), region="KZ").open
    assert availability_from_data(None) is None
    only_policy = availability_from_data({"when_closed": {"choosable": False}})
    assert only_policy is not None
    assert only_policy.schedule is None


ZONES = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    opens=st.integers(0, 23 * 60 + 59),
    length=st.integers(1, 24 * 60),
    days=st.sets(st.integers(0, 6), min_size=1),
    instant=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
)
def test_status_is_consistent_at_any_instant(
    zone: str, opens: int, length: int, days: set[int], instant: datetime
) -> None:
    start = time(opens // 60, opens % 60)
    end_minute = (opens + length) % (24 * 60)
    period = Period(start, time(end_minute // 60, end_minute % 60))
    hours = Availability(Schedule(zone, weekly=(WeeklyPeriod(tuple(sorted(days)), period),)))
    status = channel_status(hours, "c", instant)
    if status.open:
        assert status.closes_at is not None
        assert status.closes_at > instant
        assert channel_status(hours, "c", status.closes_at - timedelta(seconds=1)).open
        assert not channel_status(hours, "c", status.closes_at).open or length == 24 * 60
    else:
        assert status.opens_at is not None
        assert status.opens_at > instant
        assert channel_status(hours, "c", status.opens_at).open
        assert not channel_status(hours, "c", status.opens_at - timedelta(seconds=1)).open
        midway = instant + (status.opens_at - instant) / 2
        assert not channel_status(hours, "c", midway).open
