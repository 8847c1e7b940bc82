"""Next steps on the confirmation screen, as structure, and their plain-text rendering.

Texts come from the definition's channel instructions with named placeholders
(``{request_number}``, ``{email}``, ``{chat_url}``, ``{phone}``, ``{phone_display}``,
``{support_email}``, ``{reply_within}``), replaced by :func:`kl_contact._text.substitute`.
``{support_email}`` is the engineers' address the receipt gives, else the definition's
``support_email``. A request with a booked callback shows the channel's ``callback:``
instructions instead, which may also use ``{callback_at}`` and ``{callback_phone}``.
A link that came from the backend is kept only when :func:`safe_url` accepts it: never a
``javascript:``, ``data:`` or other scheme that could run code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

import attrs

from kl_contact._text import link_allowed, localize, substitute
from kl_contact.channels.status import format_opening
from kl_contact.definition.model import (
    INSTRUCTION_PLACEHOLDERS,
    ChannelInstruction,
    InstructionAction,
    Workflow,
)
from kl_contact.messages import message
from kl_contact.ticket.model import Receipt, TicketCallback

__all__ = [
    "INSTRUCTION_PLACEHOLDERS",
    "InstructionStep",
    "Instructions",
    "NextStepAction",
    "build_instructions",
    "callback_instructions",
    "e164",
    "render_text",
    "reply_time_text",
    "safe_url",
    "tel_url",
]

_URL_SCHEMES = frozenset({"http", "https", "tel"})


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link with a host or a ``tel:`` link, else ``None``.

    >>> safe_url("https://chat.example/r/1"), safe_url("javascript:alert(1)")
    ('https://chat.example/r/1', None)
    """
    if not url or not link_allowed(url, _URL_SCHEMES):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() == "tel":
        return url if tel_url(parts.path) is not None else None
    return url


def tel_url(phone: str | None) -> str | None:
    """A ``tel:`` link for a phone number (digits and a leading ``+`` kept), or ``None``.

    >>> tel_url("+7 (495) 123-45-67")
    'tel:+74951234567'
    """
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    if not 3 <= len(digits) <= 15:
        return None
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


def e164(phone: str | None) -> str | None:
    """``phone`` as ``+`` and digits when it is written with a country code, else as given.

    >>> e164("+7 (495) 000-00-00")
    '+74950000000'
    """
    tel = tel_url(phone)
    return tel[4:] if tel is not None and tel.startswith("tel:+") else phone


@attrs.frozen(repr=False)
class NextStepAction:
    """What a frontend offers beside an instruction: open the chat, call, or wait for e-mail.

    ``phone`` is E.164 (``+`` and digits) beside its ``phone_display`` form: the engineers'
    number to ``call``, or, for ``wait_callback``, the user's own number the engineers call
    (personal data); ``email`` is the user's address the reply goes to (personal data: not
    in ``repr``), ``reply_within_hours`` the reply time the receipt promised, if any;
    ``callback_at`` and ``callback_until`` the booked slot, in the user's time zone.
    """

    kind: Literal["wait_email", "open_chat", "call", "wait_callback"]
    label: str | None = None
    url: str | None = None
    phone: str | None = None
    phone_display: str | None = None
    email: str | None = attrs.field(default=None, repr=False)  # the user's address
    request_number: str | None = None
    reply_within_hours: int | None = None
    callback_at: datetime | None = None
    callback_until: datetime | None = None

    def __repr__(self) -> str:
        return f"NextStepAction(kind={self.kind!r})"


@attrs.frozen(repr=False)
class InstructionStep:
    """One localised next step, with an optional action; its text may hold the user's address."""

    text: str = attrs.field(repr=False)  # may hold the user's address
    action: NextStepAction | None = None

    def __repr__(self) -> str:
        return f"InstructionStep(action={self.action!r})"


@attrs.frozen(repr=False)
class Instructions:
    """Everything the confirmation screen says for the chosen channel."""

    channel: str
    locale: str
    request_number: str
    steps: tuple[InstructionStep, ...]
    registration_note: str

    def __repr__(self) -> str:
        return (
            f"Instructions(channel={self.channel!r}, locale={self.locale!r}, "
            f"request_number={self.request_number!r}, steps={len(self.steps)})"
        )


