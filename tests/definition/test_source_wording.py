"""The default workflow says what the source document says, in both locales.

The source (tests/definition/source/contact-workflow.ru.md, with its working English
translation beside it) names the buttons, the links and what the confirmation shows. These
tests read the phrases out of the source files themselves, so a change of wording in the
workflow that drifts from the source fails here, and so does a source that changes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from conftest import receipt_for, walk
from kl_contact import Engine, Receipt, default_workflow
from kl_contact.channels.instructions import build_instructions

SOURCE = Path(__file__).resolve().parent / "source"
SHARED = next(
    (up / "shared" / "seed" for up in SOURCE.parents if (up / "shared" / "seed").is_dir()), None
)
QUOTED = {"ru": re.compile(r"«([^»]+)»"), "en": re.compile(r'"([^"]+)"')}
STEP = re.compile(r"^\s*(\d)\.\s+(.*)$")


def _source(locale: str) -> str:
    return (SOURCE / f"contact-workflow.{locale}.md").read_text(encoding="utf-8")


def _numbered(locale: str) -> dict[int, str]:
    """The source's numbered steps (1-7), each with its continuation lines."""
    steps: dict[int, str] = {}
    current = 0
    for line in _source(locale).splitlines():
        found = STEP.match(line)
        if found:
            current = int(found.group(1))
            steps[current] = found.group(2)
        elif current and line.startswith("   "):
            steps[current] += " " + line.strip()
    return steps


def _quoted(locale: str, step: int) -> list[str]:
    return QUOTED[locale].findall(_numbered(locale)[step])


def _links(locale: str) -> list[str]:
    return re.findall(r"https://[^\s)]+", _source(locale))


PINNED = {
    "contact-workflow.ru.md": "a7a75cc7b08c66c2ec17b1859885b023c56e2cd65e2094bf0d1c583a4e64e554",
    "contact-workflow.en.md": "f32585d7b5c902dc1a5538fcca50421d6a151175cb77d9be0787132d41f95322",
}
"""SHA-256 of the source as it was copied: an edit of the copy fails even in a checkout that
has no shared source folder beside it."""


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_copy_is_the_source_as_pinned(name: str) -> None:
    copy = (SOURCE / name).read_bytes()
    assert hashlib.sha256(copy).hexdigest() == PINNED[name], name
    if SHARED is not None:  # beside the shared folder, the copy is also that folder's file
        assert copy == (SHARED / name).read_bytes(), name


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_channel_button_is_the_sources_contact_button(locale: str) -> None:
    button = _quoted(locale, 2)[0]
    assert button == {"ru": "Связаться с поддержкой", "en": "Contact support"}[locale]
    workflow = default_workflow()
    assert {c.button[locale] for c in workflow.channels} == {button}
    assert button in (workflow.step("channel").text or {})[locale]


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_the_articles_and_request_buttons_are_the_sources(locale: str) -> None:
    workflow = default_workflow()
    assert workflow.step("articles").button[locale] == _quoted(locale, 5)[0]  # type: ignore[index]
    assert workflow.step("details").button[locale] == _quoted(locale, 6)[-1]  # type: ignore[index]
    chat = workflow.channel("chat")
    assert {i.label[locale] for i in chat.instructions if i.label} == {_quoted(locale, 7)[0]}


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_self_service_links_are_the_sources(locale: str) -> None:
    """Both locales link the resources the source lists; the forum link keeps the
    home-products section in English too (the working translation gives the same link)."""
    workflow = default_workflow()
    links = _links(locale)
    forum = next(r for r in workflow.self_service if r.id == "forum")
    assert forum.url[locale] in links
    assert "продукты-для-дома" in forum.url[locale]
    if locale == "ru":  # the English pages are the vendor's own .com addresses
        for resource in workflow.self_service:
            assert resource.url["ru"] in links, resource.id
        assert workflow.contacts_page.url["ru"] in links


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_the_email_confirmation_shows_the_engineers_contact(locale: str) -> None:
    """Step 7: the next screen gives the engineers' contact, for e-mail as for chat and phone:
    the address the backend's receipt names, else the definition's support mailbox."""
    final = walk(Engine(default_workflow()), "email", locale)[-1]
    assert final.view.confirmation is not None
    texts = [s.text for s in final.view.confirmation.instructions.steps]
    assert any(receipt_for("email").contact.email in text for text in texts)  # type: ignore[operator]
    bare = Receipt(request_number="INC-7", channel="email")
    steps = build_instructions(default_workflow(), bare, "user@example.com", locale).steps
    assert any("support@example.invalid" in step.text for step in steps)
    assert not any("{" in step.text for step in steps)
