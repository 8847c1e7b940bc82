"""Reply threading: which request an incoming e-mail answers.

Two clues, in this order: the In-Reply-To and References headers, when the host says which
Message-ID it gave each registration e-mail, and the request's tag in the subject: the
definition's ``requests.subject_tag`` when the caller passes its :class:`RequestFormat` (such
as Request Tracker's ``[rtname #ID]``), else the built-in ``[Request #NUMBER]`` (found anywhere
in it, whatever prefixes such as ``Re:``, ``AW:``, ``Fwd:`` or ``Ответ:`` a
mail program added and whatever else the user changed). Encoded headers (RFC 2047) are decoded
first. This module only reads the headers it is given: it never opens a mailbox or sends.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata
from collections.abc import Mapping
from email.header import Header, decode_header, make_header
from email.message import Message
from functools import lru_cache
from typing import Any

from kl_contact.definition.model import RequestFormat

__all__ = ["find_request_number", "request_number_in_subject"]

_NUMBER = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}"
_TOKEN = re.compile(r"\[\s*request\s*(?:#|№|no\.?)\s*([A-Za-z0-9][A-Za-z0-9._/-]{0,63})\s*\]", re.I)
_DEFAULT_TAG = RequestFormat().subject_tag
_PLACEHOLDERS = frozenset({"{request_number}", "{id}"})
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
MAX_HEADER = 16_384
"""How many characters of a header are looked at (a hostile header may be huge)."""


def _charset(name: str | None) -> str:
    if not name or name == "unknown-8bit":
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def _decoded(value: Any) -> str:
    if isinstance(value, Header):  # compat32 wraps 8-bit headers, charset unknown
        value = "".join(
            part.decode(_charset(charset), "replace") if isinstance(part, bytes) else part
            for part, charset in decode_header(value)
        )
    text = str(value)[:MAX_HEADER]
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # raw 8-bit bytes kept as surrogates
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" in text:
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            text = str(make_header(decode_header(text)))
    return unicodedata.normalize("NFKC", " ".join(text.split()))


@lru_cache(maxsize=64)
def _tag_pattern(subject_tag: str) -> re.Pattern[str]:
    """A pattern finding ``subject_tag`` with its placeholder as the one group."""
    parts = re.split(r"(\{request_number\}|\{id\})", subject_tag)
    pattern = "".join(
        f"({_NUMBER})" if part in _PLACEHOLDERS else re.escape(part).replace("\\ ", r"\s*")
        for part in parts
    )
    return re.compile(pattern, re.I)


def request_number_in_subject(subject: str, requests: RequestFormat | None = None) -> str | None:
    """The request number of the last request tag in ``subject``, or ``None``.

    With ``requests`` (the definition's :class:`RequestFormat`) its ``subject_tag`` is looked
    for first, and a tag made of the backend's ticket id gives the request number in the
    definition's format; the built-in ``[Request #NUMBER]`` is always recognised.

    >>> request_number_in_subject("AW: Re: [Request #KL-1024] Request registered: scan fails")
    'KL-1024'
    >>> rt = RequestFormat(number="KL-{id}", subject_tag="[kl-contact #{id}]")
    >>> request_number_in_subject("Re: [kl-contact #1024] AutoReply: scan fails", rt)
    'KL-1024'
    """
    text = _decoded(subject)
    if requests is not None and requests.subject_tag != _DEFAULT_TAG:
        found = _tag_pattern(requests.subject_tag).findall(text)
        if found:
            if "{request_number}" in requests.subject_tag:
                return str(found[-1])
            return requests.request_number(found[-1])
    found = _TOKEN.findall(text)
    return found[-1] if found else None


def _headers(message: Message | Mapping[str, Any], name: str) -> list[str]:
    if isinstance(message, Message):
        return [_decoded(v) for v in message.get_all(name, [])]
    for key, value in message.items():
        if key.lower() == name.lower():
            values = value if isinstance(value, list | tuple) else [value]
            return [_decoded(v) for v in values]
    return []


def _ids(values: list[str]) -> list[str]:
    return [m for v in values for m in _MESSAGE_ID.findall(v[:MAX_HEADER])]


def find_request_number(
    message: Message | Mapping[str, Any],
    *,
    sent: Mapping[str, str] | None = None,
    requests: RequestFormat | None = None,
) -> str | None:
    """The request number ``message`` replies to, or ``None``.

    ``message`` is a parsed e-mail (any policy) or a mapping of its header names to values.
    ``sent`` maps each Message-ID the host gave a registration e-mail (with or without angle
    brackets) to its request number; In-Reply-To, then References newest first, are looked up
    in it before the subject is read. ``requests`` is the definition's request format, whose
    subject tag is recognised besides the built-in one (see :func:`request_number_in_subject`).
    """
    if sent:
        known = {key.strip().strip("<>"): number for key, number in sent.items()}
        references = _ids(_headers(message, "References"))
        for mid in _ids(_headers(message, "In-Reply-To")) + references[::-1]:
            if mid in known:
                return known[mid]
    for subject in _headers(message, "Subject"):
        number = request_number_in_subject(subject, requests)
        if number is not None:
            return number
    return None
