"""Support hours and whether a channel is open at an instant: a pure function of the two.

A channel's hours are weekly periods in an IANA time zone, dated exceptions (a holiday closed
all day, a shortened eve, an extra working Saturday), optionally other hours per region, or
no hours at all (always open). A period whose closing time is not after its opening time runs
past midnight into the next day; ``opens == closes`` is a full 24 hours. Wall times are read
in the schedule's zone with :mod:`zoneinfo`, so DST changes move the instants, not the hours.

This module never reads a clock: the instant is always an argument.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta

import attrs

from kl_contact.definition.availability import (
    HORIZON_DAYS,
    WEEKDAYS,
    Availability,
    DatedHours,
    Period,
    Schedule,
    WeeklyPeriod,
    availability_from_data,
    zone,
)

__all__ = [
    "WEEKDAYS",
    "Availability",
    "ChannelStatus",
    "DatedHours",
    "Period",
    "Schedule",
    "WeeklyPeriod",
    "availability_from_data",
    "channel_status",
    "channel_statuses",
    "open_intervals",
    "zone",
]


@attrs.frozen
class ChannelStatus:
    """Whether a channel is open at an instant, and when that changes.

    ``opens_at`` (when closed) and ``closes_at`` (when open on hours) are in the time zone the
    caller asked for, or the schedule's own zone. ``suggest`` lists the channels the definition
    offers instead that can be chosen at the same instant.
    """

    channel: str
    open: bool
    choosable: bool
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    suggest: tuple[str, ...] = ()


def _periods_on(schedule: Schedule, day: date) -> Iterator[Period]:
    for exception in schedule.exceptions:
        if exception.date == day:
            yield from exception.periods
            return
    for weekly in schedule.weekly:
        if day.weekday() in weekly.days:
            yield weekly.period


def _intervals(schedule: Schedule, first: date, days: int) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) of periods starting on ``first`` and the ``days - 1`` after it."""
    tz = zone(schedule.time_zone)
    for offset in range(days):
        day = first + timedelta(days=offset)
        found = sorted(_periods_on(schedule, day), key=lambda p: p.opens)
        for period in found:
            end_day = day if period.closes > period.opens else day + timedelta(days=1)
            start = datetime.combine(day, period.opens, tzinfo=tz).astimezone(UTC)
            end = datetime.combine(end_day, period.closes, tzinfo=tz).astimezone(UTC)
            if end > start:
                yield start, end


def open_intervals(
    schedule: Schedule, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The open intervals of ``schedule`` that overlap ``[start, end)``, in UTC, in order,
    each whole: from the opening to the closing of the line, overlapping or back-to-back
    periods joined (a line open round the clock gives ``[start, end)`` itself).

    >>> from datetime import time, timezone
    >>> weekdays = WeeklyPeriod(days=(0, 1, 2, 3, 4), period=Period(time(9), time(18)))
    >>> moscow = Schedule("Europe/Moscow", weekly=(weekdays,))
    >>> friday = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    >>> [(a.isoformat(), b.isoformat()) for a, b in open_intervals(moscow, friday,
    ...     friday + timedelta(days=3))]  # doctest: +NORMALIZE_WHITESPACE
    [('2026-11-27T06:00:00+00:00', '2026-11-27T15:00:00+00:00'),
     ('2026-11-30T06:00:00+00:00', '2026-11-30T15:00:00+00:00')]
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if schedule.always_open:
        if start < end:
            yield start, end
        return
    tz = zone(schedule.time_zone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    days = (end.astimezone(tz).date() - first).days + 2
    found = sorted(_intervals(schedule, first, days))
    current: tuple[datetime, datetime] | None = None
    for opens, closes in found:
        if current is not None and opens <= current[1]:
            current = (current[0], max(current[1], closes))
            continue
        if current is not None and current[1] > start and current[0] < end:
            yield current
        current = (opens, closes)
    if current is not None and current[1] > start and current[0] < end:
        yield current


def _open_until(schedule: Schedule, now: datetime) -> datetime | None:
    """When the open interval holding ``now`` ends (joining back-to-back ones), or ``None``."""
    local = now.astimezone(zone(schedule.time_zone)).date()
    closes: datetime | None = None
    for start, end in _intervals(schedule, local - timedelta(days=1), HORIZON_DAYS):
        if closes is None:
            if start <= now < end:
                closes = end
            elif start > now:
                return None
        elif start <= closes:
            closes = max(closes, end)
        else:
            break
    return closes


def _next_opening(schedule: Schedule, now: datetime) -> datetime | None:
    local = now.astimezone(zone(schedule.time_zone)).date()
    for start, _ in _intervals(schedule, local - timedelta(days=1), HORIZON_DAYS):
        if start > now:
            return start
    return None


def channel_status(
    availability: Availability | None,
    channel: str,
    now: datetime,
    *,
    region: str | None = None,
    time_zone: str | None = None,
) -> ChannelStatus:
    """Whether ``channel`` with ``availability`` is open at ``now`` (an aware datetime).

    >>> from datetime import datetime, time, timezone
    >>> weekdays = WeeklyPeriod(days=(0, 1, 2, 3, 4), period=Period(time(9), time(18)))
    >>> hours = Availability(Schedule("Europe/Moscow", weekly=(weekdays,)))
    >>> saturday = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    >>> status = channel_status(hours, "phone", saturday)
    >>> status.open, status.opens_at.isoformat()
    (False, '2026-11-30T09:00:00+03:00')
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    schedule = availability.schedule_for(region) if availability is not None else None
    if schedule is None or schedule.always_open:
        return ChannelStatus(channel=channel, open=True, choosable=True)
    shown = zone(time_zone or schedule.time_zone)
    closes = _open_until(schedule, now)
    if closes is not None:
        return ChannelStatus(
            channel=channel, open=True, choosable=True, closes_at=closes.astimezone(shown)
        )
    opens = _next_opening(schedule, now)
    assert availability is not None  # a schedule comes from an availability
    return ChannelStatus(
        channel=channel,
        open=False,
        choosable=availability.choosable_when_closed,
        opens_at=opens.astimezone(shown) if opens is not None else None,
        suggest=availability.suggest,
    )


def channel_statuses(
    channels: Mapping[str, Availability | None],
    now: datetime,
    *,
    region: str | None = None,
    time_zone: str | None = None,
) -> dict[str, ChannelStatus]:
    """The status of every channel at ``now``; suggestions keep only channels choosable then."""
    raw = {
        cid: channel_status(a, cid, now, region=region, time_zone=time_zone)
        for cid, a in channels.items()
    }
    return {
        cid: attrs.evolve(
            status,
            suggest=tuple(s for s in status.suggest if s in raw and raw[s].choosable),
        )
        for cid, status in raw.items()
    }
