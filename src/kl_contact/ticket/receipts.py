"""Whether a receipt from the support backend can close a submission.

The engine asks this before it shows the confirmation: a receipt must carry a request number
and answer the channel the user chose. Problems come back as stable issue codes; nothing
here raises or looks at the ticket's personal data.
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
    return problems
