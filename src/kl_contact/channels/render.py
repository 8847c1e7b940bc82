"""Renderers of :class:`~kl_contact.channels.instructions.Instructions` to Markdown, HTML and JSON.

Every string in Instructions may hold what a user typed or a backend sent, so each renderer
escapes all of it for its medium. Links are emitted only for URLs that
:func:`~kl_contact.channels.instructions.safe_url` accepts (http(s) and ``tel:``); a phone is a
``tel:`` link, the chat a button-like link. Plain text is
:func:`~kl_contact.channels.instructions.render_text`. A renderer must never let a value
become markup, or a link with any other scheme.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from urllib.parse import quote

import attrs

from kl_contact._text import text_direction
from kl_contact.channels.instructions import (
    Instructions,
    NextStepAction,
    reply_time_text,
    safe_url,
    tel_url,
)
from kl_contact.messages import message

__all__ = ["render_html", "render_json", "render_markdown"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")


def _label(action: NextStepAction, locale: str) -> str:
    if action.label:
        return action.label
    if action.kind in {"open_chat", "call"}:
        return message(f"action.{action.kind}", locale, "en")
    return ""


def _markdown_text(text: str) -> str:
    flat = " ".join(text.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _markdown_url(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


@attrs.frozen
class _Link:
    kind: str
    href: str
    label: str
    shown: str


def _link(action: NextStepAction | None, locale: str) -> _Link | None:
    """An action's link (unescaped), or ``None`` when it has no safe one."""
    if action is None:
        return None
    if action.kind == "open_chat":
        href = safe_url(action.url)
        shown = ""
    elif action.kind == "call":
        href = tel_url(action.phone)
        shown = action.phone_display or action.phone or ""
    else:
        return None
    return _Link(action.kind, href, _label(action, locale), shown) if href else None


def render_markdown(instructions: Instructions) -> str:
    """CommonMark: a numbered list of steps with their links, then the registration note."""
    lines = []
    for number, step in enumerate(instructions.steps, start=1):
        lines.append(f"{number}. {_markdown_text(step.text)}")
        link = _link(step.action, instructions.locale)
        if link is not None:
            label = _markdown_text(link.label)
            if link.shown:
                label = f"{label}: {_markdown_text(link.shown)}"
            lines.append(f"   [{label}]({_markdown_url(link.href)})")
        reply_time = reply_time_text(step.action, instructions.locale)
        if reply_time is not None:
            lines.append(f"   {_markdown_text(reply_time)}")
    lines.append("")
    lines.append(_markdown_text(instructions.registration_note))
    return "\n".join(lines) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(instructions: Instructions) -> str:
    """An HTML fragment: an ordered list of steps and the note; every value is escaped.

    The chat link has ``class="kl-button"`` (style it as a button) and opens in a new tab
    without access to this page; a phone is a ``tel:`` link with ``class="kl-phone"``.
    """
    parts = [
        f'<section class="kl-next-steps" lang="{_e(instructions.locale)}" '
        f'dir="{text_direction(instructions.locale)}" '
        f'data-channel="{_e(instructions.channel)}" '
        f'data-request-number="{_e(instructions.request_number)}">',
        "<ol>",
    ]
    for step in instructions.steps:
        item = f"<li><p>{_e(step.text)}</p>"
        link = _link(step.action, instructions.locale)
        if link is not None and link.kind == "open_chat":
            item += (
                f'<a class="kl-button" role="button" href="{_e(link.href)}" '
                f'target="_blank" rel="noopener noreferrer">{_e(link.label)}</a>'
            )
        elif link is not None:
            item += (
                f'<a class="kl-phone" href="{_e(link.href)}">{_e(link.label)}: '
                f"<bdi>{_e(link.shown)}</bdi></a>"
            )
        reply_time = reply_time_text(step.action, instructions.locale)
        if reply_time is not None:
            item += f'<p class="kl-reply-time">{_e(reply_time)}</p>'
        parts.append(item + "</li>")
    parts.append("</ol>")
    parts.append(f'<p class="kl-registration-note">{_e(instructions.registration_note)}</p>')
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def render_json(instructions: Instructions) -> str:
    """The JSON document ``instructions.schema.json`` describes (UTF-8 text, not ASCII-escaped)."""
    # Instructions hold strings, numbers, a callback's times and nested attrs values only, so
    # attrs gives exactly the converter's JSON without this module reaching up to the
    # converter (a test checks)
    document = attrs.asdict(instructions, value_serializer=_iso)
    return json.dumps(document, ensure_ascii=False, indent=2)


def _iso(instance: object, field: object, value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
