"""What ``build_ticket`` writes for a helpdesk: the answers shown, each with its label and a
display text in the user's locale (not the definition's default one), the contact details
normalised, the subject and the routing."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import DEFINITIONS, NOW
from kl_contact import parse_workflow
from kl_contact.definition.flow import Flow, compile_flow
from kl_contact.ticket.build import build_ticket
from kl_contact.ticket.model import Attachment, Ticket, TicketArticles, WorkflowRef

# Russian is the default locale, so a ticket in English shows whether each text was looked
# up in the user's locale or fell back; the definition renames the "yes" of a consent.
DEFINITION = """format: 1
id: build
version: 1
locales: [ru, en]
default_locale: ru
phone_region: GB
title: {ru: Сборка, en: Build}
self_service: []
contacts_page:
  title: {ru: Контакты, en: Contacts}
  url: {ru: "https://example.com/ru/c", en: "https://example.com/c"}
messages:
  answer.yes: {ru: "да, согласен", en: "agreed"}
channels:
  - id: email
    title: {ru: Почта, en: E-mail}
    description: {ru: Напишите, en: Write}
    button: {ru: Написать, en: Write}
    instructions:
      - text: {ru: "Запрос {request_number}.", en: "Request {request_number}."}
  - id: phone
    title: {ru: Телефон, en: Phone}
    description: {ru: Позвоните, en: Call}
    button: {ru: Позвонить, en: Call}
    instructions:
      - text: {ru: "Звоните {phone_display}.", en: "Call {phone_display}."}
registration_note: {ru: "Письмо придёт на {email}.", en: "A letter goes to {email}."}
steps:
  - id: channel
    kind: channel_choice
    title: {ru: Канал, en: Channel}
  - id: question
    kind: questions
    title: {ru: Вопрос, en: Question}
    questions:
      - id: product
        type: single_choice
        role: product
        label: {ru: Продукт, en: Product}
        options:
          - {id: alpha, label: {ru: Альфа, en: Alpha}}
          - {id: beta, label: {ru: Бета, en: Beta}}
      - id: platforms
        type: multiple_choice
        label: {ru: Системы, en: Systems}
        options:
          - {id: win, label: {ru: Виндоус, en: Windows}}
          - {id: mac, label: {ru: Мак, en: macOS}}
      - id: category
        type: single_choice
        role: category
        label: {ru: Тема, en: Topic}
        options:
          - {id: billing, label: {ru: Оплата, en: Billing}}
          - {id: other, label: {ru: Другое, en: Other}}
  - id: request
    kind: request
    title: {ru: Запрос, en: Request}
    questions:
      - {id: email, type: email, role: contact_email, label: {ru: Почта, en: E-mail}}
      - {id: phone, type: phone, role: contact_phone, label: {ru: Телефон, en: Phone}}
      - {id: name, type: text, role: contact_name, label: {ru: Имя, en: Name}}
      - {id: details, type: long_text, role: description, label: {ru: Описание, en: Details}}
      - {id: files, type: attachments, role: attachments, label: {ru: Файлы, en: Files}}
      - {id: consent, type: consent, role: consent, label: {ru: Согласие, en: Consent}}
      - {id: news, type: consent, label: {ru: Новости, en: News}}
      - id: language
        type: single_choice
        role: contact_language
        label: {ru: Язык ответа, en: Reply in}
        options:
          - {id: ru, label: {ru: Русский, en: Russian}}
          - {id: en, label: {ru: Английский, en: English}}
  - id: end
    kind: confirmation
    title: {ru: Отправлено, en: Sent}
routing:
  queues: [general, english, phones]
  default: {queue: general, priority: normal}
  rules:
    - {id: by_phone, when: {channel: phone}, priority: high, queue: phones}
    - {id: in_english, when: {locale: en}, priority: low, queue: english}
