"""The one cattrs converter: how every value class becomes JSON and comes back.

Nowhere else turns these classes into dicts. Datetimes are ISO 8601 strings with an
offset, enums are their values, tuples are lists, events and effects are tagged by ``type``,
and an answer value is told apart by its JSON shape. A session document leaves out every
field that holds its default (see :data:`SESSION_FAMILY`); reading one puts the defaults
back, so a document that spells every field out reads the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import NoneType, UnionType
from typing import Any, Union, cast, get_args, get_origin

import attrs
import cattrs
from cattrs.fns import identity
from cattrs.gen import make_dict_unstructure_fn
from cattrs.strategies import configure_tagged_union

from kl_contact.engine import session as session_module
from kl_contact.engine.effects import EFFECT_TYPES, Effect
from kl_contact.engine.events import EVENT_TYPES, Event
from kl_contact.engine.session import Session
from kl_contact.ticket.model import AnswerValue, Attachment, TicketRouting

__all__ = ["SESSION_FAMILY", "converter"]

SESSION_FAMILY: frozenset[type] = frozenset(
    cls
    for cls in vars(session_module).values()
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == session_module.__name__
)
"""The classes a session is made of (the value classes of :mod:`kl_contact.engine.session`),
written without the fields that hold their default, and so is every value class a session
holds.

A session is stored on every event, so what it leaves out is saved every time; the
schemas mark exactly those fields optional, and reading a document fills them in again.
"""


def _structure_datetime(value: Any, _: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("datetime has no offset")
    return parsed


def _unstructure_datetime(value: datetime) -> str:
    offset = value.utcoffset()
    if type(value) is not datetime:  # a subclass may write itself otherwise
        return _isoformat(value, offset)
    key = (value, offset)  # equal instants at one offset are written alike
    text = _WRITTEN_DATETIMES.get(key)
    if text is None:
        if len(_WRITTEN_DATETIMES) >= _WRITTEN_DATETIMES_KEPT:
            _WRITTEN_DATETIMES.clear()
        text = _WRITTEN_DATETIMES[key] = _isoformat(value, offset)
    return text


def _isoformat(value: datetime, offset: timedelta | None) -> str:
    if offset is not None and offset.seconds % 60:
        value = value.astimezone(UTC)  # ISO 8601 offsets have no seconds: write the instant in UTC
    return value.isoformat()


_WRITTEN_DATETIMES: dict[tuple[datetime, timedelta | None], str] = {}
"""The text of datetimes written lately. ``datetime.isoformat`` costs more than the rest of
writing a history entry, and a session's history is written again in every response: its
earlier entries, its creation and its last event recur from one response to the next, and
within one (the last event is also the session's ``updated_at``)."""
_WRITTEN_DATETIMES_KEPT = 1024


def _structure_path_part(value: Any, _: Any) -> str | int:
    """One step of an issue's path: a key (``str``) or an index (``int``), never a bool."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError("a path part is a string or an integer")


_Structure = Callable[[Any, Any], Any]


def _homogeneous_tuple(conv: cattrs.Converter) -> Callable[[Any], _Structure]:
    """``tuple[X, ...]`` read with X's hook looked up once, not on every call."""

    def factory(tup: Any) -> _Structure:
        item_type = get_args(tup)[0]
        item = conv.get_structure_hook(item_type)

        def structure(obj: Iterable[Any], _: Any) -> tuple[Any, ...]:
            return tuple([item(e, item_type) for e in obj])

        return structure

    return factory


def _tuple_to_list(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    """``tuple[X, ...]`` written as a list by X's hook, in one comprehension."""

    def factory(tup: Any) -> Callable[[Any], Any]:
        item = conv.get_unstructure_hook(get_args(tup)[0])
        if item is identity:
            return list

        def unstructure(value: Iterable[Any]) -> list[Any]:
            return [item(e) for e in value]

        return unstructure

    return factory


def _is_homogeneous_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] is not Any


def _optional(conv: cattrs.Converter) -> Callable[[Any], _Structure]:
    """``X | None`` read with X's hook looked up once, not on every call."""

    def factory(union: Any) -> _Structure:
        other = next(arg for arg in get_args(union) if arg is not NoneType)
        hook = conv.get_structure_hook(other)

        def structure(obj: Any, _: Any) -> Any:
            return None if obj is None else hook(obj, other)

        return structure

    return factory


def _optional_out(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    """``X | None`` written by X's hook; when X is written as it is (a string, a number),
    the value itself, which the generated code of a class then reads without a call."""

    def factory(union: Any) -> Callable[[Any], Any]:
        other = next(arg for arg in get_args(union) if arg is not NoneType)
        hook = conv.get_unstructure_hook(other)
        if hook is identity:
            return identity

        def unstructure(value: Any) -> Any:
            return None if value is None else hook(value)

        return unstructure

    return factory


def _is_optional(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _build() -> cattrs.Converter:
    # Without detailed validation: a document that cannot be read is refused as
    # document.invalid, with no path either way (what failed may quote what the user typed),
    # and the generated code of each class reads its fields without a try around each.
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
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
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _homogeneous_tuple(conv))
    conv.register_structure_hook_factory(_is_optional, _optional(conv))
    conv.register_unstructure_hook_factory(_is_homogeneous_tuple, _tuple_to_list(conv))
    conv.register_unstructure_hook_factory(_is_optional, _optional_out(conv))
    conv.register_unstructure_hook_factory(lambda t: t in SESSION_FAMILY, _compact(conv))
    return conv


_WRITTEN_IN_FULL = frozenset({TicketRouting})
"""Classes a session holds that keep every field: ``ticket.schema.json`` requires a
routing's ``rule``, null when no rule held."""
_ALWAYS_WRITTEN = {Session: "revision"}
"""A field written even at its default: a store reads a session's revision from the
document for its compare-and-set, a new session's 0 included."""


def _holds_a_class(t: Any) -> bool:
    return attrs.has(t) or any(_holds_a_class(arg) for arg in get_args(t))


def _compact(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    """Hooks that write a class of :data:`SESSION_FAMILY`, and every value class a session
    holds (its ticket, receipt, matches...), without the fields at their default.

    Only inside a session: a ticket or a receipt written on its own (an effect, an event,
    :func:`~kl_contact.wire.dump_ticket`) keeps every field.
    """
    made: dict[Any, Callable[[Any], Any]] = {}

    def compact(t: Any) -> Callable[[Any], Any]:
        if t in made:
            return made[t]
        hook: Callable[[Any], Any]
        if attrs.has(t) and t not in _WRITTEN_IN_FULL:
            inner: dict[str, Any] = {
                field.name: cattrs.override(unstruct_hook=compact(field.type))
                for field in attrs.fields(attrs.resolve_types(t))
                if _holds_a_class(field.type)
            }
            if t in _ALWAYS_WRITTEN:
                inner[_ALWAYS_WRITTEN[t]] = cattrs.override(omit_if_default=False)
            hook = make_dict_unstructure_fn(t, conv, _cattrs_omit_if_default=True, **inner)
        elif _is_homogeneous_tuple(t) and _holds_a_class(t):
            item = compact(get_args(t)[0])
            hook = lambda value: [item(e) for e in value]  # noqa: E731
        elif _is_optional(t) and _holds_a_class(t):
            other = compact(next(arg for arg in get_args(t) if arg is not NoneType))
            hook = lambda value: None if value is None else other(value)  # noqa: E731
        else:
            hook = conv.get_unstructure_hook(t)
        made[t] = hook
        return hook

    return compact


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
