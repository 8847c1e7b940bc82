"""The next steps as plain text and as JSON, exactly as a letter or a client shows them, and
the phone links they carry."""

from __future__ import annotations

import json

import pytest

from kl_contact.channels import (
    Instructions,
    InstructionStep,
    NextStepAction,
    render_json,
    render_text,
)
from kl_contact.channels.instructions import e164, tel_url


def _instructions(*steps: InstructionStep, locale: str = "en") -> Instructions:
    return Instructions(
        channel="chat",
        locale=locale,
        request_number="INC-7",
        steps=steps,
        registration_note="A letter goes to you.",
    )


def test_plain_text_numbers_the_steps_and_shows_each_link_or_number() -> None:
    text = render_text(
        _instructions(
            InstructionStep(
                "Open the chat.", NextStepAction("open_chat", "Chat now", "https://c.example/r/7")
            ),
            InstructionStep(
                "Or call.",
                NextStepAction(
                    "call", "Call", phone="+74950000000", phone_display="+7 495 000-00-00"
                ),
            ),
            InstructionStep(
                "Wait for a letter.", NextStepAction("wait_email", reply_within_hours=24)
            ),
        )
    )
    assert text.splitlines() == [
        "1. Open the chat.",
        "   [Chat now] https://c.example/r/7",
        "2. Or call.",
        "   [Call] +7 495 000-00-00",
        "3. Wait for a letter.",
        "   An engineer replies within 24 h.",
        "",
        "A letter goes to you.",
    ]


def test_plain_text_names_an_unlabelled_action_and_drops_an_unsafe_link() -> None:
    text = render_text(
        _instructions(
            InstructionStep("Chat.", NextStepAction("open_chat", url="https://c.example/r/7")),
            InstructionStep("Call.", NextStepAction("call", phone="+74950000000")),
            InstructionStep(
                "Not this.", NextStepAction("open_chat", "Chat", "javascript:alert(1)")
            ),
            InstructionStep("No number.", NextStepAction("call", "Call")),
            InstructionStep("Just wait.", NextStepAction("wait_email")),
        )
    )
    assert text.splitlines() == [
        "1. Chat.",
        "   [chat] https://c.example/r/7",
        "2. Call.",
        "   [call] +74950000000",
        "3. Not this.",
        "4. No number.",
        "5. Just wait.",
        "",
        "A letter goes to you.",
    ]


def test_json_is_indented_utf8_text_of_every_field() -> None:
    document = render_json(
        _instructions(
            InstructionStep("Позвоните нам.", NextStepAction("call", phone="+7")), locale="ru"
        )
    )
    assert "Позвоните нам." in document  # not escaped as \\u sequences
    assert document.splitlines()[1].startswith('  "')  # two spaces deep
    parsed = json.loads(document)
    assert parsed["steps"][0]["action"]["phone"] == "+7"
    assert parsed["request_number"] == "INC-7"


@pytest.mark.parametrize(
    ("phone", "url"),
    [
        ("+7 (495) 123-45-67", "tel:+74951234567"),
        ("  +44 20 7946 0958", "tel:+442079460958"),
        ("8 800 555-35-35", "tel:88005553535"),
        ("112", "tel:112"),
        ("+123456789012345", "tel:+123456789012345"),
        ("12", None),
        ("+1234567890123456", None),
        ("٠١٢٣٤٥", None),  # digits, but not ASCII ones: no dialable number
        ("", None),
        (None, None),
    ],
)
def test_a_phone_link_keeps_the_digits_and_a_leading_plus(
    phone: str | None, url: str | None
) -> None:
    assert tel_url(phone) == url


def test_e164_only_rewrites_a_number_with_its_country_code() -> None:
    assert e164("+7 (495) 000-00-00") == "+74950000000"
    assert e164("8 800 555-35-35") == "8 800 555-35-35"
    assert e164("12") == "12"
    assert e164(None) is None


@pytest.mark.parametrize(
    ("zone", "locale", "shown"),
    [
        ("Europe/Moscow", "en", "2026-11-25 09:05 (UTC+03:00)"),
        ("Europe/Moscow", "ru", "25.11.2026 09:05 (UTC+03:00)"),
        ("America/St_Johns", "en", "2026-11-25 09:05 (UTC-03:30)"),
        ("UTC", "de", "2026-11-25 09:05 (UTC+00:00)"),  # no German format: the English one
    ],
)
def test_an_opening_time_reads_as_local_time_with_its_offset(
    zone: str, locale: str, shown: str
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kl_contact.channels.status import format_opening

    assert format_opening(datetime(2026, 11, 25, 9, 5, tzinfo=ZoneInfo(zone)), locale) == shown
    assert format_opening(datetime(2026, 11, 25, 9, 5), "en") == "2026-11-25 09:05 (UTC)"
