"""The shape of an answer to a question of the definition: text, choice, consent or files.

Answers are plain values a session keeps and a ticket carries; this module only says what
they may be. It imports nothing else of the library.
"""

from __future__ import annotations

import attrs

__all__ = ["AnswerValue", "Attachment"]


@attrs.frozen(repr=False)
class Attachment:
    """Metadata of one attached file; the host keeps the bytes."""

    name: str
    media_type: str
    size: int
    digest: str | None = None

    def __repr__(self) -> str:
        return f"Attachment(media_type={self.media_type!r}, size={self.size})"


AnswerValue = str | bool | tuple[str, ...] | tuple[Attachment, ...]
"""An answer: option id or text (``str``), consent (``bool``), option ids or attachments."""
