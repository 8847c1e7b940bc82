"""The registration e-mail for an accepted request, as a standard library EmailMessage.

The library builds the message and never sends it: the host performs the
``SendRegistrationEmail`` effect with its own mail transport. The subject carries the request
number in the definition's subject tag (``requests.subject_tag``, by default
``[Request #NUMBER]``; Request Tracker's ``[rtname #ID]`` when it threads the replies) that
:mod:`kl_contact.channels.replies` finds again in a reply; Reply-To is the definition's
support mailbox, so a reply adds information to the request. Every value from the user or
the backend is escaped in the HTML part, and no attachment is ever included (only a count of
files).
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from kl_contact._text import localize, substitute, text_direction
from kl_contact.channels.instructions import build_instructions, render_text
from kl_contact.channels.render import render_html
from kl_contact.definition.model import RequestFormat, Workflow
from kl_contact.messages import MESSAGES
from kl_contact.ticket.model import Receipt, Ticket

__all__ = ["EMAIL_TEXTS", "SUBJECT_TOKEN", "registration_email", "subject_token"]

SUBJECT_TOKEN = RequestFormat().subject_tag
"""How the request number appears in the subject by default, in every locale."""

MAX_SUBJECT_TEXT = 120
"""How many characters of the request's own subject the e-mail subject repeats."""

EMAIL_TEXTS: dict[str, dict[str, str]] = {
    code: text for code, text in MESSAGES.items() if code.startswith("email.")
}
"""Built-in texts of the e-mail; a definition overrides any of them under ``messages:``."""


def subject_token(request_number: str, requests: RequestFormat | None = None) -> str:
    """The subject token for ``request_number``, e.g. ``[Request #12345]``, in the form
    ``requests`` declares (default: :data:`SUBJECT_TOKEN`)."""
    return (requests or RequestFormat()).tag(request_number)


def _one_line(text: str, limit: int) -> str:
    clean = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    flat = " ".join(clean.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _summary(
    workflow: Workflow, ticket: Ticket, receipt: Receipt, tr: _Texts
) -> list[tuple[str, str]]:
    channel = localize(
        workflow.channel(receipt.channel).title, ticket.locale, workflow.default_locale
    )
    rows = [
        (tr("email.request_number"), receipt.request_number),
        (tr("email.channel"), channel),
        (tr("email.subject_label"), ticket.subject),
    ]
    for answer in ticket.answers:
        if answer.type in {"attachments", "consent", "info", "email", "phone"}:
            continue
        if answer.display and answer.display != ticket.subject:
            rows.append((answer.label, answer.display))
    return rows


class _Texts:
    def __init__(self, workflow: Workflow, locale: str, values: Mapping[str, str]) -> None:
        self.workflow, self.locale, self.values = workflow, locale, values

    def __call__(self, code: str, **extra: str) -> str:
        text = self.workflow.messages.get(code, EMAIL_TEXTS[code])
        template = localize(text, self.locale, self.workflow.default_locale)
        return substitute(template, {**self.values, **extra})


def registration_email(
    workflow: Workflow,
    ticket: Ticket,
    receipt: Receipt,
    *,
    sender: str,
    message_id: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """The registration e-mail for ``ticket`` accepted with ``receipt``, in the ticket's locale.

    ``sender`` is the From address; ``message_id`` (keep it to thread replies, see
    :func:`~kl_contact.channels.replies.find_request_number`) and ``date`` are set when given.
    """
    locale = ticket.locale
    tr = _Texts(workflow, locale, {"request_number": receipt.request_number})
    instructions = build_instructions(
        workflow, receipt, ticket.contact.email, locale, ticket.callback
    )

    message = EmailMessage()
    subject = tr("email.subject", subject=_one_line(ticket.subject, MAX_SUBJECT_TEXT))
    token = subject_token(_one_line(receipt.request_number, 64), workflow.requests)
    message["Subject"] = f"{token} {_one_line(subject, 200)}"
    message["From"] = sender
    message["To"] = Address(
        display_name=_one_line(ticket.contact.name or "", 80), addr_spec=ticket.contact.email
    )
    if workflow.support_email:
        message["Reply-To"] = workflow.support_email
    if message_id is not None:
        message["Message-ID"] = message_id
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Auto-Submitted"] = "auto-generated"

    rows = _summary(workflow, ticket, receipt, tr)
    files = len(ticket.attachments)
    text = [tr("email.intro"), "", tr("email.summary") + ":"]
    text += [f"  {label}: {value}" for label, value in rows]
    if files:
        text.append("  " + tr("email.files", count=str(files)))
    text += ["", tr("email.next_steps") + ":", render_text(instructions), "", tr("email.reply")]
    message.set_content("\n".join(text) + "\n")

    e = html.escape
    body = [
        "<!DOCTYPE html>",
        f'<html lang="{e(locale)}" dir="{text_direction(locale)}"><head><meta charset="utf-8">'
        f"<title>{e(token)}</title></head><body>",
        f"<p>{e(tr('email.intro'))}</p>",
        f"<h2>{e(tr('email.summary'))}</h2>",
        "<dl>",
    ]
    # what the user typed is isolated: a Latin address in a Hebrew page keeps its order
    body += [f"<dt>{e(label)}</dt><dd><bdi>{e(value)}</bdi></dd>" for label, value in rows]
    body.append("</dl>")
    if files:
        body.append(f"<p>{e(tr('email.files', count=str(files)))}</p>")
    body += [
        f"<h2>{e(tr('email.next_steps'))}</h2>",
        render_html(instructions),
        f"<p><strong>{e(tr('email.reply'))}</strong></p>",
        "</body></html>",
    ]
    message.add_alternative("\n".join(body) + "\n", subtype="html")
    message["Content-Language"] = locale  # after the parts: setting content clears Content-*
    return message
