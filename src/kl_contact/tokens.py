"""Signed session tokens, for hosts that keep the session on the client (a cookie, a hidden field).

A token is ``v1.KEY.PAYLOAD.SIGNATURE`` (``v1z`` when the payload is zlib-compressed):
``PAYLOAD`` is the base64url of compact JSON holding the session document and its expiry,
``SIGNATURE`` the base64url of HMAC-SHA256 over everything before it, keyed by the secret
whose id is ``KEY``. Several keys may be known at once, one of them active: tokens are sealed
with the active key and opened with any known one, so keys rotate without logging anyone out.

Opening never raises for a bad token: a malformed, foreign (unknown key), tampered, expired
or unreadable token gives a :class:`TokenRefused` value with a stable code. A token is
signed, not encrypted: whoever holds it can read the session (the user's own answers), so a
host must not log tokens; nothing here ever puts a token's content, a secret or a refused
token into a repr, a message or an exception. ``now`` is always the host's: no clock is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from kl_contact._convert import converter
from kl_contact.engine.session import Session
from kl_contact.errors import UsageError
from kl_contact.messages import message
from kl_contact.wire import dump_session, load_session

__all__ = [
    "COOKIE_LIMIT",
    "MIN_SECRET_BYTES",
    "SealedToken",
    "SessionTokens",
    "SigningKey",
    "TokenKeyring",
    "TokenRefusal",
    "TokenRefused",
]

MIN_SECRET_BYTES = 32
"""The shortest secret a :class:`SigningKey` accepts (the size of an HMAC-SHA256 digest)."""

COOKIE_LIMIT = 4096
"""The size, in bytes, that browsers guarantee for one cookie (name and value together)."""

MAX_TOKEN_CHARS = 256 * 1024
"""Longer input is refused before any work is done on it."""

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PLAIN, _COMPRESSED = "v1", "v1z"

TokenRefusal = Literal[
    "token.malformed", "token.unknown_key", "token.tampered", "token.expired", "token.unreadable"
]
"""Why a token was refused."""


@attrs.frozen
class TokenRefused:
    """A token that cannot be opened, as data: a stable ``code`` and the ``part`` at fault.

    ``part`` is one of ``token``, ``key``, ``signature``, ``expiry`` and ``session``. Neither
    field, nor :meth:`message`, says anything about what the token held.
    """

    code: TokenRefusal
    part: str

    def message(self, locale: str = "en") -> str:
        """What to tell the user, in ``locale`` (Russian and English ship)."""
        return message(self.code, locale, "en")


@attrs.frozen
class SigningKey:
    """One HMAC secret and the short id that names it inside tokens (``[A-Za-z0-9_-]{1,32}``)."""

    id: str
    secret: bytes = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        if not _KEY_ID.match(self.id):
            raise UsageError("a key id is 1-32 letters, digits, '_' or '-'", code="token.key_id")
        if len(self.secret) < MIN_SECRET_BYTES:
            raise UsageError(
                f"the secret of key {self.id!r} is shorter than {MIN_SECRET_BYTES} bytes",
                code="token.key_weak",
            )


@attrs.frozen
class TokenKeyring:
    """The keys a host knows, and the id of the ``active`` one that seals new tokens.

    To rotate: add a new key and make it active, keep the old one until the tokens it sealed
    have expired, then drop it (its tokens are then refused as ``token.unknown_key``).
    """

    keys: tuple[SigningKey, ...] = attrs.field(converter=tuple)
    active: str

    def __attrs_post_init__(self) -> None:
        ids = [key.id for key in self.keys]
        if len(set(ids)) != len(ids):
            raise UsageError("two keys share an id", code="token.key_duplicate")
        if self.active not in ids:
            raise UsageError(f"the active key {self.active!r} is not listed", code="token.key_id")

    def key(self, key_id: str) -> SigningKey | None:
        """The key named ``key_id``, or ``None`` when it is not known."""
        return next((key for key in self.keys if key.id == key_id), None)


@attrs.frozen
class SealedToken:
    """A sealed token and its size report.

    ``token`` is what the host stores on the client (it is kept out of the repr: it holds the
    session). ``json_bytes`` is the size of the compact JSON, ``payload_bytes`` of what was
    signed after optional compression, and ``size`` the length of the token itself.
    """

    token: str = attrs.field(repr=False)
    key_id: str
    expires_at: datetime
    json_bytes: int
    payload_bytes: int
    compressed: bool

    @property
    def size(self) -> int:
        """The token's length in bytes (it is ASCII)."""
        return len(self.token)

    @property
    def fits_in_cookie(self) -> bool:
        """Whether the token alone stays within :data:`COOKIE_LIMIT`."""
        return self.size <= COOKIE_LIMIT


