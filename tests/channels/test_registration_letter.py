"""What the registration letter lists, line by line: the summary a user checks (request
number, channel, subject, the answers that are not contact details), the files count, and
subjects and names flattened to one bounded line."""

from __future__ import annotations

import attrs
from test_registration_email import HtmlText, accepted, build, parts, reparse

from kl_contact import Attachment

SUMMARY = [
    "  Request number: INC-000042",
    "  Channel: Phone",
    "  Subject: The activation code is not accepted",
    "  Product: Kaspersky Plus",
    "  Operating system: Windows",
    "  Problem category: Activation and licence",
    "  Detailed description: The application says the code is invalid although it came"
    " with the purchase.",
    "  Name: Jane Roe",
]


def test_the_summary_lists_the_request_and_the_answers_but_no_contact_detail() -> None:
    effect = accepted("phone", "en")
    plain, rich = parts(reparse(build(effect.ticket, effect.receipt)))
    lines = plain.splitlines()
    start = lines.index("Your request:")
    assert lines[start + 1 : start + 1 + len(SUMMARY)] == SUMMARY
    assert lines[start + 1 + len(SUMMARY)] == ""  # no files: no files line
    assert lines[0] == "Hello, your request INC-000042 to technical support has been registered."
    assert "+442079460958" not in plain  # the phone, e-mail and consent are not repeated
    assert "  Consent" not in plain
    assert '<html lang="en" dir="ltr">' in rich
    assert "<dt>Channel</dt><dd><bdi>Phone</bdi></dd>" in rich
    assert "<dt>Name</dt><dd><bdi>Jane Roe</bdi></dd>" in rich
    assert "<title>[Request #INC-000042]</title>" in rich
    assert "What happens next" in HtmlText.of(rich)
    assert "<dt>Consent</dt>" not in rich


def test_the_letter_counts_the_attached_files_without_naming_them() -> None:
    effect = accepted("email", "en")
    files = (Attachment("a.log", "text/plain", 10), Attachment("b.png", "image/png", 20))
    ticket = attrs.evolve(effect.ticket, attachments=files)
    plain, rich = parts(reparse(build(ticket, effect.receipt)))
    counted = [line for line in plain.splitlines() if "2" in line and "file" in line.lower()]
    assert len(counted) == 1
    assert counted[0].startswith("  ")
    assert counted[0].strip() in HtmlText.of(rich)
    assert "a.log" not in plain
    assert "b.png" not in rich


def test_an_answer_that_repeats_the_subject_is_listed_once() -> None:
    effect = accepted("email", "en")
    plain, _ = parts(reparse(build(effect.ticket, effect.receipt)))
    assert plain.count("The activation code is not accepted") == 1


def test_a_long_subject_and_name_are_cut_to_one_line() -> None:
    effect = accepted("email", "en")
    subject = "Scan\nstops\t\x00at " + "x" * 300
    contact = attrs.evolve(effect.ticket.contact, name="Jane\r\nBcc: evil@example.org " + "R" * 100)
    ticket = attrs.evolve(effect.ticket, subject=subject, contact=contact)
    message = reparse(build(ticket, effect.receipt))
    header = " ".join(str(message["Subject"]).split())
    assert header.startswith("[Request #INC-000042] Request registered: Scan stops at xxx")
    assert header.endswith("x…")
    assert len(header) <= 200 + len("[Request #INC-000042] ")
    registered = header.removeprefix("[Request #INC-000042] Request registered: ")
    assert len(registered) == 120  # MAX_SUBJECT_TEXT, the ellipsis included
    to = build(ticket, effect.receipt)["To"]  # as written: reading it back folds the name
    assert to.addresses[0].addr_spec == "jane.roe@example.org"
    name = to.addresses[0].display_name
    assert name.startswith("Jane Bcc: evil@example.org RRR")
    assert name.endswith("…")
    assert len(name) == 80
    assert message["Bcc"] is None


def test_a_short_subject_is_kept_whole() -> None:
    effect = accepted("email", "en")
    ticket = attrs.evolve(effect.ticket, subject="  Scan   stops ")
    header = " ".join(str(reparse(build(ticket, effect.receipt))["Subject"]).split())
    assert header == "[Request #INC-000042] Request registered: Scan stops"


def test_the_letter_says_it_was_sent_automatically() -> None:
    # mail programs then send no out-of-office reply back to the registration address
    effect = accepted("email", "en")
    message = reparse(build(effect.ticket, effect.receipt))
    assert message.get_all("Auto-Submitted") == ["auto-generated"]
