"""The cheap copy of a frozen value gives exactly what ``attrs.evolve`` gives."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact._replace import replace, replacer
from kl_contact.engine.session import Session


@attrs.frozen
class _Plain:
    a: int
    b: str = "b"
    c: tuple[int, ...] = ()


@attrs.frozen
class _Private:
    _hidden: int
    shown: int = 0


@attrs.frozen
class _Validated:
    a: int = attrs.field(validator=attrs.validators.instance_of(int))


@attrs.frozen
class _Converted:
    a: int = attrs.field(converter=int)


@attrs.frozen(cache_hash=True)
class _Hashed:
    a: int


@attrs.frozen
class _Posted:
    a: int
    doubled: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.a * 2)


@given(
    a=st.integers(),
    b=st.text(),
    c=st.lists(st.integers()).map(tuple),
    pick=st.sets(st.sampled_from("abc")),
)
def test_a_copy_equals_evolve_for_any_set_of_changed_fields(
    a: int, b: str, c: tuple[int, ...], pick: set[str]
) -> None:
    original = _Plain(1, "x", (9,))
    new = {"a": a, "b": b, "c": c}
    changes = {name: new[name] for name in pick}
    copied = replace(original, **changes)
    assert copied == attrs.evolve(original, **changes)
    assert type(copied) is _Plain
    assert original == _Plain(1, "x", (9,))  # the original is untouched


def test_a_field_is_named_as_init_names_it() -> None:
    assert replace(_Private(1), hidden=2) == attrs.evolve(_Private(1), hidden=2) == _Private(2)


def test_an_unknown_field_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        replace(_Plain(1), nope=2)


@pytest.mark.parametrize(
    ("value", "changes"),
    [
        (_Converted(1), {"a": "7"}),
        (_Hashed(1), {"a": 2}),
        (_Posted(1), {"a": 4}),
    ],
)
def test_classes_whose_init_does_more_go_through_evolve(
    value: Any, changes: dict[str, Any]
) -> None:
    copied = replace(value, **changes)
    assert copied == attrs.evolve(value, **changes)
    if isinstance(copied, _Hashed):
        assert hash(copied) == hash(_Hashed(2))
    if isinstance(copied, _Posted):
        assert copied.doubled == 8


def test_a_validator_still_refuses_a_bad_value() -> None:
    with pytest.raises(TypeError):
        replace(_Validated(1), a="not a number")


def test_a_session_copy_keeps_every_field(workflow: Any) -> None:
    from kl_contact import Engine

    session = Engine(workflow).start(session_id="s-1", now=_now(), locale="en").session
    copied = replacer(Session)(session, {"step": "other", "revision": 3})
    assert copied == attrs.evolve(session, step="other", revision=3)


def _now() -> Any:
    from conftest import NOW

    return NOW
