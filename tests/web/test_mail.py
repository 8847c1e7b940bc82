"""The registration letter's text, and how it reaches the SMTP server.

The host writes the letter's text itself instead of building and flattening a standard
library message: these tests hold it to what the ``email`` package writes for the same
message, and check that one connection per thread carries letter after letter, and that a
connection the server dropped meanwhile costs no letter.
"""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.mime.text import MIMEText
from typing import Any

from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st

from web.conftest import free_port, need_module

need_module("flask")

from kl_contact_web import mail  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402

JSON = dict[str, Any]

DATE = "Sun, 06 Dec 2026 22:42:30 -0000"


def _effect(name: str, subject: str, description: str, locale: str, channel: str) -> JSON:
    return {
        "locale": locale,
        "ticket": {
            "contact": {"name": name, "email": "anna@example.com"},
            "channel": channel,
            "subject": subject,
            "description": description,
        },
        "receipt": {
            "request_number": "WEB-000042",
            "contact": {
                "email": "help@example.com",
                "chat_url": "https://chat.example.com/r/WEB-000042",
                "phone_display": "+7 495 111-22-33",
            },
        },
    }


def _as_the_email_package_writes_it(draft: mail.Draft, settings_: Settings) -> str:
    """The same letter built as a MIMEText and flattened by the standard library."""
    parsed = message_from_bytes(draft.text.encode("ascii"), policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    message = MIMEText(str(body.get_content()), "plain", "utf-8")
    raw = mail.letter_from_text(draft.text)  # headers exactly as they were written
    for name in ("Subject", "From", "To", "Reply-To", "Date", "Message-ID", "Content-Language"):
        message[name] = raw[name]
    return mail.letter_text(message)


words = st.sampled_from(
    ["Анна", "Petrova", "O'Brien", "x" * 40, "Иванов-Петров", "a,b", '"q"', "Zoë", "日本", "help"]
)
phrases = st.lists(words, max_size=14).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    name=phrases,
    subject=phrases.filter(bool),
    description=phrases.filter(bool),
    locale=st.sampled_from(["en", "ru"]),
    channel=st.sampled_from(["email", "chat", "phone"]),
    tag=st.sampled_from([None, "[kl-contact #WEB-000042]"]),
    sender=st.sampled_from(["Support <help@example.com>", "Служба поддержки <help@example.com>"]),
)
def test_the_letter_is_written_as_the_email_package_writes_it(
    name: str, subject: str, description: str, locale: str, channel: str, tag: str | None,
    sender: str,
) -> None:  # fmt: skip
    configured = Settings(support_email="help@example.com", mail_from=sender)
    draft = mail.registration_letter(
        _effect(name, subject, description, locale, channel), configured, subject_tag=tag
    )
    assert draft.text == _as_the_email_package_writes_it(draft, configured)
    letter = message_from_bytes(draft.text.encode("ascii"), policy=policy.default)
    assert letter["Message-ID"] == draft.message_id
    assert letter["To"].addresses[0].addr_spec == "anna@example.com"
    assert letter["To"].addresses[0].display_name == " ".join(name.split())
    content = letter.get_body(preferencelist=("plain",))
    assert content is not None
    assert description in str(content.get_content())
    assert all(len(line) <= 998 for line in draft.text.split("\r\n"))  # RFC 5322


class _Peers:
    """An SMTP handler that notes, per letter, the client's address and port."""

    def __init__(self) -> None:
        self.peers: list[tuple[str, int]] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _draft(number: int) -> str:
    effect = _effect("Анна", "Вход", "Не открывается", "ru", "email")
    effect["ticket"]["contact"]["email"] = f"user{number}@example.com"
    return mail.registration_letter(effect, Settings(support_email="help@example.com")).text


def test_a_thread_sends_its_letters_over_one_connection_and_replaces_a_dropped_one() -> None:
    port = free_port()
    handler = _Peers()
    configured = Settings(smtp_port=port, mail_from="Support <help@example.com>")

    def serve() -> Controller:
        server = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
        server.start()
        return server

    def letters() -> None:  # in a thread of its own, which starts without a connection
        server = serve()
        try:
            mail.send_email(_draft(1), configured)
            mail.send_email(_draft(2), configured)
        finally:
            server.stop()
        server = serve()  # the server went away and came back: the kept connection is dead
        try:
            mail.send_email(_draft(3), configured)
            mail.send_email(_draft(4), configured)
        finally:
            server.stop()

    sender = threading.Thread(target=letters)
    sender.start()
    sender.join()
    assert handler.recipients == [[f"user{n}@example.com"] for n in (1, 2, 3, 4)]  # once each
    assert handler.peers[0] == handler.peers[1]  # the second letter reused the connection
    assert handler.peers[2] != handler.peers[1]  # the third needed a new one
    assert handler.peers[2] == handler.peers[3]
