"""Signed session tokens: round trip, tamper, expiry, key rotation, size, and no leaks."""

from __future__ import annotations

import typing
from datetime import datetime, timedelta

import pytest
from attrs import evolve as attrs_evolve
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
    with pytest.raises(UsageError, match=r"time.naive") as excinfo:
        tokens(OLD).open("v1.x.y.z", datetime(2026, 11, 25, 10, 0))
    assert str(excinfo.value) == "time.naive: now must carry a time zone"


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


def _signed(payload: bytes, version: str = "v1z") -> str:
    from kl_contact.tokens import _b64, _sign

    signed_part = f"{version}.{OLD.id}.{_b64(payload)}"
    return signed_part + "." + _sign(OLD, signed_part)


def test_a_signed_zip_bomb_is_refused_after_reading_no_more_than_a_session_can_hold() -> None:
    import zlib

    from kl_contact.tokens import MAX_SESSION_BYTES

    bomb = zlib.compress(b'{"exp":9999999999,"session":"' + b"0" * 40_000_000 + b'"}', 9)
    assert len(_signed(bomb)) < 256 * 1024  # small enough to be read at all
    assert tokens(OLD).open(_signed(bomb), NOW) == TokenRefused("token.too_large", "session")
    # just under the cap is merely not a session; a cut stream is unreadable, not too large
    under = zlib.compress(b"0" * (MAX_SESSION_BYTES - 1))
    assert tokens(OLD).open(_signed(under), NOW) == TokenRefused("token.unreadable", "session")
    assert tokens(OLD).open(_signed(bomb[:200]), NOW) == TokenRefused("token.unreadable", "session")


def test_a_session_holding_a_refused_lone_surrogate_still_seals_and_opens(
    workflow: typing.Any,
) -> None:
    from conftest import script
    from kl_contact import Next

    engine = Engine(workflow)
    session = engine.start(session_id="s-1", now=NOW, locale="en").session
    for event in script("email", "en")[:2]:
        session = engine.handle(session, event, NOW).session
    session = engine.handle(session, Next({"subject": "Zed\ud800 cannot sign in"}), NOW).session
    assert "answer.not_encodable" in {i.code for i in session.issues}
    sealer = tokens(OLD)
    opened = sealer.open(sealer.seal(session, NOW).token, NOW)
    assert isinstance(opened, Session)
    assert dump_session(opened) == dump_session(session)


def _payload_json(sealed: SealedToken) -> bytes:
    """The JSON a token carries (the token's format is documented in kl_contact.tokens)."""
    import base64
    import zlib

    version, _, payload, _ = sealed.token.split(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return zlib.decompress(data) if version == "v1z" else data


@pytest.mark.parametrize("compress", [True, False])
def test_the_payload_is_compact_utf8_json(session: Session, compress: bool) -> None:
    import json

    sealed = tokens(OLD, compress=compress).seal(session, NOW)
    raw = _payload_json(sealed)
    compact = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)
    assert raw == compact.encode("utf-8")
    assert sealed.json_bytes == len(raw)


def test_a_cyrillic_session_is_carried_as_utf8_not_escapes(workflow: typing.Any) -> None:
    russian = walk(Engine(workflow), "email", "ru")[-1].session
    raw = _payload_json(tokens(OLD, compress=False).seal(russian, NOW))
    assert "Проверка".encode() in raw
    assert b"\\u" not in raw


def test_compression_is_zlib_at_its_best_level(session: Session) -> None:
    import base64
    import zlib

    sealed = tokens(OLD, compress=True).seal(session, NOW)
    assert sealed.compressed
    payload = sealed.token.split(".")[2]
    carried = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert carried == zlib.compress(_payload_json(sealed), 9)
    assert sealed.payload_bytes == len(carried)


def test_tokens_of_many_sessions_open_back(session: Session) -> None:
    # Compressed payloads end in a checksum, so in any base64url letter: each must decode.
    sealer = tokens(OLD, compress=True)
    endings = set()
    for index in range(200):
        sealed = sealer.seal(attrs_evolve(session, id=f"s-{index}"), NOW)
        endings.add(sealed.token.split(".")[2][-1])
        opened = sealer.open(sealed.token, NOW)
        assert isinstance(opened, Session)
        assert opened.id == f"s-{index}"
    assert len(endings) > 16


