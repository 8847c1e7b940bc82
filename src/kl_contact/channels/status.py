"""Channel availability as the engine sees it: from the definition and plain values.

The instant is the ``now`` of the event being handled (a session's ``updated_at``), the
region and time zone are the ones the host gave on start. A closed channel that may not be
chosen turns into a :class:`~kl_contact.errors.ValidationIssue` for the view, never an
exception. Nothing here reads a clock.

Support hours are given to the minute, so a channel's status is the same for every instant
of one minute: it is computed once per channel, minute, region and time zone
(:func:`functools.lru_cache` over immutable values, safe to share between threads).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime

from kl_contact._text import localize
from kl_contact.channels.hours import ChannelStatus, channel_statuses, zone
from kl_contact.definition.model import Workflow
from kl_contact.errors import ValidationIssue
from kl_contact.messages import MESSAGES, Localizer, message

__all__ = [
    "CHANNEL_CLOSED",
    "closed_issue",
    "format_opening",
    "statuses",
    "utc_offset",
    "wait_text",
]

CHANNEL_CLOSED = MESSAGES["channel.closed"]
"""The built-in text of the ``channel.closed`` issue (a definition may override it)."""


def statuses(
    workflow: Workflow, now: datetime, region: str | None, time_zone: str | None
) -> Mapping[str, ChannelStatus]:
    """The status of each channel of ``workflow`` at ``now``, for a user in ``region`` who
    reads times in ``time_zone``.

    A time zone that is not known here (a session stored by a host with a newer time zone
    database, or edited by hand) falls back to each schedule's own zone.
    """
    return _statuses(workflow, int(now.timestamp()) // 60, region, time_zone)


@functools.lru_cache(maxsize=256)
def _statuses(
    workflow: Workflow, minutes: int, region: str | None, time_zone: str | None
) -> Mapping[str, ChannelStatus]:
    minute = datetime.fromtimestamp(minutes * 60, UTC)
    if time_zone is not None:
        try:
            zone(time_zone)
        except ValueError:
            time_zone = None
    return channel_statuses(
        {c.id: c.availability for c in workflow.channels},
        minute,
        region=region,
        time_zone=time_zone,
    )


def utc_offset(moment: datetime) -> str:
    """The UTC offset of ``moment`` as a user reads it (``UTC+03:00``, ``UTC``)."""
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def format_opening(moment: datetime, locale: str) -> str:
    """An opening time as a user reads it: local date and time with the UTC offset."""
    return f"{moment.strftime(message('time.format', locale, 'en'))} ({utc_offset(moment)})"


def wait_text(minutes: int, locale: str) -> str:
    """An expected wait as a user reads it (``Expected wait: about 5 min.``).

    >>> wait_text(5, "en"), wait_text(0, "ru")
    ('Expected wait: about 5 min.', 'Ожидание: меньше минуты.')
    """
    code = "wait.minutes" if minutes > 0 else "wait.none"
    return message(code, locale, "en", {"minutes": minutes})


def closed_issue(
    workflow: Workflow,
    channel: str,
    now: datetime,
    region: str | None,
    time_zone: str | None,
    locale: str,
) -> ValidationIssue | None:
    """The ``channel.closed`` issue when ``channel`` is closed and may not be chosen now."""
    availability = workflow.channel(channel).availability
    if availability is None or availability.choosable_when_closed:
        return None  # such a channel may be chosen at any hour
    status = statuses(workflow, now, region, time_zone)[channel]
    if status.choosable:
        return None
    fallback = workflow.default_locale
    localizer = Localizer(locale, fallback, workflow.messages)

    def title(cid: str) -> str:
        return localize(workflow.channel(cid).title, locale, fallback)

    params: dict[str, str | int] = {"channel": title(channel), "channel_id": channel}
    if status.opens_at is not None:
        params["opens_at"] = format_opening(status.opens_at, locale)
    if status.suggest:
        params["others"] = ", ".join(title(cid) for cid in status.suggest)
    template = workflow.messages.get("channel.closed", CHANNEL_CLOSED)
    text = {
        loc: value.replace("{opens}", _part("opens", "opens_at", params, loc, workflow)).replace(
            "{suggest}", _part("suggest", "others", params, loc, workflow)
        )
        for loc, value in template.items()
    }
    return localizer.issue("channel.closed", ("channel",), params=params, text=text)


def _part(
    piece: str, param: str, params: Mapping[str, object], locale: str, workflow: Workflow
) -> str:
    """One piece of the ``channel.closed`` text (empty without its parameter), from the
    catalog or the definition's ``messages:``."""
    if param not in params:
        return ""
    return message(f"channel.closed.{piece}", locale, "en", overrides=workflow.messages)
