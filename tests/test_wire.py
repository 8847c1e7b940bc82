"""The JSON entry point's trusted path for sessions a host stored itself (``kl_contact.wire``)."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta
from typing import Any

import pytest

from conftest import NOW, walk
from kl_contact import (
    Engine,
    JsonEngine,
    SessionTokens,
    SigningKey,
    TokenKeyring,
    TokenRefused,
    UsageError,
    dump_session,
    load_session,
)
from kl_contact.schemas import violations


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
