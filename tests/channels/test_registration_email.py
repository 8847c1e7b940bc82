"""The registration e-mail parses back with the standard library and says what it must."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser

import attrs
import pytest

from conftest import walk
from kl_contact import (
    Attachment,
    Engine,
    Receipt,
    RequestFormat,
    SendRegistrationEmail,
    Ticket,
    default_workflow,
)
from kl_contact.channels import find_request_number, registration_email, subject_token

SENDER = "Support <noreply@example.invalid>"


def accepted(channel: str, locale: str) -> SendRegistrationEmail:
    engine = Engine(default_workflow())
    effects = [e for t in walk(engine, channel, locale) for e in t.effects]
    (effect,) = [e for e in effects if isinstance(e, SendRegistrationEmail)]
    return effect


def build(ticket: Ticket, receipt: Receipt, **kw: object) -> EmailMessage:
    return registration_email(default_workflow(), ticket, receipt, sender=SENDER, **kw)  # type: ignore[arg-type]


def reparse(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    return plain.get_content(), rich.get_content()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("ru", ["Запрос зарегистрирован", "ответьте на это письмо", "Номер запроса"]),
        ("en", ["Request registered", "reply to this letter", "Request number"]),
    ],
)
@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_registration_email_round_trips(channel: str, locale: str, words: list[str]) -> None:
    effect = accepted(channel, locale)
    when = datetime(2026, 11, 25, 9, 31, tzinfo=UTC)
    message = reparse(
        build(effect.ticket, effect.receipt, message_id="<r-1@example.invalid>", date=when)
    )
    subject = str(message["Subject"]).strip()  # the stdlib may fold before the first word
    assert subject.startswith("[Request #INC-000042] ")
    assert words[0] in subject
    assert str(message["To"]).endswith("<jane.roe@example.org>")
    assert str(message["Reply-To"]) == "support@example.invalid"
    assert str(message["From"]) == SENDER
    assert str(message["Message-ID"]) == "<r-1@example.invalid>"
    assert message["Date"].datetime == when
    assert str(message["Content-Language"]) == locale
    assert message.get_content_type() == "multipart/alternative"
    assert list(message.iter_attachments()) == []
    plain, rich = parts(message)
    for text in (plain, HtmlText.of(rich)):
        assert "INC-000042" in text
        assert effect.ticket.subject in text
        for word in words[1:]:
            assert word in text
        # the summary repeats the question and its answers, in the user's locale
        for answer in effect.ticket.answers:
            if answer.type in {"single_choice", "long_text"}:
                assert answer.display in text
    assert find_request_number(message) == "INC-000042"


class HtmlText(HTMLParser):
    """Text of an HTML document, and whether any script or handler is live."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "img", "iframe", "object", "svg"}:
            self.live.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").lower().lstrip().startswith("javascript:"):
                self.live.append(name)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @classmethod
    def of(cls, document: str) -> str:
        parser = cls()
        parser.feed(document)
        assert parser.live == []
        return "".join(parser.chunks)


HOSTILE = '<script>alert("x")</script>\'"><img src=x onerror=alert(1)>'


def test_hostile_ticket_and_receipt_make_no_live_html_and_no_header_injection() -> None:
    effect = accepted("chat", "en")
    ticket = attrs.evolve(
        effect.ticket,
        subject=HOSTILE + "\r\nBcc: victim@example.org",
        contact=attrs.evolve(effect.ticket.contact, name=HOSTILE + "\nX-Evil: 1"),
        attachments=(Attachment(name=HOSTILE, media_type="image/png", size=10),),
        answers=tuple(
            attrs.evolve(a, display=HOSTILE, label=HOSTILE) for a in effect.ticket.answers
        ),
    )
    receipt = attrs.evolve(
        effect.receipt,
        request_number="INC-7<script>",
        contact=attrs.evolve(effect.receipt.contact, chat_url="javascript:alert(1)"),
    )
    message = reparse(build(ticket, receipt))
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    assert list(message.iter_attachments()) == []
    plain, rich = parts(message)
    text = HtmlText.of(rich)  # asserts nothing is live
    assert HOSTILE in text
    assert "javascript:" not in rich.lower()
    assert "Files attached: 1" in plain


def test_subject_token_is_the_fixed_form() -> None:
    assert subject_token("A-1") == "[Request #A-1]"
    effect = accepted("email", "ru")
    message = build(effect.ticket, attrs.evolve(effect.receipt, request_number="77/2026"))
    assert re.match(r"^\[Request #77/2026\] ", str(message["Subject"]))


def test_the_subject_carries_the_tag_the_definition_declares() -> None:
    effect = accepted("email", "en")
    rt = RequestFormat(number="KL-{id}", subject_tag="[kl-contact #{id}]")
    workflow = attrs.evolve(default_workflow(), requests=rt)
    receipt = attrs.evolve(effect.receipt, request_number="KL-1024")
    message = registration_email(workflow, effect.ticket, receipt, sender=SENDER)
    subject = str(message["Subject"])
    assert subject.startswith("[kl-contact #1024] ")
    assert "[Request #" not in subject
    assert find_request_number({"Subject": "Re: " + subject}, requests=rt) == "KL-1024"


def test_no_reply_to_without_a_support_mailbox() -> None:
    effect = accepted("email", "en")
    workflow = attrs.evolve(default_workflow(), support_email=None)
    message = registration_email(workflow, effect.ticket, effect.receipt, sender=SENDER)
    assert message["Reply-To"] is None


def test_a_right_to_left_letter_sets_dir_and_isolates_what_the_user_typed() -> None:
    from conftest import NOW, sample_engine
    from kl_contact import (
        ArticlesFound,
        ChooseChannel,
        Continue,
        Escalate,
        Next,
        Send,
        TicketAccepted,
    )

    engine = sample_engine("hebrew")
    t = engine.start(session_id="rtl-1", now=NOW)
    assert t.view.dir == "rtl"
    for event in (Continue(), ChooseChannel("email")):
        t = engine.handle(t.session, event, NOW)
    t = engine.handle(t.session, Next({"topic": "virus", "subject": "Scan fails"}), NOW)
    (search,) = t.effects
    t = engine.handle(t.session, ArticlesFound(search.search_id), NOW)  # type: ignore[attr-defined]
    t = engine.handle(t.session, Escalate(), NOW)
    t = engine.handle(t.session, Send({"email": "user@example.com"}), NOW)
    (submit,) = t.effects
    receipt = Receipt(request_number="R-1", channel="email")
    t = engine.handle(t.session, TicketAccepted(submit.submission_id, receipt), NOW)  # type: ignore[attr-defined]
    (letter,) = [e for e in t.effects if isinstance(e, SendRegistrationEmail)]
    message = registration_email(engine.workflow, letter.ticket, receipt, sender=SENDER)
    _, rich = parts(message)
    assert '<html lang="he" dir="rtl">' in rich
    assert '<section class="kl-next-steps" lang="he" dir="rtl"' in rich
    assert "<bdi>Scan fails</bdi>" in rich
