"""Semantic checks of the channel parts of a definition, for the definition linter.

Runs on the schema-valid document (plain data) and yields problems; the loader turns each
into a located :class:`~kl_contact.errors.DefinitionError`. It must never raise for a problem
in the document and never build any model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from kl_contact._text import placeholders_in
from kl_contact.definition.availability import zone
from kl_contact.definition.model import CALLBACK_PLACEHOLDERS, INSTRUCTION_PLACEHOLDERS

__all__ = ["ChannelProblem", "channel_problems"]

Path = tuple[str | int, ...]


class ChannelProblem(NamedTuple):
    """One problem: what is wrong, its stable code, where, and how to fix it."""

    message: str
    code: str
    path: Path
    hint: str | None = None


def _placeholder_problems(
    text: Mapping[str, str], path: Path, allowed: frozenset[str] = INSTRUCTION_PLACEHOLDERS
) -> Iterator[ChannelProblem]:
    known = ", ".join(sorted(allowed))
    for locale, template in text.items():
        for name in sorted(placeholders_in(template) - allowed):
            yield ChannelProblem(
                f"unknown placeholder {{{name}}}",
                "text.unknown_placeholder",
                (*path, locale),
                f"use one of: {known}",
            )


def _schedule_problems(node: Mapping[str, Any], path: Path) -> Iterator[ChannelProblem]:
    if "time_zone" in node:
        try:
            zone(node["time_zone"])
        except ValueError:
            yield ChannelProblem(
                f"unknown time zone {node['time_zone']!r}",
                "hours.unknown_time_zone",
                (*path, "time_zone"),
                "use an IANA name such as Europe/Moscow",
            )
    seen: set[date] = set()
    for index, exception in enumerate(node.get("exceptions", [])):
        where = (*path, "exceptions", index, "date")
        try:
            day = date.fromisoformat(exception["date"])
        except ValueError:
            yield ChannelProblem("not a calendar date", "hours.bad_date", where, "use YYYY-MM-DD")
            continue
        if day in seen:
            yield ChannelProblem(f"date {day} is listed twice", "hours.duplicate_date", where)
        seen.add(day)


def _has_hours(availability: Mapping[str, Any] | None) -> bool:
    """Whether an ``availability`` node gives opening hours that can close the line."""
    if availability is None:
        return False
    nodes = [availability, *availability.get("regions", {}).values()]
    return any(
        not node.get("always_open", False) and ("weekly" in node or "exceptions" in node)
        for node in nodes
    )


def channel_problems(data: Mapping[str, Any]) -> Iterator[ChannelProblem]:
    """Unknown placeholders in instruction texts and the registration note, unknown time
    zones, impossible or repeated dates, suggestions that name no other channel, and a
    callback on a channel whose line has no opening hours (it would never be offered)."""
    channels = data.get("channels", [])
    ids = {c["id"] for c in channels}
    for c_index, channel in enumerate(channels):
        cpath: Path = ("channels", c_index)
        for i_index, item in enumerate(channel.get("instructions", [])):
            yield from _placeholder_problems(
                item["text"], (*cpath, "instructions", i_index, "text")
            )
        availability = channel.get("availability")
        callback = channel.get("callback")
        if callback is not None:
            for i_index, item in enumerate(callback.get("instructions", [])):
                yield from _placeholder_problems(
                    item["text"],
                    (*cpath, "callback", "instructions", i_index, "text"),
                    CALLBACK_PLACEHOLDERS,
                )
            if not _has_hours(availability):
                yield ChannelProblem(
                    "the channel offers a callback but its line has no opening hours",
                    "callback.no_hours",
                    (*cpath, "callback"),
                    "give the channel availability with weekly hours, or remove the callback",
                )
        if availability is None:
            continue
        apath: Path = (*cpath, "availability")
        yield from _schedule_problems(availability, apath)
        for code, node in availability.get("regions", {}).items():
            yield from _schedule_problems(node, (*apath, "regions", code))
        suggest = availability.get("when_closed", {}).get("suggest", [])
        for s_index, other in enumerate(suggest):
            if other not in ids or other == channel["id"]:
                yield ChannelProblem(
                    f"suggests {other!r}, which is not another channel",
                    "ref.unknown_channel",
                    (*apath, "when_closed", "suggest", s_index),
                    "name the id of another channel",
                )
    yield from _placeholder_problems(data.get("registration_note", {}), ("registration_note",))
