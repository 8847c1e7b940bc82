"""Whether an attached file's first bytes are what its name and declared type say.

The engine sees only an attachment's metadata (name, declared type, size): the bytes stay
with the host. A host that keeps the bytes can pass their beginning here before it stores
the file, and refuse a ``screenshot.png`` that is really a Windows executable. The bytes
are identified by their signature ("magic numbers") with puremagic, a maintained,
pure-Python signature database (install the ``uploads`` extra); a format without a
signature (plain text) is accepted only when the file is declared as text and reads as
UTF-8 without NUL bytes. Nothing here reads a file, keeps the bytes or puts them, the name
or the declared type in a message.
"""

from __future__ import annotations

import codecs

from kl_contact.definition.answers import Attachment
from kl_contact.errors import ValidationIssue
from kl_contact.messages import message
from kl_contact.questionnaire.fields import _extension

__all__ = ["HEAD_BYTES", "check_file_content", "content_matches"]

HEAD_BYTES = 4096
"""How many first bytes to pass: enough for every signature the check knows."""

_TEXT_TYPES = frozenset({"application/json", "application/xml", "application/x-ndjson"})


def _reads_as_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:  # not final: the head may end in the middle of a character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def content_matches(attachment: Attachment, head: bytes) -> bool:
    """Whether ``head`` (the file's first bytes) fits the attachment's extension or type.

    A recognised signature must belong to the declared extension or media type; bytes with
    no known signature fit only a file declared as text.

    >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(24)
    >>> content_matches(Attachment("screen.png", "image/png", 1000), png)
    True
    >>> content_matches(Attachment("screen.png", "image/png", 1000), b"MZ\\x90\\x00" + bytes(60))
    False
    """
    import puremagic

    declared_type = attachment.media_type.strip().lower()
    declared_extension = _extension(attachment.name)
    try:
        found = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        found = []
    if found:
        return any(
            (m.extension or "").lower() == declared_extension
            or (m.mime_type or "").lower() == declared_type
            for m in found
        )
    declared_text = declared_type.startswith("text/") or declared_type in _TEXT_TYPES
    return declared_text and _reads_as_text(head)


def check_file_content(
    attachment: Attachment,
    head: bytes,
    path: tuple[str | int, ...] = (),
    *,
    locale: str = "en",
    index: int = 1,
) -> ValidationIssue | None:
    """``attachment.content_mismatch`` at ``path`` when the bytes are not what the file
    says it is (see :func:`content_matches`), else None. ``index`` is the file's 1-based
    number in its answer, for the message."""
    if content_matches(attachment, head[:HEAD_BYTES]):
        return None
    params: dict[str, str | int] = {"index": index}
    return ValidationIssue(
        code="attachment.content_mismatch",
        path=path,
        message=message("attachment.content_mismatch", locale, "en", params),
        params=params,
    )
