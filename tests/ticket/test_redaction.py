"""A ticket's safe copy for logs: every personal value replaced, everything else kept, and
reprs that name the type but show no personal data."""

from __future__ import annotations

from conftest import NOW
from kl_contact import Attachment, ContactDetails, Ticket, TicketAnswer, WorkflowRef

REDACTED = "<redacted>"


def answer(question: str, type_: str, value: object, display: str) -> TicketAnswer:
    return TicketAnswer(question=question, label=question, type=type_, value=value, display=display)  # type: ignore[arg-type]


def ticket(contact: ContactDetails) -> Ticket:
    return Ticket(
        id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("wf", 1, "d" * 8),
        channel="email",
        locale="en",
        created_at=NOW,
        subject="My laptop is slow",
        description="Since Tuesday it takes minutes to start.",
        contact=contact,
        product="plus",
        answers=(
            answer("product", "single_choice", "plus", "Plus"),
            answer("extras", "multiple_choice", ("vpn",), "VPN"),
            answer("consent", "consent", True, "yes"),
            answer("subject", "text", "My laptop is slow", "My laptop is slow"),
            answer("story", "long_text", "It began after an update.", "It began after an update."),
            answer("email", "email", "jane.roe@example.org", "jane.roe@example.org"),
            answer("phone", "phone", "+442079460958", "+44 20 7946 0958"),
        ),
        attachments=(Attachment(name="holiday-photo.png", media_type="image/png", size=10),),
    )


FULL = ContactDetails(
    email="jane.roe@example.org", name="Jane Roe", phone="+442079460958", language="ru"
)


def test_every_free_text_answer_is_replaced_value_and_display() -> None:
    safe = ticket(FULL).redacted()
    free = {
        a.question: (a.value, a.display)
        for a in safe.answers
        if a.type not in {"single_choice", "multiple_choice", "consent"}
    }
    assert free == dict.fromkeys(["subject", "story", "email", "phone"], (REDACTED, REDACTED))


def test_choices_and_consent_are_kept() -> None:
    original = ticket(FULL)
    safe = original.redacted()
    assert safe.answers[:3] == original.answers[:3]
    assert (safe.id, safe.channel, safe.product) == ("t-1", "email", "plus")


def test_file_names_are_replaced_and_their_metadata_kept() -> None:
    (safe,) = ticket(FULL).redacted().attachments
    assert (safe.name, safe.media_type, safe.size) == (REDACTED, "image/png", 10)


def test_contact_details_are_replaced_but_the_language_is_kept() -> None:
    safe = ticket(FULL).redacted().contact
    assert (safe.email, safe.name, safe.phone, safe.language) == (
        REDACTED,
        REDACTED,
        REDACTED,
        "ru",
    )


def test_missing_contact_details_stay_missing() -> None:
    safe = ContactDetails(email="jane.roe@example.org").redacted()
    assert (safe.email, safe.name, safe.phone) == (REDACTED, None, None)


def test_reprs_name_the_type_and_nothing_personal() -> None:
    assert repr(FULL) == "ContactDetails(<redacted>)"
    shown = repr(ticket(FULL))
    assert shown.startswith("Ticket(id='t-1', channel='email'")
    for personal in ("Jane", "jane.roe", "laptop", "holiday"):
        assert personal not in shown
