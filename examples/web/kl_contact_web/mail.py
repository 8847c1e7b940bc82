"""The registration e-mail: built from a ``send_registration_email`` effect, sent over SMTP.

:func:`registration_email` is the one place that decides what the letter says. It reads the
effect's ticket and receipt (JSON, as the engine's wire gives them) and nothing else, so it
can be swapped for a builder shipped by the library without touching the rest of the host.
:func:`send_email` hands a message to the SMTP server named by the settings (standard
library ``smtplib``). The outbox keeps a letter as its text (:func:`letter_text`) and
reads it back with :func:`letter_from_text`, so the letter sent is the one written in the
transaction, Message-ID included. None of these ever logs an address or anything the user
wrote.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import datetime
from email import message_from_string, policy
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from kl_contact_web.settings import Settings

__all__ = ["letter_from_text", "letter_text", "registration_email", "send_email"]

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Request {number} is registered",
        "greeting": "Hello{name},",
        "registered": "your request {number} has been registered.",
        "email": "An engineer will reply to this address. Reply from: {support_email}.",
        "chat": "Open the chat with the engineers: {chat_url}",
        "phone": "Call the engineers at {phone_display} and give the request number {number}.",
        "callback": "An engineer calls you back on {callback_at} at {callback_phone}.",
        "summary": "Your request",
        "reply": (
            "Reply to this e-mail to ask your question by e-mail or to add information "
            "to request {number}."
        ),
    },
    "ru": {
        "subject": "Обращение {number} зарегистрировано",
        "greeting": "Здравствуйте{name}!",
        "registered": "Ваше обращение {number} зарегистрировано.",
        "email": "Инженер ответит на этот адрес. Ответ придёт с адреса {support_email}.",
        "chat": "Откройте чат с инженерами: {chat_url}",
        "phone": "Позвоните инженерам по номеру {phone_display} и назовите номер {number}.",
        "callback": "Инженер перезвонит вам {callback_at} по номеру {callback_phone}.",
        "summary": "Ваше обращение",
        "reply": (
            "Ответьте на это письмо, чтобы задать вопрос по почте или дополнить обращение {number}."
        ),
    },
}


_HEADER_WIDTH = 78
_WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=_HEADER_WIDTH)
"""How a letter is written down and read back: lines end in CRLF as on the wire, and headers
stay the text they were written as (the standard library's newer policy parses and refolds
every address header on each pass, several milliseconds a letter)."""


def _recipient(contact: Mapping[str, Any]) -> str:
    """The To header: the name (encoded when it is not ASCII) and the address."""
    return formataddr((" ".join(str(contact.get("name") or "").split()), contact["email"]), "utf-8")


def _subject(tag: str | None, subject: str) -> str:
    """The Subject header: the tag stays readable ASCII (a helpdesk matches it in the raw
    header) and the localised words after it are encoded when they need it."""
    header = Header(f"{tag} " if tag else "", "us-ascii", header_name="Subject")
    header.append(subject, "us-ascii" if subject.isascii() else "utf-8")
    return header.encode(maxlinelen=_HEADER_WIDTH)


def _call_time(moment: str) -> str:
    """A booked call's start as the user reads it: ``2026-11-30 10:00 (UTC+03:00)``."""
    when = datetime.fromisoformat(moment)
    offset = when.strftime("%z")
    return (
        f"{when:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
        if offset
        else f"{when:%Y-%m-%d %H:%M}"
    )


def registration_email(
    effect: Mapping[str, Any], settings: Settings, *, subject_tag: str | None = None
) -> Message:
    """The letter for one ``send_registration_email`` effect document, in the ticket's locale.

    Subject ``Request NUMBER is registered`` (or its Russian form) after ``subject_tag`` (the
    definition's tag, such as RT's ``[rtname #ID]``, that threads a reply), To the user's address,
    Reply-To the support mailbox; the text names the request, what to do next on the
    channel, the user's subject and description, and that a reply adds to the request.
    """
    ticket, receipt = effect["ticket"], effect["receipt"]
    texts = _TEXTS.get(effect["locale"], _TEXTS["en"])
    contact = receipt.get("contact") or {}
    values = {
        "number": receipt["request_number"],
        "name": f" {ticket['contact']['name']}" if ticket["contact"].get("name") else "",
        "support_email": contact.get("email") or settings.support_email,
        "chat_url": contact.get("chat_url") or "",
        "phone_display": contact.get("phone_display") or contact.get("phone") or "",
    }
    next_step = texts.get(ticket["channel"])
    callback = ticket.get("callback")
    if callback is not None:  # the engineers call at the booked time: nothing to do but wait
        values["callback_at"] = _call_time(callback["starts_at"])
        values["callback_phone"] = callback.get("phone") or ""
        next_step = texts["callback"]
    lines = [texts["greeting"].format(**values), texts["registered"].format(**values), ""]
    if next_step is not None:
        lines += [next_step.format(**values), ""]
    lines += [f"{texts['summary']}:", ticket["subject"], "", ticket["description"], ""]
    lines += [texts["reply"].format(**values)]

    message = MIMEText("\n".join(lines), "plain", "utf-8")
    message["Subject"] = _subject(subject_tag, texts["subject"].format(**values))
    message["From"] = settings.mail_from
    message["To"] = _recipient(ticket["contact"])
    message["Reply-To"] = settings.support_email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(
        idstring=str(receipt["request_number"]), domain=settings.support_email.rpartition("@")[2]
    )
    message["Content-Language"] = effect["locale"]
    return message


def send_email(message: Message, settings: Settings) -> None:
    """Deliver ``message`` to the configured SMTP server; raises OSError or SMTPException."""
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        smtp.send_message(message)


def letter_text(message: Message) -> str:
    """The whole letter as text, headers included, as the outbox stores it."""
    return message.as_string(maxheaderlen=_HEADER_WIDTH, policy=_WIRE)


def letter_from_text(text: str) -> Message:
    """A letter stored by :func:`letter_text`, ready to send again unchanged."""
    return message_from_string(text, policy=_WIRE)
