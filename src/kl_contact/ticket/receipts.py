"""Whether a receipt from the support backend can close a submission.

The engine asks this before it shows the confirmation: a receipt must carry a request number,
answer the channel the user chose, and give the engineers' contact that channel's next step
needs (a chat link for chat, a phone number for phone). Problems come back as stable issue
codes; nothing here raises or looks at the ticket's personal data.
"""

from __future__ import annotations

from kl_contact.ticket.model import Receipt

__all__ = ["receipt_problems"]


def receipt_problems(receipt: Receipt, channel: str | None) -> list[str]:
    """The issue codes that keep ``receipt`` from closing a submission on ``channel``.

    >>> receipt_problems(Receipt(request_number=" ", channel="chat"), "email")
    ['receipt.no_request_number', 'receipt.wrong_channel']
    """
    problems = []
    if not receipt.request_number.strip():
        problems.append("receipt.no_request_number")
    if receipt.channel != channel:
        problems.append("receipt.wrong_channel")
    else:
        needed = {"chat": receipt.contact.chat_url, "phone": receipt.contact.phone}
        if channel in needed and not (needed[channel] or "").strip():
            problems.append("receipt.no_contact")
    return problems
