"""A cheap copy of a frozen attrs value with some fields changed.

``attrs.evolve`` reads every field through ``attrs.fields``, builds a keyword dictionary and
calls ``__init__``: about 3.5 µs for a session. The transition makes such a copy several
times per event, so this module generates, once per class, a function that fills a new
instance's slots straight from the old one's and then sets the changed ones. The result is
the value ``attrs.evolve`` would give.

The shortcut skips ``__init__``, so it is taken only for classes whose ``__init__`` does
nothing but store the values: slotted classes without validators, converters, fields left
out of ``__init__``, ``__attrs_pre_init__`` / ``__attrs_post_init__`` or a cached hash. Any
other class goes through ``attrs.evolve``. (On-setattr hooks do not matter: ``__init__``
does not run them either.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar, cast

import attrs

__all__ = ["replace", "replacer"]

T = TypeVar("T")


def replace(instance: T, /, **changes: Any) -> T:
    """``instance`` with the fields named in ``changes`` set to their new values.

    The same value as ``attrs.evolve(instance, **changes)``; an unknown field name raises
    :class:`TypeError` as it does there.
    """
    kind: type = type(instance)
    copied: T = _replacer(kind)(instance, changes)
    return copied


def replacer(cls: type[T]) -> Callable[[T, dict[str, Any]], T]:
    """The copy function of ``cls``: ``copy(instance, changes) -> new instance``.

    ``changes`` maps field names (as ``__init__`` names them) to new values; the function
    never keeps or changes it.
    """
    kind: type = cls
    return cast("Callable[[T, dict[str, Any]], T]", _replacer(kind))


@functools.cache
def _replacer(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    fields = attrs.fields(cls)
    names = tuple(field.name for field in fields)
    if not _plain(cls, fields):
        return _evolving
    # ``changes`` names fields by their ``__init__`` argument, as ``attrs.evolve`` does
    setters = {field.alias: getattr(cls, field.name).__set__ for field in fields}
    lines = ["def copy(instance, changes):", "    new = _new(_cls)"]
    # a plain attribute read is the cheapest way to get a slot's value; a write has to go
    # through the slot's descriptor, since the class's own __setattr__ refuses
    lines += [f"    _set_{i}(new, instance.{name})" for i, name in enumerate(names)]
    lines += [
        "    for name, value in changes.items():",
        "        try:",
        "            setter = _setters[name]",
        "        except KeyError:",
        "            raise TypeError(f'{_cls.__name__} has no field {name!r}') from None",
        "        setter(new, value)",
        "    return new",
    ]
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_setters": setters}
    for i, field in enumerate(fields):
        scope[f"_set_{i}"] = setters[field.alias]
    exec("\n".join(lines), scope)
    copy: Callable[[Any, dict[str, Any]], Any] = scope["copy"]
    return copy


def _plain(cls: type, fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether ``cls.__init__`` only stores its arguments in slots."""
    if not all(isinstance(getattr(cls, f.name, None), MemberDescriptorType) for f in fields):
        return False  # a field kept in an instance dictionary, not in a slot
    if any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return False
    if any("cached_hash" in slot for slot in getattr(cls, "__slots__", ())):
        return False
    return not any(
        field.validator is not None or field.converter is not None or not field.init
        for field in fields
    )


def _evolving(instance: Any, changes: dict[str, Any]) -> Any:
    return attrs.evolve(instance, **changes)
