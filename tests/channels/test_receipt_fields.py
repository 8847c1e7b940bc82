"""Which receipt fields a channel's next steps need, and which a receipt lacks."""

from __future__ import annotations

import pytest

from conftest import minimal
from kl_contact import EngineerContact, Receipt, parse_workflow
from kl_contact.channels.receipt_fields import missing_receipt_fields, receipt_fields

TEXT = minimal().replace(
    '"Request {request_number} is registered."',
    '"Call {phone}; an answer comes within {reply_within}."',
)
WORKFLOW = parse_workflow(TEXT, source="fields.yaml")


def _receipt(phone: str | None, hours: int | None) -> Receipt:
    return Receipt(
        request_number="INC-1",
        channel="email",
        contact=EngineerContact(email="support@example.com", phone=phone),
        reply_within_hours=hours,
    )


def test_the_fields_are_read_from_the_instruction_texts() -> None:
    assert receipt_fields(WORKFLOW, "email") == ("contact.phone", "reply_within_hours")
    assert receipt_fields(WORKFLOW, "nowhere") == ()


@pytest.mark.parametrize(
    ("phone", "hours", "missing"),
    [
        ("+74950000000", 24, []),
        ("+74950000000", 0, []),
        (None, 24, ["receipt.no_phone"]),
        ("   ", 24, ["receipt.no_phone"]),
        ("+74950000000", None, ["receipt.no_reply_within_hours"]),
        (None, None, ["receipt.no_phone", "receipt.no_reply_within_hours"]),
    ],
)
def test_a_receipt_lacks_what_it_does_not_carry(
    phone: str | None, hours: int | None, missing: list[str]
) -> None:
    assert missing_receipt_fields(WORKFLOW, _receipt(phone, hours)) == missing
