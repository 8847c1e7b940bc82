"""The one cattrs converter: how every value class becomes JSON and comes back.

Nowhere else turns these classes into dicts. Datetimes are ISO 8601 strings with an
offset, enums are their values, tuples are lists, events and effects are tagged by ``type``,
and an answer value is told apart by its JSON shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

import cattrs
from cattrs.strategies import configure_tagged_union

from kl_contact.engine.effects import EFFECT_TYPES, Effect
from kl_contact.engine.events import EVENT_TYPES, Event
from kl_contact.ticket.model import AnswerValue, Attachment

__all__ = ["converter"]


def _structure_datetime(value: Any, _: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("datetime has no offset")
    return parsed


def _unstructure_datetime(value: datetime) -> str:
    offset = value.utcoffset()
    if offset is not None and offset.seconds % 60:
        value = value.astimezone(UTC)  # ISO 8601 offsets have no seconds: write the instant in UTC
    return value.isoformat()


def _structure_path_part(value: Any, _: Any) -> str | int:
    """One step of an issue's path: a key (``str``) or an index (``int``), never a bool."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError("a path part is a string or an integer")


def _build() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook(datetime, _structure_datetime)

    def structure_answer(value: Any, _: Any) -> AnswerValue:
        if isinstance(value, bool | str):
            return value
        if isinstance(value, list | tuple):
            if all(isinstance(item, str) for item in value):
                return tuple(value)
            return tuple(conv.structure(item, Attachment) for item in value)
        raise TypeError("an answer is a string, a boolean or a list")

    def unstructure_answer(value: AnswerValue) -> Any:
        if isinstance(value, tuple):
            return [conv.unstructure(item) for item in value]
        return value

    conv.register_structure_hook(str | int, _structure_path_part)  # ValidationIssue.path
    conv.register_structure_hook(AnswerValue, structure_answer)
    conv.register_unstructure_hook(AnswerValue, unstructure_answer)

    def structure_answers(value: Any, _: Any) -> dict[str, AnswerValue]:
        if not isinstance(value, Mapping):
            raise TypeError("answers are an object")
        return {str(key): structure_answer(item, AnswerValue) for key, item in value.items()}

    answers_type = Mapping[str, AnswerValue]
    params_type = Mapping[str, str | int]
    conv.register_structure_hook_func(lambda t: t == answers_type, structure_answers)
    conv.register_unstructure_hook_func(
        lambda t: t == answers_type, lambda m: {k: unstructure_answer(v) for k, v in m.items()}
    )
    conv.register_structure_hook_func(
        lambda t: t == params_type,
        lambda value, _: {str(k): v for k, v in value.items() if isinstance(v, str | int)},
    )
    conv.register_unstructure_hook_func(lambda t: t == params_type, dict)

    configure_tagged_union(Event, conv, tag_generator=lambda cls: EVENT_TYPES[cls], tag_name="type")
    configure_tagged_union(
        Effect, conv, tag_generator=lambda cls: EFFECT_TYPES[cls], tag_name="type"
    )
    return conv


class _BuiltOnFirstUse:
    """Stands in for the converter until first used: building it generates code for every
    event and effect class (about 20 ms), which ``import kl_contact`` should not pay."""

    _built: cattrs.Converter | None = None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = _build()
        return getattr(self._built, name)


converter = cast(cattrs.Converter, _BuiltOnFirstUse())
"""The converter every (un)structuring in the library goes through."""
