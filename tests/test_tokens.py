"""Signed session tokens: round trip, tamper, expiry, key rotation, size, and no leaks."""

from __future__ import annotations

import typing
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, NOW, walk
from kl_contact import (
    Engine,
    SealedToken,
    Session,
    SessionTokens,
    SigningKey,
    TokenKeyring,
    TokenRefused,
    UsageError,
    dump_session,
)
from kl_contact.tokens import COOKIE_LIMIT, TokenRefusal

OLD = SigningKey("2026-10", b"o" * 32)
NEW = SigningKey("2026-11", bytes(range(40)))
TTL = timedelta(hours=2)


def tokens(*keys: SigningKey, active: str | None = None, **kw: typing.Any) -> SessionTokens:
    return SessionTokens(TokenKeyring(keys, active=active or keys[0].id), ttl=TTL, **kw)


@pytest.fixture(scope="module")
def session(workflow: typing.Any) -> Session:
    """A session at the confirmation: it holds a name, an e-mail and a description."""
    return walk(Engine(workflow), "email", "en")[-1].session


@pytest.mark.parametrize("compress", [None, True, False])
def test_round_trip(session: Session, compress: bool | None) -> None:
    sealer = tokens(OLD, compress=compress)
    sealed = sealer.seal(session, NOW)
    opened = sealer.open(sealed.token, NOW + timedelta(minutes=5))
    assert isinstance(opened, Session)
    assert dump_session(opened) == dump_session(session)
    assert sealed.compressed is (compress is not False)
    assert sealed.expires_at == NOW + TTL
    assert sealed.key_id == OLD.id


def test_size_report(session: Session) -> None:
    plain = tokens(OLD, compress=False).seal(session, NOW)
    packed = tokens(OLD).seal(session, NOW)
    assert plain.json_bytes == plain.payload_bytes == packed.json_bytes
    assert packed.payload_bytes < packed.json_bytes
    assert packed.size == len(packed.token) < plain.size
    assert packed.fits_in_cookie
    # base64 of the payload, two short ids and a 43-character signature
    assert plain.size == len("v1.2026-10.") + -(-plain.payload_bytes * 4 // 3) + 1 + 43


def test_a_token_too_large_for_a_cookie_says_so() -> None:
    sealed = SealedToken("x" * (COOKIE_LIMIT + 1), "k", NOW, 1, 1, compressed=False)
    assert not sealed.fits_in_cookie


def _flip(token: str, index: int, replacement: str) -> str:
    return token[:index] + replacement + token[index + 1 :]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_one_byte_flipped_is_refused(session: Session, data: st.DataObject) -> None:
    sealer = tokens(OLD)
    token = sealer.seal(session, NOW).token
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != token[index]))
    refused = sealer.open(_flip(token, index, replacement), NOW)
    assert isinstance(refused, TokenRefused)
    version, key_id, _, _ = token.split(".")
    if index >= len(version) + len(key_id) + 2 and "." not in (token[index], replacement):
        assert refused == TokenRefused("token.tampered", "signature")
    else:  # the version, the key id or a separator
        assert refused.code in {"token.malformed", "token.unknown_key"}


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_flipped_byte_in_the_payload_or_signature_is_tampering(
    session: Session, where: str
) -> None:
    sealer = tokens(OLD)
    token = sealer.seal(session, NOW).token
    version, key_id, payload, _ = token.split(".")
    start = len(version) + len(key_id) + 2 + (0 if where == "payload" else len(payload) + 1)
    index = start + 5
    flipped = _flip(token, index, "A" if token[index] != "A" else "B")
    assert sealer.open(flipped, NOW) == TokenRefused("token.tampered", "signature")


def test_expiry_is_checked_against_the_hosts_now(session: Session) -> None:
    sealer = tokens(OLD)
    token = sealer.seal(session, NOW).token
    assert isinstance(sealer.open(token, NOW + TTL - timedelta(seconds=1)), Session)
    assert sealer.open(token, NOW + TTL) == TokenRefused("token.expired", "expiry")
    assert sealer.open(token, NOW + timedelta(days=30)) == TokenRefused("token.expired", "expiry")


def test_key_rotation(session: Session) -> None:
    before = tokens(OLD).seal(session, NOW).token
    rotating = tokens(OLD, NEW, active=NEW.id)
    after = rotating.seal(session, NOW)
    assert after.key_id == NEW.id
    # while both keys are known, tokens from either open
    assert isinstance(rotating.open(before, NOW), Session)
    assert isinstance(rotating.open(after.token, NOW), Session)
    # once the old key is dropped, its tokens are foreign; the new ones still open
    rotated = tokens(NEW)
    assert rotated.open(before, NOW) == TokenRefused("token.unknown_key", "key")
    assert isinstance(rotated.open(after.token, NOW), Session)