def _reply_within(hours: int | None, locale: str) -> str:
    if hours is None:
        return ""
    if locale == "ru":
        return f"{hours} ч"
    return f"{hours} h"


def callback_instructions(
    workflow: Workflow, channel: str, callback: TicketCallback | None
) -> tuple[ChannelInstruction, ...] | None:
    """The next steps of a request with ``callback`` booked on ``channel`` (its offer's
    instructions), or ``None`` when the request has no callback there."""
    offer = workflow.channel(channel).callback
    if callback is None or offer is None:
        return None
    return offer.instructions


def build_instructions(
    workflow: Workflow,
    receipt: Receipt,
    email: str,
    locale: str,
    callback: TicketCallback | None = None,
) -> Instructions:
    """The confirmation's next steps for ``receipt.channel`` in ``locale``; with a booked
    ``callback``, the channel's callback instructions."""
    channel = workflow.channel(receipt.channel)
    items = callback_instructions(workflow, receipt.channel, callback)
    contact = receipt.contact
    values = {
        "request_number": receipt.request_number,
        "email": email,
        "chat_url": safe_url(contact.chat_url) or "",
        "phone": contact.phone or "",
        "phone_display": contact.phone_display or contact.phone or "",
        "support_email": contact.email or workflow.support_email or "",
        "reply_within": _reply_within(receipt.reply_within_hours, locale),
    }
    if items is not None and callback is not None:
        values["callback_at"] = format_opening(callback.starts_at, locale)
        values["callback_phone"] = callback.phone or ""
    fallback = workflow.default_locale
    steps = []
    for item in channel.instructions if items is None else items:
        action = None
        label = localize(item.label, locale, fallback) if item.label else None
        if item.action is InstructionAction.OPEN_CHAT:
            action = NextStepAction(kind="open_chat", label=label, url=safe_url(contact.chat_url))
        elif item.action is InstructionAction.CALL:
            action = NextStepAction(
                kind="call",
                label=label,
                phone=e164(contact.phone),
                phone_display=contact.phone_display or contact.phone,
                request_number=receipt.request_number,
            )
        elif item.action is InstructionAction.WAIT_EMAIL:
            action = NextStepAction(
                kind="wait_email",
                label=label,
                email=email,
                reply_within_hours=receipt.reply_within_hours,
            )
        elif item.action is InstructionAction.WAIT_CALLBACK and callback is not None:
            action = NextStepAction(
                kind="wait_callback",
                label=label,
                phone=callback.phone,
                request_number=receipt.request_number,
                callback_at=callback.starts_at,
                callback_until=callback.ends_at,
            )
        steps.append(
            InstructionStep(
                text=substitute(localize(item.text, locale, fallback), values), action=action
            )
        )
    note = substitute(localize(workflow.registration_note, locale, fallback), values)
    return Instructions(
        channel=receipt.channel,
        locale=locale,
        request_number=receipt.request_number,
        steps=tuple(steps),
        registration_note=note,
    )


def reply_time_text(action: NextStepAction | None, locale: str) -> str | None:
    """The promised reply time of a ``wait_email`` action as a sentence, or ``None``."""
    if action is None or action.kind != "wait_email" or action.reply_within_hours is None:
        return None
    return message("instructions.reply_within", locale, "en", {"hours": action.reply_within_hours})


def render_text(instructions: Instructions) -> str:
    """Plain text: numbered steps, their links or numbers, then the registration note."""
    lines = []
    for number, step in enumerate(instructions.steps, start=1):
        lines.append(f"{number}. {step.text}")
        action = step.action
        if action is not None and action.kind == "open_chat" and safe_url(action.url):
            lines.append(f"   [{action.label or 'chat'}] {action.url}")
        elif action is not None and action.kind == "call" and action.phone:
            lines.append(f"   [{action.label or 'call'}] {action.phone_display or action.phone}")
        reply_time = reply_time_text(action, instructions.locale)
        if reply_time is not None:
            lines.append(f"   {reply_time}")
    lines.append("")
    lines.append(instructions.registration_note)
    return "\n".join(lines)