@attrs.frozen
class _Envelope:
    """What a token's payload holds: the expiry (Unix seconds) and the session document."""

    exp: int
    session: dict[str, Any]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Decode base64url without padding; ``None`` unless ``text`` is its canonical form."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64(data) == text else None


def _sign(key: SigningKey, signed_part: str) -> str:
    return _b64(hmac.new(key.secret, signed_part.encode("ascii"), hashlib.sha256).digest())


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError("now must carry a time zone", code="time.naive")
    return now


@attrs.frozen
class SessionTokens:
    """Seals sessions into signed tokens and opens them again.

    ``ttl`` is how long a token stays valid after sealing. ``compress`` is ``True`` (always
    zlib), ``False`` (never) or ``None`` (when it makes the token smaller).

    >>> from datetime import timedelta
    >>> tokens = SessionTokens(TokenKeyring([SigningKey("k1", b"s" * 32)], active="k1"),
    ...                        ttl=timedelta(hours=2))
    """

    keyring: TokenKeyring
    ttl: timedelta
    compress: bool | None = None

    def seal(self, session: Session, now: datetime) -> SealedToken:
        """A token holding ``session``, valid until ``now + ttl``, signed by the active key."""
        expires_at = _aware(now) + self.ttl
        envelope = _Envelope(exp=int(expires_at.timestamp()), session=dump_session(session))
        raw = json.dumps(
            converter.unstructure(envelope), separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        payload = raw
        if self.compress is not False:
            squeezed = zlib.compress(raw, 9)
            if self.compress or len(squeezed) < len(raw):
                payload = squeezed
        version = _COMPRESSED if payload is not raw else _PLAIN
        key = self.keyring.key(self.keyring.active)
        assert key is not None  # the keyring checks that the active key is listed
        signed_part = f"{version}.{key.id}.{_b64(payload)}"
        return SealedToken(
            token=f"{signed_part}.{_sign(key, signed_part)}",
            key_id=key.id,
            expires_at=expires_at,
            json_bytes=len(raw),
            payload_bytes=len(payload),
            compressed=payload is not raw,
        )

    def open(self, token: str, now: datetime) -> Session | TokenRefused:
        """The session inside ``token``, or why it is refused (never an exception for a bad
        token; only a naive ``now`` raises, as it is the host's mistake)."""
        now = _aware(now)
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            return TokenRefused("token.malformed", "token")
        parts = token.split(".")
        if len(parts) != 4 or parts[0] not in {_PLAIN, _COMPRESSED}:
            return TokenRefused("token.malformed", "token")
        version, key_id, encoded, signature = parts
        key = self.keyring.key(key_id)
        if key is None:
            return TokenRefused("token.unknown_key", "key")
        expected = _sign(key, f"{version}.{key_id}.{encoded}")
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            return TokenRefused("token.tampered", "signature")
        envelope = self._envelope(version, encoded)
        if envelope is None:
            return TokenRefused("token.unreadable", "session")
        if now.timestamp() >= envelope.exp:
            return TokenRefused("token.expired", "expiry")
        try:  # signed by one of our keys: read strictly, without the schema check again
            return load_session(envelope.session, trusted=True)
        except UsageError:
            return TokenRefused("token.unreadable", "session")

    @staticmethod
    def _envelope(version: str, encoded: str) -> _Envelope | None:
        payload = _unb64(encoded)
        if payload is None:
            return None
        try:
            if version == _COMPRESSED:
                payload = zlib.decompress(payload)
            document = json.loads(payload.decode("utf-8"))
            if not isinstance(document, Mapping):
                return None
            envelope: _Envelope = converter.structure(document, _Envelope)
        except Exception:  # zlib, UTF-8, JSON or cattrs: a signed token we cannot read
            return None
        return envelope
