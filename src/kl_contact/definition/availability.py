"""Support hours as the definition declares them: schedules, dated exceptions, regions.

These are the immutable values a channel's ``availability:`` node becomes;
:mod:`kl_contact.channels.hours` computes from them whether a channel is open at an
instant. Nothing here reads a clock or computes a status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

__all__ = [
    "HORIZON_DAYS",
    "WEEKDAYS",
    "Availability",
    "DatedHours",
    "Period",
    "Schedule",
    "WeeklyPeriod",
    "availability_from_data",
    "zone",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names used in definitions, Monday first (index = ``date.weekday()``)."""

HORIZON_DAYS = 400
"""How far ahead the next opening is looked for; beyond it a channel counts as closed for good."""


@attrs.frozen
class Period:
    """Open from ``opens`` to ``closes`` (local wall times); past midnight if closes <= opens."""

    opens: time
    closes: time


@attrs.frozen
class WeeklyPeriod:
    """A period that repeats on the given weekdays (0 = Monday)."""

    days: tuple[int, ...]
    period: Period


@attrs.frozen
class DatedHours:
    """The periods of one local date, replacing the weekly ones; none means closed all day."""

    date: date
    periods: tuple[Period, ...] = ()


@attrs.frozen
class Schedule:
    """Working hours in one time zone: weekly periods and dated exceptions."""

    time_zone: str
    weekly: tuple[WeeklyPeriod, ...] = ()
    exceptions: tuple[DatedHours, ...] = ()
    always_open: bool = False


@attrs.frozen
class Availability:
    """When a channel is open, and what happens when a user picks it while it is closed.

    ``schedule`` is ``None`` for an always-open channel; ``regions`` overrides it per region
    code. ``choosable_when_closed`` says whether the channel may still be chosen when closed
    (a letter waits for the morning, a call does not); ``suggest`` names channels to offer
    instead.
    """

    schedule: Schedule | None = None
    regions: Mapping[str, Schedule] = attrs.field(factory=dict)
    choosable_when_closed: bool = True
    suggest: tuple[str, ...] = ()

    def schedule_for(self, region: str | None) -> Schedule | None:
        """The schedule that applies in ``region`` (the default one when it has none)."""
        if region is not None and region in self.regions:
            return self.regions[region]
        return self.schedule


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``ValueError`` when there is none by that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(0, 0) if hours == 24 else time(hours, minutes)


def _period(raw: Mapping[str, Any]) -> Period:
    return Period(opens=_time(raw["opens"]), closes=_time(raw["closes"]))


def _schedule(raw: Mapping[str, Any]) -> Schedule:
    return Schedule(
        time_zone=raw.get("time_zone", "UTC"),
        weekly=tuple(
            WeeklyPeriod(days=tuple(WEEKDAYS.index(d) for d in w["days"]), period=_period(w))
            for w in raw.get("weekly", [])
        ),
        exceptions=tuple(
            DatedHours(
                date=date.fromisoformat(str(e["date"])),
                periods=tuple(_period(p) for p in e.get("periods", [])),
            )
            for e in raw.get("exceptions", [])
        ),
        always_open=bool(raw.get("always_open", False)),
    )


def availability_from_data(raw: Mapping[str, Any] | None) -> Availability | None:
    """The :class:`Availability` of a channel's ``availability`` node (already schema-checked)."""
    if raw is None:
        return None
    when_closed = raw.get("when_closed", {})
    has_hours = any(key in raw for key in ("time_zone", "weekly", "exceptions", "always_open"))
    return Availability(
        schedule=_schedule(raw) if has_hours else None,
        regions={code: _schedule(node) for code, node in raw.get("regions", {}).items()},
        choosable_when_closed=bool(when_closed.get("choosable", True)),
        suggest=tuple(when_closed.get("suggest", ())),
    )
