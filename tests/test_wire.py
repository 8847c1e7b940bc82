"""The JSON entry point with sessions a host stored itself: the trusted path, and session
documents that leave out the fields at their default (``kl_contact.wire``)."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, walk
from kl_contact import (
    Engine,
    JsonEngine,
    Session,
    SessionTokens,
    SigningKey,
    TokenKeyring,
    TokenRefused,
    UsageError,
    default_workflow,
    dump_session,
    dump_ticket,
    load_session,
)
from kl_contact.schemas import violations
from kl_contact.ticket.model import TicketRouting
from schema_strategies import JSON_VALUES, replace_member


def _over_long(engine: Engine) -> dict[str, Any]:
    """A session document that reads as a session but breaks the schema (an id too long)."""
    document = dump_session(walk(engine, "email", "en")[2].session)
    return {**document, "id": "x" * 10_000}


def test_a_trusted_session_skips_the_schema_but_an_untrusted_one_does_not(
    engine: Engine,
) -> None:
    document = _over_long(engine)
    with pytest.raises(UsageError) as refused:
        load_session(document)
    assert refused.value.code == "session.invalid"
    assert load_session(document, trusted=True).id == document["id"]


@pytest.mark.parametrize(
    "change",
    [{"answers": []}, {"unknown": 1}, {"step": "nowhere"}, {"status": 7}],
    ids=["mistyped", "unknown field", "unknown step", "mistyped status"],
)
def test_a_trusted_session_is_still_read_strictly_and_must_fit_the_workflow(
    engine: Engine, change: dict[str, Any]
) -> None:
    document = {**dump_session(walk(engine, "email", "en")[2].session), **change}
    response = JsonEngine(engine).handle(
        {"session": document, "event": {"type": "back"}, "now": NOW.isoformat()},
        trusted_session=True,
    )
    assert not response["ok"]
    assert response["error"]["code"] in {"document.invalid", "session.misfit"}
    # the session comes back only when it is a valid session document, else null
    valid = not list(violations("session", document))
    assert response["session"] == (document if valid else None)


def test_a_tampered_token_is_refused_although_tokens_skip_the_schema(engine: Engine) -> None:
    tokens = SessionTokens(
        TokenKeyring([SigningKey("k1", b"s" * 32)], active="k1"), ttl=timedelta(hours=1)
    )
    token = tokens.seal(walk(engine, "email", "en")[2].session, NOW).token
    version, key, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    envelope = json.loads(zlib.decompress(raw) if version == "v1z" else raw)
    envelope["session"]["id"] = "x" * 10_000  # reads as a session, breaks the schema
    forged = base64.urlsafe_b64encode(json.dumps(envelope).encode()).rstrip(b"=").decode()
    opened = tokens.open(f"{version}.{key}.{forged}.{signature}", NOW)
    assert opened == TokenRefused("token.tampered", "signature")


STORED = Path(__file__).resolve().parent / "fixtures" / "stored"


def test_a_session_stored_with_every_field_spelled_out_reads_the_same(engine: Engine) -> None:
    """Sessions used to be written with every field; those a host stored then still load."""
    full = json.loads((STORED / "session-confirmed-phone-en-full.json").read_text("utf-8"))
    assert not list(violations("session", full))
    session = walk(engine, "phone", "en")[-1].session
    assert load_session(full) == session
    assert load_session(full, trusted=True) == session
    compact = dump_session(session)
    assert load_session(compact) == session
    assert len(json.dumps(compact)) < len(json.dumps(full))


_WRITTEN_ANYWAY = {(Session, "revision")} | {
    (TicketRouting, f.name) for f in attrs.fields(TicketRouting)
}
"""What a session document spells out at its default: the revision a store compares, and a
ticket's routing as the ticket schema requires it."""


def _written_defaults(value: Any, document: Any, path: str) -> list[str]:
    """Where ``document``, written from ``value``, spells out a field at its default."""
    if attrs.has(type(value)) and isinstance(document, dict):
        found = []
        for field in attrs.fields(type(value)):
            if field.name not in document:
                continue
            current = getattr(value, field.name)
            default = field.default
            if isinstance(default, attrs.Factory):
                default = default.factory()
            if current == default and (type(value), field.name) not in _WRITTEN_ANYWAY:
                found.append(f"{path}.{field.name}")
            found += _written_defaults(current, document[field.name], f"{path}.{field.name}")
        return found
    if isinstance(value, tuple) and isinstance(document, list):
        return [
            where
            for index, (item, written) in enumerate(zip(value, document, strict=True))
            for where in _written_defaults(item, written, f"{path}[{index}]")
        ]
    return []


@pytest.mark.parametrize(("channel", "locale"), [("email", "en"), ("chat", "ru"), ("phone", "en")])
def test_a_session_document_leaves_out_what_holds_its_default(
    engine: Engine, channel: str, locale: str
) -> None:
    for transition in walk(engine, channel, locale):
        session = transition.session
        document = dump_session(session)
        assert _written_defaults(session, document, "session") == []
        assert load_session(document) == session
        assert load_session(json.loads(json.dumps(document)), trusted=True) == session


def test_a_ticket_written_on_its_own_keeps_every_field(engine: Engine) -> None:
    """Only a session is written short: a backend reads a ticket with every field."""
    submission = walk(engine, "phone", "en")[-1].session.submission
    assert submission is not None
    ticket = dump_ticket(submission.ticket)
    assert {"licence_key", "callback", "attachments"} <= set(ticket)
    assert all("prefilled" in answer for answer in ticket["answers"])
    session_ticket = dump_session(walk(engine, "phone", "en")[-1].session)["submission"]["ticket"]
    assert "licence_key" not in session_ticket


_STORED_SESSIONS = [
    dump_session(t.session)
    for channel, locale in (("email", "en"), ("phone", "en"))
    for t in walk(Engine(default_workflow()), channel, locale)[::3]
]


@settings(max_examples=300, deadline=None)
@given(
    pick=st.integers(min_value=0),
    path=st.lists(st.integers(min_value=0), max_size=6),
    value=JSON_VALUES,
)
def test_a_trusted_session_altered_anywhere_is_read_as_sent_or_refused(
    pick: int, path: list[int], value: Any
) -> None:
    """A stored session changed in the store (by hand, by a bug) is either still a session
    that reads the same whether trusted or not, or refused as ``document.invalid``."""
    document = replace_member(_STORED_SESSIONS[pick % len(_STORED_SESSIONS)], path, value)
    refused: str | None = None
    try:
        trusted = load_session(document, trusted=True)
    except UsageError as exc:
        refused = exc.code
    if refused is not None:
        assert refused == "document.invalid"
        with pytest.raises(UsageError):
            load_session(document)
    elif not list(violations("session", document)):
        assert load_session(document) == trusted
