"""The shared fixture documents get their expected verdict from the Python side.

tests/js/ checks the very same files with ajv; together the two prove that a frontend
validating with the shipped schemas accepts and refuses exactly what the library does.
The files are written by tests/fixtures/make_documents.py (``make fixtures``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW
from kl_contact import (
    ChooseChannel,
    Continue,
    Engine,
    Next,
    UsageError,
    dump_session,
    load_event,
    load_session,
    schemas,
)
from kl_contact.schemas import SCHEMA_NAMES, violations
from schema_strategies import JSON_VALUES, replace_member

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
FILES = sorted(DOCUMENTS.glob("*.json"))
COVERED = {"workflow", "session", "view", "event", "ticket", "receipt", "instructions"}


def _read(path: Path) -> dict[str, Any]:
    fixture: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return fixture


def test_the_set_is_large_and_mixed() -> None:
    fixtures = [_read(path) for path in FILES]
    assert len(fixtures) >= 60
    invalid = [f for f in fixtures if not f["valid"]]
    assert len(invalid) * 3 >= len(fixtures)
    for schema in COVERED:
        verdicts = {f["valid"] for f in fixtures if f["schema"] == schema}
        assert verdicts == {True, False}, schema
    assert {f["schema"] for f in fixtures} <= set(SCHEMA_NAMES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_jsonschema_gives_the_expected_verdict(path: Path) -> None:
    fixture = _read(path)
    found = list(violations(fixture["schema"], fixture["document"]))
    assert (not found) is fixture["valid"], [v.message for v in found]


@pytest.mark.parametrize(
    "path",
    [p for p in FILES if _read(p)["schema"] in {"session", "event"}],
    ids=lambda p: p.stem,
)
def test_the_library_loads_what_the_schema_accepts_and_refuses_the_rest(path: Path) -> None:
    fixture = _read(path)
    load = load_session if fixture["schema"] == "session" else load_event
    if fixture["valid"]:
        load(fixture["document"])
    else:
        with pytest.raises(UsageError):
            load(fixture["document"])


def test_a_session_holding_issues_survives_storage(engine: Engine) -> None:
    """After a wrong answer the session carries issues with paths; a store must get it back."""
    started = engine.start(session_id="st-1", now=NOW, locale="en")
    session = engine.handle(started.session, Continue(), NOW).session
    session = engine.handle(session, ChooseChannel("chat"), NOW).session
    wrong = engine.handle(session, Next({"subject": "VPN"}), NOW).session
    assert wrong.issues
    assert load_session(dump_session(wrong)) == wrong


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_compiled_validator_gives_jsonschemas_verdict(path: Path) -> None:
    fixture = _read(path)
    check = schemas._compile(fixture["schema"])
    assert check is not None, "fastjsonschema is part of the dev extra"
    try:
        check(fixture["document"])
    except fastjsonschema.JsonSchemaValueException:
        compiled = False
    else:
        compiled = True
    by_jsonschema = schemas._validator(fixture["schema"]).is_valid(fixture["document"])
    assert compiled is by_jsonschema is fixture["valid"]


def _fixtures_of(schema: str) -> list[Any]:
    return [_read(p)["document"] for p in FILES if _read(p)["schema"] == schema]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schema=st.sampled_from(["session", "event", "view", "ticket", "receipt", "wire"]),
    pick=st.integers(min_value=0),
    path=st.lists(st.integers(min_value=0), max_size=6),
    value=JSON_VALUES,
)
def test_the_compiled_validator_never_accepts_what_jsonschema_refuses(
    schema: str, pick: int, path: list[int], value: Any
) -> None:
    valid = [d for d in _fixtures_of(schema) if schemas._validator(schema).is_valid(d)]
    document = replace_member(valid[pick % len(valid)], path, value)
    assert (not list(violations(schema, document))) is schemas._validator(schema).is_valid(document)


_ENVELOPE = {
    "type": "object",
    "properties": {"handle": {"type": "object"}},
    "required": ["handle"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("other", "keyed"),
    [
        ({"type": "object", "required": ["ok"]}, True),
        ({"oneOf": [{"required": ["ok", "error"]}, {"required": ["ok"]}]}, True),
        ({"type": "object"}, False),
        ({"type": "object", "required": ["handle"]}, False),
        ({"anyOf": [{"required": ["ok"]}, {"required": ["error"]}]}, False),
    ],
    ids=["requires its own key", "its forms share one", "requires nothing", "requires the key",
         "its forms share none"],
)  # fmt: skip
def test_a_request_is_checked_against_its_envelope_only_when_nothing_else_can_match(
    other: dict[str, Any], keyed: bool
) -> None:
    schema = {
        "oneOf": [{"$ref": "#/$defs/envelope"}, {"$ref": "#/$defs/other"}],
        "$defs": {"envelope": _ENVELOPE, "other": other},
    }
    found = schemas._keyed_branches(schema)
    assert found == ({"handle": "#/$defs/envelope"} if keyed else {})


def test_every_request_of_the_wire_has_its_own_envelope() -> None:
    found = schemas._keyed_branches(schemas.load_schema("wire"))
    assert set(found) == {"start", "handle", "resume", "erase"}


def test_a_compiled_refusal_is_bare_and_quotes_nothing_of_the_document() -> None:
    """The compiled checks only give a verdict: no message, no path and no value (which
    may be personal data) is built, on the way to a match or at a refusal."""
    check = schemas._compile("session")
    assert check is not None
    valid = next(
        _read(p)["document"] for p in FILES if _read(p)["schema"] == "session" and _read(p)["valid"]
    )
    check(valid)
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as refused:
        check({**valid, "id": "jane.roe@example.org" * 20})
    assert refused.value.args == ()
    assert "jane" not in repr(refused.value)
