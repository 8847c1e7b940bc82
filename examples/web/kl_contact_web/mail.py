"""The registration e-mail: built from a ``send_registration_email`` effect, sent over SMTP.

:func:`registration_letter` is the one place that decides what the letter says. It reads the
effect's ticket and receipt (JSON, as the engine's wire gives them) and nothing else, so it
can be swapped for a builder shipped by the library without touching the rest of the host.
It writes the letter's text itself, line for line what the standard library's
``email`` package writes for the same message (its compat32 policy, CRLF line ends, the body
in base64), without building and flattening a message object: the outbox keeps that text,
and :func:`send_email` hands it to the SMTP server named by the settings as it is, over a
connection each thread keeps open between letters. So the letter sent is the one written in
the transaction, Message-ID included. :func:`letter_from_text` reads it back as a standard
library message for whoever wants one. None of these ever logs an address or anything the
user wrote.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from email import message_from_string, policy
from email.header import Header
from email.message import Message
from email.utils import formataddr, formatdate, getaddresses, make_msgid, parseaddr
from typing import Any, NamedTuple

from kl_contact_web.settings import Settings

__all__ = [
    "IDLE_SECONDS",
    "Draft",
    "letter_from_text",
    "letter_text",
    "registration_email",
    "registration_letter",
    "send_email",
]

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
_CRLF = "\r\n"


class Draft(NamedTuple):
    """A letter ready for the outbox: its Message-ID and its whole text (CRLF lines)."""

    message_id: str
    text: str = ""


def _recipient(contact: Mapping[str, Any]) -> str:
    """The To header: the name (encoded when it is not ASCII) and the address."""
    return formataddr((" ".join(str(contact.get("name") or "").split()), contact["email"]), "utf-8")


def _subject(tag: str | None, subject: str) -> str:
    """The Subject header: the tag stays readable ASCII (a helpdesk matches it in the raw
    header) and the localised words after it are encoded when they need it."""
    charset = "us-ascii" if subject.isascii() else "utf-8"
    if not tag:
        return Header(subject, charset, header_name="Subject").encode(maxlinelen=_HEADER_WIDTH)
    header = Header(f"{tag} ", "us-ascii", header_name="Subject")
    header.append(subject, charset)
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


def registration_letter(
    effect: Mapping[str, Any], settings: Settings, *, subject_tag: str | None = None
) -> Draft:
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

    text = "\n".join(lines)
    message_id = make_msgid(
        idstring=str(receipt["request_number"]), domain=settings.support_email.rpartition("@")[2]
    )
    fields = (
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Subject", _subject(subject_tag, texts["subject"].format(**values))),
        ("From", settings.mail_from),
        ("To", _recipient(ticket["contact"])),
        ("Reply-To", settings.support_email),
        ("Date", formatdate(localtime=False)),
        ("Message-ID", message_id),
        ("Content-Language", str(effect["locale"])),
    )
    head = "".join(_header(name, value) for name, value in fields)
    body = base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", _CRLF)
    return Draft(message_id, head + _CRLF + body)


def registration_email(
    effect: Mapping[str, Any], settings: Settings, *, subject_tag: str | None = None
) -> Message:
    """The letter of :func:`registration_letter` as a standard library message."""
    return letter_from_text(registration_letter(effect, settings, subject_tag=subject_tag).text)


def _header(name: str, value: str) -> str:
    """One header line as the standard library's compat32 policy writes it (folded at 78
    characters, CRLF); a short ASCII value is written as it is, which is what that policy
    does with it, without building an ``email.header.Header`` for it."""
    if (
        len(name) + 2 + len(value) <= _HEADER_WIDTH
        and value.isascii()
        and value.isprintable()
        and "  " not in value
        and value == value.strip()
    ):
        return f"{name}: {value}{_CRLF}"
    return _WIRE.fold(name, value)


class _Connections(threading.local):
    """One SMTP connection per thread, kept open between letters."""

    smtp: smtplib.SMTP | None = None
    used_at: float = 0.0
    server: tuple[str, int] = ("", 0)


_connections = _Connections()

IDLE_SECONDS = 30.0
"""A connection unused this long is closed and a new one opened for the next letter (mail
servers drop idle clients after a while; aiosmtpd after five minutes, Postfix after one)."""


def send_email(letter: str, settings: Settings) -> None:
    """Deliver ``letter`` (the text of :func:`registration_letter` or :func:`letter_text`)
    to the configured SMTP server; raises OSError or SMTPException.

    The envelope is the address of ``settings.mail_from`` and the letter's To. Each thread
    keeps its connection open for the next letter; one that the server closed meanwhile is
    replaced once, before anything was sent on it.
    """
    sender = parseaddr(settings.mail_from)[1]
    recipients = _recipients(letter)
    data = letter.encode("ascii")
    server = (settings.smtp_host, settings.smtp_port)
    kept = _connections.smtp
    now = time.monotonic()
    if kept is not None and (
        _connections.server != server or now - _connections.used_at > IDLE_SECONDS
    ):
        _close(kept)
        kept = _connections.smtp = None
    if kept is not None:
        try:
            kept.sendmail(sender, recipients, data)
        except smtplib.SMTPServerDisconnected:
            _close(kept)  # dropped while idle: the letter never left, send it on a new one
            _connections.smtp = None
        except BaseException:
            _close(kept)
            _connections.smtp = None
            raise
        else:
            _connections.used_at = time.monotonic()
            return
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    try:
        smtp.sendmail(sender, recipients, data)
    except BaseException:
        _close(smtp)
        raise
    _connections.smtp, _connections.server = smtp, server
    _connections.used_at = time.monotonic()


def _close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.close()


def _recipients(letter: str) -> list[str]:
    """The addresses of the letter's To header (unfolded), as smtplib's send_message reads them."""
    head = letter.partition(_CRLF + _CRLF)[0].replace(_CRLF + " ", " ").replace(_CRLF + "\t", "\t")
    found = [line.partition(":")[2] for line in head.split(_CRLF) if line[:3].lower() == "to:"]
    recipients = [address for _, address in getaddresses(found) if address]
    if not recipients:
        raise ValueError("the letter has no recipient")
    return recipients


def letter_text(message: Message) -> str:
    """The whole letter as text, headers included, as the outbox stores it."""
    return message.as_string(maxheaderlen=_HEADER_WIDTH, policy=_WIRE)


def letter_from_text(text: str) -> Message:
    """A letter stored by :func:`letter_text`, ready to send again unchanged."""
    return message_from_string(text, policy=_WIRE)
