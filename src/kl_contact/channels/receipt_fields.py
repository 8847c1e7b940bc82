"""What each channel needs of a receipt: the contact fields its next steps use.

A channel whose instructions use ``{chat_url}`` or offer an ``open_chat`` action needs
``contact.chat_url`` (a safe link); ``{phone}``, ``{phone_display}`` or a ``call`` action
need ``contact.phone``; ``{reply_within}`` needs ``reply_within_hours``. The engine refuses a
receipt without them, with an issue code that names the field, and the ``submit_ticket``
effect lists them so that the host knows before it asks its backend.
"""

from __future__ import annotations

import functools

from kl_contact._text import placeholders_in
from kl_contact.channels.instructions import safe_url
from kl_contact.definition.model import InstructionAction, Workflow
from kl_contact.ticket.model import Receipt

__all__ = ["RECEIPT_FIELD_CODES", "missing_receipt_fields", "receipt_fields"]

_BY_PLACEHOLDER = {
    "chat_url": "contact.chat_url",
    "phone": "contact.phone",
    "phone_display": "contact.phone",
    "reply_within": "reply_within_hours",
}
_BY_ACTION = {
    InstructionAction.OPEN_CHAT: "contact.chat_url",
    InstructionAction.CALL: "contact.phone",
}

RECEIPT_FIELD_CODES = {
    "contact.chat_url": "receipt.no_chat_url",
    "contact.phone": "receipt.no_phone",
    "reply_within_hours": "receipt.no_reply_within_hours",
}
"""The issue code of each receipt field a channel may need, when the receipt lacks it."""


def receipt_fields(
    workflow: Workflow, channel: str | None, *, callback: bool = False
) -> tuple[str, ...]:
    """The receipt fields (dotted paths) the next steps of ``channel`` use, in a fixed order
    (with ``callback``, the next steps of a request with a booked callback).

    >>> from kl_contact import default_workflow
    >>> receipt_fields(default_workflow(), "chat")
    ('contact.chat_url',)
    """
    return _receipt_fields(workflow, channel, callback)


@functools.lru_cache(maxsize=256)
def _receipt_fields(workflow: Workflow, channel: str | None, callback: bool) -> tuple[str, ...]:
    # a workflow is hashed by identity and never changes: its answer can be kept
    found = next((c for c in workflow.channels if c.id == channel), None)
    if found is None:
        return ()
    needed: set[str] = set()
    steps = found.instructions
    if callback and found.callback is not None:
        steps = found.callback.instructions
    for step in steps:
        for text in step.text.values():
            needed.update(_BY_PLACEHOLDER[p] for p in placeholders_in(text) if p in _BY_PLACEHOLDER)
        if step.action in _BY_ACTION:
            needed.add(_BY_ACTION[step.action])
    return tuple(field for field in RECEIPT_FIELD_CODES if field in needed)


def _present(receipt: Receipt, field: str) -> bool:
    contact = receipt.contact
    if field == "contact.chat_url":
        return safe_url(contact.chat_url) is not None
    if field == "contact.phone":
        return bool((contact.phone or "").strip())
    return receipt.reply_within_hours is not None


def missing_receipt_fields(
    workflow: Workflow, receipt: Receipt, *, callback: bool = False
) -> list[str]:
    """The issue codes of the fields ``receipt.channel``'s next steps need and it lacks
    (a chat link that is not a safe http(s) link counts as missing); ``callback`` as in
    :func:`receipt_fields`."""
    return [
        RECEIPT_FIELD_CODES[field]
        for field in receipt_fields(workflow, receipt.channel, callback=callback)
        if not _present(receipt, field)
    ]