def test_a_foreign_key_with_a_known_id_is_tampering(session: Session) -> None:
    foreign = tokens(SigningKey(OLD.id, b"f" * 32)).seal(session, NOW).token
    assert tokens(OLD).open(foreign, NOW) == TokenRefused("token.tampered", "signature")


@pytest.mark.parametrize(
    "token",
    ["", "v1", "v1.a.b", "v2.2026-10.e30.AAAA", "v1.2026-10.e30.AAAA.x", "v1.2026-10.é.AAAA"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert tokens(OLD).open(token, NOW) == TokenRefused("token.malformed", "token")


def test_an_oversized_token_is_refused_unread() -> None:
    assert tokens(OLD).open("v1." + "A" * 300_000, NOW) == TokenRefused("token.malformed", "token")


def test_a_signed_payload_that_is_not_a_session_is_unreadable() -> None:
    from kl_contact.tokens import _b64, _sign

    for payload in [b"not json", b"[1]", b'{"exp":1,"session":{}}', b'{"exp":"x"}']:
        signed_part = "v1." + OLD.id + "." + _b64(payload)
        token = signed_part + "." + _sign(OLD, signed_part)
        assert tokens(OLD).open(token, datetime(1970, 1, 1, tzinfo=NOW.tzinfo)) == TokenRefused(
            "token.unreadable", "session"
        )


@given(st.text(max_size=300))
def test_any_text_is_refused_without_an_exception(text: str) -> None:
    assert isinstance(tokens(OLD).open(text, NOW), TokenRefused)


def test_every_refusal_has_a_message_in_both_locales() -> None:
    for code in typing.get_args(TokenRefusal):
        refused = TokenRefused(code, "token")
        assert refused.message("en")
        assert refused.message("ru")
        assert refused.message("en") != refused.message("ru")
        assert refused.message("de") == refused.message("en")


def test_nothing_personal_or_secret_in_reprs(session: Session) -> None:
    sealed = tokens(OLD, compress=False).seal(session, NOW)
    shown = repr(sealed) + repr(OLD) + repr(tokens(OLD))
    assert sealed.token not in shown
    assert "ooooooooo" not in shown
    for value in (DETAILS["name"], DETAILS["email"]):
        assert str(value) not in shown


def test_configuration_mistakes_raise() -> None:
    with pytest.raises(UsageError, match=r"token.key_weak"):
        SigningKey("short", b"too short")
    with pytest.raises(UsageError, match=r"token.key_id"):
        SigningKey("has.dot", b"x" * 32)
    with pytest.raises(UsageError, match=r"token.key_id"):
        TokenKeyring([OLD], active="missing")
    with pytest.raises(UsageError, match=r"token.key_duplicate"):
        TokenKeyring([OLD, SigningKey(OLD.id, b"y" * 32)], active=OLD.id)


def test_a_naive_now_is_the_hosts_mistake(session: Session) -> None:
    with pytest.raises(UsageError, match=r"time.naive"):
        tokens(OLD).seal(session, datetime(2026, 11, 25, 10, 0))
    with pytest.raises(UsageError, match=r"time.naive"):
        tokens(OLD).open("v1.x.y.z", datetime(2026, 11, 25, 10, 0))


@pytest.mark.parametrize("keys", [(OLD, NEW), (NEW, OLD)])
def test_the_active_key_seals_wherever_it_is_listed(
    session: Session, keys: tuple[SigningKey, ...]
) -> None:
    sealed = tokens(*keys, active=NEW.id).seal(session, NOW)
    assert sealed.key_id == NEW.id
    assert sealed.token.split(".")[1] == NEW.id
    assert isinstance(tokens(NEW).open(sealed.token, NOW), Session)
    assert tokens(OLD).open(sealed.token, NOW) == TokenRefused("token.unknown_key", "key")


@pytest.mark.parametrize("keys", [(OLD, NEW), (NEW, OLD)])
def test_a_token_opens_with_the_key_it_names_not_the_active_one(
    session: Session, keys: tuple[SigningKey, ...]
) -> None:
    old_token = tokens(OLD).seal(session, NOW).token
    opened = tokens(*keys, active=NEW.id).open(old_token, NOW)
    assert isinstance(opened, Session)
    assert dump_session(opened) == dump_session(session)


def test_a_token_naming_one_key_but_signed_by_another_is_tampering(session: Session) -> None:
    new_token = tokens(NEW).seal(session, NOW).token
    version, _, payload, signature = new_token.split(".")
    relabelled = ".".join((version, OLD.id, payload, signature))
    assert tokens(OLD, NEW).open(relabelled, NOW) == TokenRefused("token.tampered", "signature")
