"""Callback slots: the times an engineer may call a user back, from the line's opening hours.

A channel's ``callback:`` offer (:class:`~kl_contact.definition.model.CallbackOffer`) turns
the line's opening hours into time slots of ``slot_minutes`` each: every slot lies wholly
inside one open interval of the line, starts after the moment the user looks and less than
``days`` days (of 24 hours) after it. Slots are laid end to end from each opening, in
absolute time, so a change of daylight saving time moves their wall-clock times and never
makes two slots overlap or one fall outside the hours.

A slot's id is its start in UTC (``20261130T0600Z``): the same slot has the same id
whatever time zone the user reads it in, and an id that has passed is told apart from one
that was never offered. Nothing here reads a clock: ``now`` is always an argument.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

import attrs

from kl_contact.channels.hours import open_intervals, zone
from kl_contact.channels.status import statuses, utc_offset
from kl_contact.definition.availability import Availability
from kl_contact.definition.model import CallbackOffer, Workflow
from kl_contact.messages import message

__all__ = [
    "MAX_CALLBACK_SLOTS",
    "CallbackSlot",
    "callback_slots",
    "offered_slots",
    "slot_id",
    "slot_label",
    "slot_start",
]

MAX_CALLBACK_SLOTS = 200
"""The most slots one offer lists (the earliest ones)."""

_SLOT_ID = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z")


@attrs.frozen
class CallbackSlot:
    """One time an engineer may call: ``starts_at`` to ``ends_at``, in the user's zone."""

    id: str
    starts_at: datetime
    ends_at: datetime


def slot_id(start: datetime) -> str:
    """The id of the slot that starts at ``start`` (an aware datetime): its UTC start.

    >>> from datetime import timezone
    >>> slot_id(datetime(2026, 11, 30, 9, 0, tzinfo=zone("Europe/Moscow")))
    '20261130T0600Z'
    """
    return start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def slot_start(identifier: str) -> datetime | None:
    """The UTC start a slot id names, or ``None`` when it is not a slot id.

    >>> slot_start("20261130T0600Z").isoformat(), slot_start("tomorrow")
    ('2026-11-30T06:00:00+00:00', None)
    """
    found = _SLOT_ID.fullmatch(identifier) if isinstance(identifier, str) else None
    if found is None:
        return None
    year, month, day, hour, minute = (int(part) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


def callback_slots(
    availability: Availability,
    offer: CallbackOffer,
    now: datetime,
    time_zone: str | None = None,
    *,
    region: str | None = None,
) -> tuple[CallbackSlot, ...]:
    """The slots ``offer`` gives at ``now`` (an aware datetime), earliest first, in
    ``time_zone`` (else the schedule's own zone), for a user in ``region``.

    Each slot is inside the opening hours, starts after ``now`` and less than
    ``offer.days`` days after it; no two share a start; at most
    :data:`MAX_CALLBACK_SLOTS` are listed. A line without hours gives none.

    >>> from datetime import time, timezone
    >>> from kl_contact.channels.hours import Period, Schedule, WeeklyPeriod
    >>> weekdays = WeeklyPeriod(days=(0, 1, 2, 3, 4), period=Period(time(9), time(10)))
    >>> hours = Availability(Schedule("Europe/Moscow", weekly=(weekdays,)))
    >>> offer = CallbackOffer(slot_minutes=30, days=2, instructions=())
    >>> saturday = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    >>> [s.starts_at.strftime("%a %H:%M") for s in callback_slots(hours, offer, saturday)]
    ['Mon 09:00', 'Mon 09:30']
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    schedule = availability.schedule_for(region)
    if schedule is None or schedule.always_open:
        return ()
    shown = zone(time_zone or schedule.time_zone)
    now = now.astimezone(UTC)
    until = now + timedelta(days=offer.days)
    length = timedelta(minutes=offer.slot_minutes)
    slots: list[CallbackSlot] = []
    for opens, closes in open_intervals(schedule, now, until):
        start = opens
        if start <= now:  # skip the slots already begun, keeping them laid from the opening
            start += length * ((now - start) // length + 1)
        while start + length <= closes and start < until:
            slots.append(
                CallbackSlot(
                    id=slot_id(start),
                    starts_at=start.astimezone(shown),
                    ends_at=(start + length).astimezone(shown),
                )
            )
            if len(slots) == MAX_CALLBACK_SLOTS:
                return tuple(slots)
            start += length
    return tuple(slots)


def offered_slots(
    workflow: Workflow, channel: str, now: datetime, region: str | None, time_zone: str | None
) -> tuple[CallbackSlot, ...]:
    """The callback slots ``channel`` offers at ``now``: none unless it has a ``callback:``
    and its line is closed then. A time zone not known here falls back to the schedule's.

    Computed once per channel, minute, region and time zone, like the channels' statuses.
    """
    return _offered(workflow, channel, int(now.timestamp()) // 60, region, time_zone)


@functools.lru_cache(maxsize=256)
def _offered(
    workflow: Workflow, channel: str, minutes: int, region: str | None, time_zone: str | None
) -> tuple[CallbackSlot, ...]:
    declared = workflow.channel(channel)
    offer, availability = declared.callback, declared.availability
    if offer is None or availability is None:
        return ()
    minute = datetime.fromtimestamp(minutes * 60, UTC)
    if statuses(workflow, minute, region, time_zone)[channel].open:
        return ()
    if time_zone is not None:
        try:
            zone(time_zone)
        except ValueError:
            time_zone = None
    return callback_slots(availability, offer, minute, time_zone, region=region)


def slot_label(slot: CallbackSlot, locale: str) -> str:
    """A slot as a user reads it: its date and times with the UTC offset.

    >>> from datetime import timezone
    >>> moscow = zone("Europe/Moscow")
    >>> slot = CallbackSlot("20261130T0600Z", datetime(2026, 11, 30, 9, 0, tzinfo=moscow),
    ...                     datetime(2026, 11, 30, 9, 30, tzinfo=moscow))
    >>> slot_label(slot, "en"), slot_label(slot, "ru")
    ('2026-11-30 09:00–09:30 (UTC+03:00)', '30.11.2026 09:00–09:30 (UTC+03:00)')
    """
    starts = slot.starts_at.strftime(message("time.format", locale, "en"))
    return f"{starts}–{slot.ends_at:%H:%M} ({utc_offset(slot.starts_at)})"