"""

FILE = Attachment(name="log.txt", media_type="text/plain", size=12)

ANSWERS: dict[str, Any] = {
    "product": "beta",
    "platforms": ("mac", "win"),
    "category": "billing",
    "email": " Jane.Roe@Example.ORG ",
    "phone": "020 7946 0958",
    "name": "  Jane Roe ",
    "details": "  It stops.  ",
    "files": (FILE,),
    "consent": True,
    "news": False,
}


@pytest.fixture(scope="module")
def flow() -> Flow:
    return compile_flow(parse_workflow(DEFINITION, source="build.yaml"))


def _ticket(
    flow: Flow, locale: str = "en", channel: str | None = "email", **answers: Any
) -> Ticket:
    return build_ticket(
        flow,
        ticket_id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("build", 1, "sha256:0"),
        passed=["channel", "question", "request"],
        answers={**ANSWERS, **answers},
        channel=channel,
        locale=locale,
        articles=TicketArticles(),
        now=NOW,
    )


def _display(ticket: Ticket) -> dict[str, tuple[str, str]]:
    return {a.question: (a.label, a.display) for a in ticket.answers}


def test_labels_and_displays_are_in_the_users_locale(flow: Flow) -> None:
    shown = _display(_ticket(flow, "en"))
    assert shown["product"] == ("Product", "Beta")
    assert shown["platforms"] == ("Systems", "macOS, Windows")  # in the order chosen
    assert shown["category"] == ("Topic", "Billing")
    assert "news" not in shown  # a consent not given is no answer
    assert shown["consent"] == ("Consent", "agreed")  # the definition's own text
    russian = _display(_ticket(flow, "ru"))
    assert russian["platforms"] == ("Системы", "Мак, Виндоус")
    assert russian["consent"] == ("Согласие", "да, согласен")


def test_an_option_no_longer_offered_is_shown_by_its_id(flow: Flow) -> None:
    shown = _display(_ticket(flow, product="gamma", platforms=("win", "linux")))
    assert shown["product"] == ("Product", "gamma")
    assert shown["platforms"] == ("Systems", "Windows, linux")


def test_a_files_answer_shows_the_file_names_and_the_files_go_with_the_ticket(flow: Flow) -> None:
    ticket = _ticket(flow)
    assert _display(ticket)["files"] == ("Files", "log.txt")
    assert ticket.attachments == (FILE,)
    assert _ticket(flow, files=()).attachments == ()


def test_contact_details_are_normalised_in_the_definitions_phone_region(flow: Flow) -> None:
    ticket = _ticket(flow)
    assert ticket.contact.email == "Jane.Roe@example.org"  # the domain is case-blind
    assert ticket.contact.phone == "+442079460958"  # a national number read in GB
    assert ticket.contact.name == "Jane Roe"
    assert ticket.contact.language == "en"  # no language question: the user's locale
    assert ticket.description == "It stops."
    phone = next(a for a in ticket.answers if a.question == "phone")
    assert phone.value == "+442079460958"
    email = next(a for a in ticket.answers if a.question == "email")
    assert email.value == "Jane.Roe@example.org"


def test_without_a_contact_the_ticket_says_so_plainly(flow: Flow) -> None:
    ticket = _ticket(flow, channel=None, email=None, phone=None, name="  ", details="\u200b")
    assert ticket.contact.email == ""
    assert ticket.contact.phone is None
    assert ticket.contact.name is None
    assert ticket.description == ""
    assert ticket.channel == ""
    assert {"email", "phone", "name", "details"}.isdisjoint(_display(ticket))


def test_without_a_subject_question_the_subject_is_the_product_and_the_topic(flow: Flow) -> None:
    assert _ticket(flow, "en").subject == "Beta / Billing"
    assert _ticket(flow, "ru").subject == "Бета / Оплата"
    assert _ticket(flow, category=None).subject == "Beta"


def test_routing_reads_the_channel_and_the_locale(flow: Flow) -> None:
    phone = _ticket(flow, "en", "phone").routing
    assert phone is not None
    assert (phone.rule, phone.queue, phone.priority) == ("by_phone", "phones", "high")
    english = _ticket(flow, "en", "email").routing
    assert english is not None
    assert (english.rule, english.queue) == ("in_english", "english")
    russian = _ticket(flow, "ru", "email").routing
    assert russian is not None
    assert (russian.rule, russian.queue, russian.priority) == (None, "general", "normal")


def test_the_questions_of_a_step_not_passed_are_left_out(flow: Flow) -> None:
    ticket = build_ticket(
        flow,
        ticket_id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("build", 1, "sha256:0"),
        passed=["channel", "request"],
        answers=ANSWERS,
        channel="email",
        locale="en",
        articles=TicketArticles(),
        now=NOW,
    )
    assert (ticket.product, ticket.category) == (None, None)
    assert "product" not in _display(ticket)
    assert ticket.subject == ""


def test_in_a_locale_the_library_has_no_words_for_the_default_locale_is_used() -> None:
    # German beside English: the shipped "yes" has no German text; the ticket shows the
    # English one, never a bare code
    text = (DEFINITIONS / "untranslated-messages.yaml").read_text("utf-8")
    consent = "      - {id: consent, type: consent, label: {en: Consent, de: Zustimmung}}\n"
    text = text.replace("  - id: confirmation\n", consent + "  - id: confirmation\n", 1)
    german = compile_flow(parse_workflow(text, source="untranslated-messages.yaml"))
    ticket = build_ticket(
        german,
        ticket_id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("untranslated-messages", 1, "sha256:0"),
        passed=["channel", "request"],
        answers={"email": "jane@example.org", "consent": True, "imprint": "HRB 1"},
        channel="email",
        locale="de",
        articles=TicketArticles(),
        now=NOW,
    )
    shown = _display(ticket)
    assert shown["email"][1] == "jane@example.org"
    assert shown["consent"] == ("Zustimmung", "yes")
    assert shown["imprint"] == ("Handelsregisternummer", "HRB 1")


def test_a_redacted_ticket_shows_no_file_name(flow: Flow) -> None:
    redacted = _ticket(flow).redacted()
    assert "log.txt" not in repr([(a.value, a.display) for a in redacted.answers])
    assert all(a.name != "log.txt" for a in redacted.attachments)
    assert _display(redacted)["product"] == ("Product", "Beta")  # a choice is no personal data


def test_the_contact_language_is_the_one_chosen_else_the_users_locale(flow: Flow) -> None:
    assert _ticket(flow, "en", language="ru").contact.language == "ru"
    assert _ticket(flow, "en").contact.language == "en"


def _with_consent_version_and_key() -> Flow:
    text = DEFINITION.replace(
        "      - {id: consent, type: consent, role: consent,",
        '      - {id: consent, type: consent, role: consent, consent_version: "v3",',
    ).replace(
        "      - {id: news, type: consent,",
        "      - {id: key, type: text, role: licence_key, label: {ru: Ключ, en: Key}}\n"
        "      - {id: news, type: consent,",
    )
    return compile_flow(parse_workflow(text, source="build.yaml"))


@pytest.mark.parametrize(("locale", "shown"), [("en", "Consent"), ("ru", "Согласие")])
def test_each_consent_given_is_recorded_with_its_version_and_the_text_shown(
    locale: str, shown: str
) -> None:
    import hashlib

    ticket = _ticket(_with_consent_version_and_key(), locale=locale)
    (consent,) = ticket.consents  # "news" was not given
    assert (consent.id, consent.version, consent.locale, consent.given_at) == (
        "consent",
        "v3",
        locale,
        NOW,
    )
    assert consent.text_sha256 == hashlib.sha256(shown.encode("utf-8")).hexdigest()


def test_a_consent_without_a_version_records_none(flow: Flow) -> None:
    (consent,) = _ticket(flow).consents
    assert consent.version is None
    assert _ticket(flow, consent=False).consents == ()


def test_the_licence_key_reaches_the_ticket_and_never_its_repr() -> None:
    ticket = _ticket(_with_consent_version_and_key(), key=" ABCDE-12345 ")
    assert ticket.licence_key == "ABCDE-12345"
    assert "ABCDE" not in repr(ticket)
    assert ticket.redacted().licence_key == "<redacted>"
    assert all("ABCDE" not in str(a.value) for a in ticket.redacted().answers)


def test_only_answers_still_prefilled_are_marked(flow: Flow) -> None:
    ticket = build_ticket(
        flow,
        ticket_id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("build", 1, "sha256:0"),
        passed=["channel", "question", "request"],
        answers=ANSWERS,
        channel="email",
        locale="en",
        articles=TicketArticles(),
        now=NOW,
        prefilled=("product", "hidden-elsewhere"),
    )
    assert {a.question for a in ticket.answers if a.prefilled} == {"product"}
