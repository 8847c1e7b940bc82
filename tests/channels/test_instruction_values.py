"""Every value a channel's next steps may name, filled in from the receipt in the user's
locale, and the HTML a page or letter embeds."""

from __future__ import annotations

from typing import Any

import pytest

from kl_contact import EngineerContact, Receipt, parse_workflow
from kl_contact.channels import build_instructions, render_html

# two locales, so that a text looked up in the wrong one shows
DEFINITION = """format: 1
id: values
version: 1
locales: [en, ru]
default_locale: en
title: {en: Values, ru: Значения}
self_service: []
contacts_page:
  title: {en: Contacts, ru: Контакты}
  url: {en: "https://example.com/c", ru: "https://example.com/ru/c"}
SUPPORT
channels:
  - id: email
    title: {en: E-mail, ru: Почта}
    description: {en: Write, ru: Пишите}
    button: {en: Write, ru: Написать}
    instructions:
      - text: {en: "Number {request_number}.", ru: "Номер {request_number}."}
      - action: call
        label: {en: Ring us, ru: Звоните}
        text: {en: "Call {phone_display} ({phone}).", ru: "Звоните {phone_display} ({phone})."}
      - action: open_chat
        label: {en: Chat now, ru: В чат}
        text: {en: "Chat at {chat_url}.", ru: "Чат: {chat_url}."}
      - action: wait_email
        text:
          en: "Reply within {reply_within} to {support_email}."
          ru: "Ответ за {reply_within} на {support_email}."
registration_note: {en: "A letter goes to {email}.", ru: "Письмо придёт на {email}."}
steps:
  - id: channel
    kind: channel_choice
    title: {en: Channel, ru: Канал}
  - id: request
    kind: request
    title: {en: Request, ru: Запрос}
    questions:
      - id: email
        type: email
        role: contact_email
        required: true
        label: {en: E-mail, ru: Почта}
  - id: end
    kind: confirmation
    title: {en: Sent, ru: Отправлено}
"""


def _workflow(support_email: str = "") -> Any:
    support = f"support_email: {support_email}" if support_email else ""
    return parse_workflow(DEFINITION.replace("SUPPORT", support), source="values.yaml")


def _receipt(**contact: str | None) -> Receipt:
    fields = {
        "email": "desk@example.com",
        "phone": "+74950000000",
        "phone_display": "+7 495 000-00-00",
        "chat_url": "https://chat.example.com/r/7",
        **contact,
    }
    return Receipt(
        request_number="INC-7",
        channel="email",
        contact=EngineerContact(**fields),
        reply_within_hours=24,
    )


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en",
            [
                "Number INC-7.",
                "Call +7 495 000-00-00 (+74950000000).",
                "Chat at https://chat.example.com/r/7.",
                "Reply within 24 h to desk@example.com.",
            ],
        ),
        (
            "ru",
            [
                "Номер INC-7.",
                "Звоните +7 495 000-00-00 (+74950000000).",
                "Чат: https://chat.example.com/r/7.",
                "Ответ за 24 ч на desk@example.com.",
            ],
        ),
    ],
)
def test_every_value_is_filled_in_in_the_users_locale(locale: str, texts: list[str]) -> None:
    instructions = build_instructions(_workflow(), _receipt(), "jane@example.org", locale)
    assert [s.text for s in instructions.steps] == texts
    assert instructions.registration_note.endswith("jane@example.org.")
    call, chat = instructions.steps[1].action, instructions.steps[2].action
    assert call is not None
    assert chat is not None
    assert (call.kind, call.label) == ("call", "Ring us" if locale == "en" else "Звоните")
    assert (chat.kind, chat.label) == ("open_chat", "Chat now" if locale == "en" else "В чат")
    assert chat.url == "https://chat.example.com/r/7"


def test_missing_contact_values_fall_back_or_stay_empty() -> None:
    receipt = _receipt(email=None, phone_display=None, chat_url="javascript:alert(1)")
    workflow = _workflow("help@example.com")
    texts = [s.text for s in build_instructions(workflow, receipt, "j@example.org", "en").steps]
    assert texts[1] == "Call +74950000000 (+74950000000)."  # the number as it is written
    assert texts[2] == "Chat at ."  # an unsafe link is never filled in
    assert texts[3] == "Reply within 24 h to help@example.com."  # the definition's mailbox
    bare = _receipt(email=None, phone=None, phone_display=None)
    texts = [s.text for s in build_instructions(_workflow(), bare, "j@example.org", "en").steps]
    assert texts[1] == "Call  ()."
    assert texts[3] == "Reply within 24 h to ."


def test_html_lists_each_step_with_its_action_and_labels_in_the_users_locale() -> None:
    instructions = build_instructions(_workflow(), _receipt(), "jane@example.org", "ru")
    html = render_html(instructions)
    assert html.endswith("</section>\n")
    lines = html.splitlines()
    assert lines[0].startswith('<section class="kl-next-steps" lang="ru" dir="ltr"')
    assert lines[1] == "<ol>"
    assert lines[2] == "<li><p>Номер INC-7.</p></li>"
    assert lines[3].startswith("<li><p>Звоните +7 495 000-00-00 (+74950000000).</p>")
    assert (
        '<a class="kl-phone" href="tel:+74950000000">Звоните: <bdi>+7 495 000-00-00</bdi></a></li>'
        in lines[3]
    )
    assert lines[4].startswith("<li><p>Чат: https://chat.example.com/r/7.</p>")
    assert lines[4].endswith("</li>")
    assert "В чат" in lines[4]
    assert lines[5].startswith("<li><p>Ответ за 24 ч на desk@example.com.</p>")
    assert '<p class="kl-reply-time">' in lines[5]
    assert lines[5].endswith("</li>")
    assert lines[6] == "</ol>"
