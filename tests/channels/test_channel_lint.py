"""Channel parts of a definition: unknown placeholders, time zones, dates and suggestions."""

from __future__ import annotations

from importlib import resources

import pytest

from kl_contact import DefinitionError, parse_workflow
from kl_contact.definition.loader import check_document

DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_unknown_placeholder_in_an_instruction_names_file_line_and_hint() -> None:
    old = 'en: "Call the engineers at {phone_display}'
    text = DEFAULT_TEXT.replace(old, 'en: "Call the engineers at {phone_number}')
    with pytest.raises(DefinitionError) as caught:
        parse_workflow(text, source="custom.yaml")
    error = caught.value
    assert error.code == "text.unknown_placeholder"
    assert error.source == "custom.yaml"
    assert error.line == _line_of(text, "Call the engineers at {phone_number}")
    assert error.path[:2] == ("channels", 2)
    assert error.path[-1] == "en"
    assert error.hint is not None
    assert "phone_display" in error.hint
    assert "{phone_number}" in str(error)


def test_unknown_placeholder_in_the_registration_note() -> None:
    text = DEFAULT_TEXT.replace(
        "придёт письмо о регистрации запроса {request_number}",
        "придёт письмо о регистрации запроса {ticket.__class__}",
        1,
    )
    # {ticket.__class__} is no placeholder at all (a dot): it stays text and is no error.
    assert check_document(text) == []
    text = DEFAULT_TEXT.replace(
        "придёт письмо о регистрации запроса {request_number}",
        "придёт письмо о регистрации запроса {ticket}",
        1,
    )
    (problem,) = check_document(text)
    assert problem.code == "text.unknown_placeholder"
    assert problem.path == ("registration_note", "ru")


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("time_zone: Europe/Moscow", "time_zone: Europe/Atlantis", "hours.unknown_time_zone"),
        ('{date: "2027-01-01"}', '{date: "2027-02-30"}', "hours.bad_date"),
        ('{date: "2027-01-02"}', '{date: "2027-01-01"}', "hours.duplicate_date"),
        ("suggest: [email, chat]", "suggest: [fax]", "ref.unknown_channel"),
        ("suggest: [email, chat]", "suggest: [phone]", "ref.unknown_channel"),
        ('opens: "09:00", closes: "21:00"', 'opens: "9:00", closes: "21:00"', "schema.pattern"),
        ("choosable: false", "choosable: maybe", "schema.type"),
    ],
)
def test_broken_hours_are_definition_errors(old: str, new: str, code: str) -> None:
    assert old in DEFAULT_TEXT
    text = DEFAULT_TEXT.replace(old, new, 1)
    codes = [p.code for p in check_document(text)]
    assert code in codes
    with pytest.raises(DefinitionError):
        parse_workflow(text)


def test_default_definition_has_hours_and_a_support_mailbox() -> None:
    workflow = parse_workflow(DEFAULT_TEXT)
    assert workflow.support_email == "support@example.invalid"
    phone = workflow.channel("phone").availability
    assert phone is not None
    assert not phone.choosable_when_closed
    assert workflow.channel("email").availability is None


def test_a_callback_on_a_line_without_hours_names_its_place() -> None:
    # the e-mail channel has no opening hours: a callback there could never be offered
    callback = (
        "    callback:\n"
        "      slot_minutes: 30\n"
        "      days: 2\n"
        "      instructions:\n"
        '        - text: {ru: "Ждите звонка.", en: "Wait for the call."}\n'
    )
    anchor = '          en: "The support engineers\' contact: {support_email}."\n'
    text = DEFAULT_TEXT.replace(anchor, anchor + callback, 1)
    (problem,) = check_document(text)
    assert problem.code == "callback.no_hours"
    assert problem.path == ("channels", 0, "callback")
    # the callback's own mapping, first key: line and column of the node
    assert problem.line == _line_of(text, "      slot_minutes: 30\n      days: 2\n")
    assert problem.column == 7
    with pytest.raises(DefinitionError) as caught:
        parse_workflow(text, source="custom.yaml")
    assert caught.value.code == "callback.no_hours"
    assert "availability" in str(caught.value.hint)


def test_an_always_open_line_has_no_hours_to_offer_a_callback_in() -> None:
    hours = '      weekly:\n        - {days: [mon, tue, wed, thu, fri], opens: "09:00"'
    assert DEFAULT_TEXT.count(hours) == 1  # the phone line's
    text = DEFAULT_TEXT.replace(hours, "      always_open: true\n" + hours, 1)
    (problem,) = check_document(text)
    assert problem.code == "callback.no_hours"
    assert problem.path == ("channels", 2, "callback")


def test_the_callbacks_placeholders_are_known_in_its_instructions_only() -> None:
    assert check_document(DEFAULT_TEXT) == []  # {callback_at} and {callback_phone} in use
    old = 'en: "Call the engineers at {phone_display}'
    text = DEFAULT_TEXT.replace(old, 'en: "We call you on {callback_at} at {phone_display}', 1)
    (problem,) = check_document(text)
    assert problem.code == "text.unknown_placeholder"
    assert problem.path[:3] == ("channels", 2, "instructions")
    wrong = DEFAULT_TEXT.replace("at {callback_phone}. Keep", "at {callback_number}. Keep", 1)
    (problem,) = check_document(wrong)
    assert problem.code == "text.unknown_placeholder"
    assert problem.path[:4] == ("channels", 2, "callback", "instructions")


def test_the_callback_offer_is_read_into_the_model() -> None:
    phone = parse_workflow(DEFAULT_TEXT).channel("phone")
    assert phone.callback is not None
    assert (phone.callback.slot_minutes, phone.callback.days) == (30, 3)
    assert [i.action.value if i.action else None for i in phone.callback.instructions] == [
        None,
        "wait_callback",
    ]
    assert phone.estimate_wait is False
    assert parse_workflow(DEFAULT_TEXT).channel("chat").estimate_wait is True


@pytest.mark.parametrize(
    ("old", "new"),
    [("slot_minutes: 30", "slot_minutes: 5"), ("days: 3", "days: 30"), ("days: 3", "days: 0")],
)
def test_a_callback_out_of_bounds_is_a_schema_error(old: str, new: str) -> None:
    text = DEFAULT_TEXT.replace(old, new, 1)
    (problem,) = check_document(text)
    assert problem.code.startswith("schema")
    assert problem.path[:3] == ("channels", 2, "callback")
