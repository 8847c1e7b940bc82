"""The checks written as plain Python from the shipped schemas give jsonschema's verdict.

A written check that accepts a document lets the library skip jsonschema; one that refuses
hands the document to jsonschema, which decides and writes the report. A written check
decides exactly as jsonschema does (a ``oneOf`` counts on every branch's refusal being
right), or, for a value of a class ``json.loads`` never gives, not at all.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from kl_contact import load_session, schemas
from kl_contact.errors import UsageError
from kl_contact.schemas import SCHEMA_NAMES, violations
from schema_strategies import JSON_VALUES, replace_member

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
FIXTURES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DOCUMENTS.glob("*.json"))]
CHECKED_ON_EVERY_EVENT = ("session", "event", "wire", "view", "transition", "ticket", "effect")


def test_every_schema_a_host_checks_on_each_event_is_written_as_python() -> None:
    assert set(CHECKED_ON_EVERY_EVENT) <= set(SCHEMA_NAMES)
    for name in CHECKED_ON_EVERY_EVENT:
        assert schemas._generate(name) is not None, name


def test_a_schema_with_a_keyword_it_does_not_write_is_left_to_the_other_checks() -> None:
    assert schemas._generate("workflow") is None  # dependentRequired


@pytest.mark.parametrize(
    "fixture",
    [f for f in FIXTURES if schemas._generate(f["schema"]) is not None],
    ids=lambda f: f"{f['schema']}-{'valid' if f['valid'] else 'invalid'}",
)
def test_the_written_check_gives_jsonschemas_verdict_on_every_fixture(
    fixture: dict[str, Any],
) -> None:
    check = schemas._generate(fixture["schema"])
    assert check is not None
    by_jsonschema = schemas._validator(fixture["schema"]).is_valid(fixture["document"])
    assert check(fixture["document"]) is by_jsonschema is fixture["valid"]


def _valid_fixtures(schema: str) -> list[Any]:
    return [
        f["document"]
        for f in FIXTURES
        if f["schema"] == schema and schemas._validator(schema).is_valid(f["document"])
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schema=st.sampled_from(["session", "event", "view", "ticket", "receipt", "effect"]),
    pick=st.integers(min_value=0),
    path=st.lists(st.integers(min_value=0), max_size=6),
    value=JSON_VALUES,
)
def test_the_written_check_never_accepts_what_jsonschema_refuses(
    schema: str, pick: int, path: list[int], value: Any
) -> None:
    valid = _valid_fixtures(schema)
    document = replace_member(valid[pick % len(valid)], path, value)
    check = schemas._generate(schema)
    assert check is not None
    by_jsonschema = schemas._validator(schema).is_valid(document)
    assert _verdict(check, document) is by_jsonschema
    # whatever the written check says, the verdict the library gives is jsonschema's
    assert (not list(violations(schema, document))) is by_jsonschema


def _verdict(check: Any, value: Any) -> bool | None:
    """What a written check says of ``value``: True, False or None (undecided)."""
    try:
        verdict: bool = check(value)
    except schemas._Undecided:
        return None
    return verdict


def _written(schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """A written check of a schema of its own, as it would be for a shipped one."""
    writer = schemas._Writer()
    monkeypatch.setattr(schemas, "load_schema", lambda name: schema)
    root = writer.write(schema, "common")
    namespace: dict[str, Any] = {**writer.values, **schemas._WRITTEN_NAMES}
    exec("\n".join(writer.lines), namespace)
    for table, functions in writer.tables.items():
        namespace[table] = {key: namespace[name] for key, name in functions.items()}
    return namespace[root]


SMALL_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "minimum": 0, "maximum": 10},
    {"type": "number", "minimum": 0.5},
    {"type": ["string", "null"], "minLength": 1, "maxLength": 3},
    {"type": "string", "pattern": "^[a-z]+$(?!\n)"},
    {"pattern": "^a"},
    {"pattern": "^a|b"},
    {"pattern": "^(a|b)c"},
    {"const": True},
    {"const": 1},
    {"const": "x"},
    {"enum": ["a", "b"]},
    {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
    {"type": "array", "uniqueItems": True},
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}},
        "required": ["a"],
        "additionalProperties": False,
    },
    {"type": "object", "additionalProperties": {"type": "integer"}, "maxProperties": 2},
    {"type": "object", "propertyNames": {"maxLength": 2}},
    {"anyOf": [{"type": "string"}, {"type": "null"}]},
    {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    {
        "oneOf": [
            {"type": "object", "properties": {"type": {"const": "a"}}, "required": ["type"]},
            {
                "type": "object",
                "properties": {"type": {"const": "b"}, "n": {"type": "integer"}},
                "required": ["type", "n"],
            },
        ]
    },
]
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    11,
    -1,
    1.0,
    0.25,
    2.5,
    float("nan"),
    "",
    "a",
    "ab",
    "abcd",
    "x",
    "A",
    "a\n",
    "cb",
    "bc",
    [],
    ["a"],
    ["a", "a"],
    ["a", "b", "c"],
    [1, True],
    [1, 1.0],
    [[1], [1]],
    {},
    {"a": 1},
    {"a": 1, "b": True},
    {"a": 1, "c": 2},
    {"a": True},
    {"a": 1.5},
    {"abc": 1},
    {"type": "a"},
    {"type": "b"},
    {"type": "b", "n": 1},
    {"type": "c"},
    {"type": ["a"]},
    ("a",),
    OrderedDict(a=1),
]


@pytest.mark.parametrize("schema", SMALL_SCHEMAS, ids=lambda s: json.dumps(s)[:60])
def test_each_keyword_is_decided_as_jsonschema_decides_it(
    schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    check = _written(schema, monkeypatch)
    validator = Draft202012Validator(schema)
    for value in VALUES:
        got = _verdict(check, value)
        assert got is None or got is validator.is_valid(value), value
        if got is None:  # only a class json.loads never gives, or items it cannot compare
            assert type(value) in {tuple, OrderedDict} or (
                schema.get("uniqueItems") and any(type(e) is not str for e in value)
            ), value


@pytest.mark.parametrize("odd", [("s-1",), OrderedDict(id="s-1")], ids=["tuple", "mapping"])
def test_a_document_no_json_reader_gives_is_left_to_jsonschema(odd: Any) -> None:
    document = next(iter(_valid_fixtures("session")))
    altered = {**document, "trail": odd}
    check = schemas._generate("session")
    assert check is not None
    assert _verdict(check, altered) is None
    by_jsonschema = schemas._validator("session").is_valid(altered)
    assert (not list(violations("session", altered))) is by_jsonschema


def test_a_tampered_stored_session_is_still_refused() -> None:
    document = next(iter(_valid_fixtures("session")))
    for tampered in (
        {**document, "revision": True},
        {**document, "revision": 1.5},
        {**document, "status": "approved"},
        {**document, "admin": True},
        {k: v for k, v in document.items() if k != "id"},
    ):
        with pytest.raises(UsageError) as refused:
            load_session(tampered)
        assert refused.value.code == "session.invalid"


@pytest.mark.parametrize(
    ("pattern", "anchored"),
    [
        ("^[a-z]+$", True),
        ("^(a|b)c", True),
        ("^[|]a", True),
        ("^\\|b", True),
        ("^a|b", False),
        ("^\\\\|b", False),
        ("a^", False),
        ("[^a]", False),
    ],
)
def test_a_pattern_is_tried_at_the_start_only_when_every_match_starts_there(
    pattern: str, anchored: bool
) -> None:
    assert schemas._anchored(pattern) is anchored