def test_a_signed_payload_in_a_non_canonical_encoding_is_unreadable(session: Session) -> None:
    from kl_contact.tokens import _b64, _sign

    sealer = tokens(OLD, compress=False)
    sealed = next(
        s
        for s in (sealer.seal(attrs_evolve(session, id="s" * n), NOW) for n in range(1, 4))
        if len(s.token.split(".")[2]) % 4 in {2, 3}  # the last letter carries unused bits
    )
    payload = sealed.token.split(".")[2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(payload[-1])
    other = payload[:-1] + alphabet[last ^ 1]  # the same bytes, other unused bits
    assert _b64(__import__("base64").urlsafe_b64decode(other + "==")) == payload
    signed_part = f"v1.{OLD.id}.{other}"
    token = f"{signed_part}.{_sign(OLD, signed_part)}"
    assert tokens(OLD).open(token, NOW) == TokenRefused("token.unreadable", "session")


@pytest.mark.parametrize("value", [None, 42, b"v1.a.b.c"])
def test_a_token_that_is_not_text_is_malformed(value: object) -> None:
    assert tokens(OLD).open(value, NOW) == TokenRefused("token.malformed", "token")  # type: ignore[arg-type]


def test_the_size_limit_is_inclusive() -> None:
    from kl_contact.tokens import MAX_TOKEN_CHARS

    head = "v1.unknown-key.e30."
    at_limit = head + "A" * (MAX_TOKEN_CHARS - len(head))
    assert tokens(OLD).open(at_limit, NOW) == TokenRefused("token.unknown_key", "key")
    over = at_limit + "A"
    assert tokens(OLD).open(over, NOW) == TokenRefused("token.malformed", "token")


def test_configuration_mistakes_carry_their_codes_and_say_what_is_wrong() -> None:
    with pytest.raises(UsageError) as weak:
        SigningKey("short", b"too short")
    assert weak.value.code == "token.key_weak"
    assert "'short'" in str(weak.value)
    assert "32 bytes" in str(weak.value)
    with pytest.raises(UsageError) as bad_id:
        SigningKey("has.dot", b"x" * 32)
    assert bad_id.value.code == "token.key_id"
    assert str(bad_id.value) == "token.key_id: a key id is 1-32 letters, digits, '_' or '-'"
    with pytest.raises(UsageError) as inactive:
        TokenKeyring([OLD], active="missing")
    assert inactive.value.code == "token.key_id"
    assert "'missing'" in str(inactive.value)
    with pytest.raises(UsageError) as duplicate:
        TokenKeyring([OLD, SigningKey(OLD.id, b"y" * 32)], active=OLD.id)
    assert duplicate.value.code == "token.key_duplicate"


def test_a_time_whose_zone_gives_no_offset_is_naive(session: Session) -> None:
    from datetime import tzinfo

    class Floating(tzinfo):
        def utcoffset(self, dt: datetime | None) -> None:
            return None

    floating = datetime(2026, 11, 25, 10, 0, tzinfo=Floating())
    with pytest.raises(UsageError) as excinfo:
        tokens(OLD).seal(session, floating)
    assert excinfo.value.code == "time.naive"
    assert "time zone" in str(excinfo.value)


def test_a_duplicate_key_id_says_so() -> None:
    with pytest.raises(UsageError) as excinfo:
        TokenKeyring([OLD, SigningKey(OLD.id, b"y" * 32)], active=OLD.id)
    assert str(excinfo.value) == "token.key_duplicate: two keys share an id"


def test_a_refusal_in_a_locale_without_its_text_reads_in_english() -> None:
    refused = TokenRefused("token.expired", "expiry")
    assert refused.message("de") == refused.message("en")
    assert refused.message("de") != refused.message("ru")


def test_a_signed_payload_that_inflates_past_the_limit_is_too_large() -> None:
    import zlib

    from kl_contact.tokens import _COMPRESSED, MAX_SESSION_BYTES, _b64, _sign

    bomb = zlib.compress(b" " * (MAX_SESSION_BYTES + 1024), 9)  # a few kilobytes signed
    signed_part = f"{_COMPRESSED}.{OLD.id}.{_b64(bomb)}"
    token = signed_part + "." + _sign(OLD, signed_part)
    assert tokens(OLD).open(token, NOW) == TokenRefused("token.too_large", "session")


def test_a_payload_ending_in_any_letter_of_the_alphabet_comes_back() -> None:
    from kl_contact.tokens import _b64, _unb64

    endings = set()
    for size in (1, 2, 3):
        for last in range(256):
            data = bytes(size - 1) + bytes([last])
            text = _b64(data)
            assert "=" not in text
            assert _unb64(text) == data
            endings.add(text[-1])
    assert len(endings) == 64


def test_a_signed_stream_that_never_ends_is_unreadable_though_it_holds_a_session(
    session: Session,
) -> None:
    import zlib

    plain = tokens(OLD, compress=False).seal(session, NOW)
    assert not plain.compressed
    raw = _payload_json(plain)
    packer = zlib.compressobj(9)
    unended = packer.compress(raw) + packer.flush(zlib.Z_SYNC_FLUSH)  # every byte, no end
    assert zlib.decompressobj().decompress(unended) == raw
    refused = tokens(OLD).open(_signed(unended), NOW)
    assert refused == TokenRefused("token.unreadable", "session")
    ended = unended + packer.flush()
    assert isinstance(tokens(OLD).open(_signed(ended), NOW), Session)


def test_a_signed_zip_bomb_is_never_inflated_past_what_a_session_can_hold() -> None:
    import tracemalloc
    import zlib

    from kl_contact.tokens import MAX_SESSION_BYTES

    bomb = _signed(zlib.compress(b'{"exp":9999999999,"session":"' + b"0" * 64_000_000, 9))
    tracemalloc.start()
    try:
        refused = tokens(OLD).open(bomb, NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused == TokenRefused("token.too_large", "session")
    assert peak < 4 * MAX_SESSION_BYTES  # memory, not time: a 64 MB bomb costs one session


def test_a_signed_payload_of_exactly_the_largest_size_is_read_not_refused_as_too_large() -> None:
    import zlib

    from kl_contact.tokens import MAX_SESSION_BYTES

    head, tail = b'{"exp":9999999999,"session":"', b'"}'
    exact = head + b"0" * (MAX_SESSION_BYTES - len(head) - len(tail)) + tail
    assert len(exact) == MAX_SESSION_BYTES
    # read to the end: a document, only not a session
    refused = tokens(OLD).open(_signed(zlib.compress(exact, 9)), NOW)
    assert refused == TokenRefused("token.unreadable", "session")
