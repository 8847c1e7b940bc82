"""The JSON entry point's trusted path and its effect loop (``kl_contact.wire``)."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta
from typing import Any

import pytest

from conftest import NOW, receipt_for, script, walk
from kl_contact import (
    Engine,
    Event,
    JsonEngine,
    SessionTokens,
    SigningKey,
    TokenKeyring,
    TokenRefused,
    UsageError,
    dump_receipt,
    dump_session,
    dump_transition,
    load_session,
)
from kl_contact._convert import converter


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
    assert response["session"] == document


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


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_perform_ends_where_a_hosts_own_loop_of_calls_ends(engine: Engine, channel: str) -> None:
    """Each user event through one call with ``perform`` gives the session and view that the
    engine gives when the results are fed back one call at a time."""
    wire = JsonEngine(engine)
    asked: list[str] = []

    def perform(effect: dict[str, Any]) -> dict[str, Any] | None:
        asked.append(effect["type"])
        if effect["type"] == "search_articles":
            match = {"id": "kb-1", "title": "An article", "url": "https://example.com/kb/1"}
            found = [{**match, "score": 1.0}]
            return {"type": "articles_found", "search_id": effect["search_id"], "matches": found}
        if effect["type"] == "submit_ticket":
            receipt = dump_receipt(receipt_for(effect["ticket"]["channel"]))
            return {
                "type": "ticket_accepted",
                "submission_id": effect["submission_id"],
                "receipt": receipt,
            }
        return None

    started = wire.start({"session_id": "s-1", "now": NOW.isoformat(), "locale": "en"})
    document, now, left = started["transition"]["session"], NOW, []
    for event in script(channel, "en"):
        now += timedelta(seconds=30)
        request = {"session": document, "event": converter.unstructure(event, Event)}
        response = wire.handle({**request, "now": now.isoformat()}, perform=perform)
        assert response["ok"], response
        document, left = response["transition"]["session"], response["transition"]["effects"]
    expected = walk(engine, channel, "en")[-1]
    assert document == dump_session(expected.session)
    assert response["transition"]["view"] == dump_transition(expected)["view"]
    assert [effect["type"] for effect in left] == ["send_registration_email"]
    assert asked.count("submit_ticket") == 1
    assert asked[-1] == "send_registration_email"
