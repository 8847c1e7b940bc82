"""The confirmation for each channel and locale in each renderer, and hostile inputs in HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HOSTILE_LINKS, walk
from kl_contact import Engine, EngineerContact, Receipt, default_workflow
from kl_contact.channels import (
    Instructions,
    InstructionStep,
    NextStepAction,
    build_instructions,
    render_html,
    render_json,
    render_markdown,
    render_text,
    safe_url,
)
from kl_contact.schemas import violations

CHANNELS = ("email", "chat", "phone")
LOCALES = ("ru", "en")
EMAIL = "jane.roe@example.org"

# What the user must read for each channel, by locale (from the source document's step 7).
EXPECTED = {
    ("email", "ru"): ["Дождитесь ответа инженера", EMAIL],
    ("email", "en"): ["Wait for the engineer's reply", EMAIL],
    ("chat", "ru"): [
        "Перейти в чат",
        "закладках браузера",
        "https://chat.example.com/r/INC-000042",
    ],
    ("chat", "en"): ["Go to chat", "bookmarks", "https://chat.example.com/r/INC-000042"],
    ("phone", "ru"): ["Позвоните инженерам", "+7 495 000-00-00", "назовите номер запроса"],
    ("phone", "en"): ["Call the engineers", "+7 495 000-00-00", "give your request number"],
}
NOTE = {"ru": "Ответьте на него", "en": "Reply to it"}


def confirmation(channel: str, locale: str) -> Instructions:
    engine = Engine(default_workflow())
    view = walk(engine, channel, locale)[-1].view
    assert view.confirmation is not None
    return view.confirmation.instructions


class _Tree(HTMLParser):
    """Collects tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> _Tree:
    tree = _Tree()
    tree.feed(fragment)
    tree.close()
    return tree


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_renderer_says_what_to_do_next(channel: str, locale: str) -> None:
    instructions = confirmation(channel, locale)
    html_tree = parse(render_html(instructions))
    outputs = {
        "text": render_text(instructions),
        "markdown": unescape_markdown(render_markdown(instructions)),
        "html": "".join(html_tree.text),
        "json": json.dumps(json.loads(render_json(instructions)), ensure_ascii=False),
    }
    for name, output in outputs.items():
        assert "INC-000042" in output, name
        assert NOTE[locale] in output, name
        for expected in EXPECTED[(channel, locale)]:
            assert expected in output, (name, expected)
    links = [a for tag, a in html_tree.tags if tag == "a"]
    if channel == "chat":
        (link,) = links
        assert link["href"] == "https://chat.example.com/r/INC-000042"
        assert link["class"] == "kl-button"
        assert link["rel"] == "noopener noreferrer"
        assert "(https://chat.example.com/r/INC-000042)" in render_markdown(instructions)
    elif channel == "phone":
        (link,) = links
        assert link["href"] == "tel:+74950000000"
        assert link["class"] == "kl-phone"
        assert "(tel:+74950000000)" in render_markdown(instructions)
    else:
        assert links == []
    document = json.loads(render_json(instructions))
    assert not list(violations("instructions", document))
    assert document["channel"] == channel
    assert document["locale"] == locale


HOSTILE = '<script>alert("x")</script>\'"><img src=x onerror=alert(1)>'


def hostile_instructions(chat_url: str) -> Instructions:
    workflow = default_workflow()
    receipt = Receipt(
        request_number=HOSTILE,
        channel="chat",
        contact=EngineerContact(
            chat_url=chat_url, phone="javascript:alert(1)", phone_display=HOSTILE
        ),
    )
    return build_instructions(workflow, receipt, f"{HOSTILE}@example.org", "en")


BAD_URLS = [url for url in HOSTILE_LINKS if url != "mailto:"]  # never a chat link


@pytest.mark.parametrize("url", BAD_URLS)
def test_unsafe_urls_are_refused(url: str) -> None:
    assert safe_url(url) is None
    instructions = hostile_instructions(url)
    for step in instructions.steps:
        assert step.action is None or step.action.url is None
    assert not any(url.strip() in step.text for step in instructions.steps)


@pytest.mark.parametrize("url", [*BAD_URLS, "https://chat.example.com/r/1?a=<b>&c='d'"])
def test_hostile_values_are_never_live_in_html(url: str) -> None:
    instructions = hostile_instructions(url)
    fragment = render_html(instructions)
    tree = parse(fragment)
    assert {tag for tag, _ in tree.tags} <= {"section", "ol", "li", "p", "a"}
    for _, attributes in tree.tags:
        assert not any(name.startswith("on") for name in attributes)
        href = attributes.get("href")
        assert href is None or href.startswith(("https://", "http://", "tel:"))
    assert "<script" not in fragment
    assert "javascript:" not in fragment.lower()
    assert HOSTILE in "".join(tree.text)  # shown as text, whole
    markdown = render_markdown(instructions)
    assert re.search(r"(?<!\\)[<>]", markdown) is None  # every angle bracket escaped
    assert "javascript:" not in markdown.lower()


def test_a_hand_built_action_with_a_bad_url_renders_no_link() -> None:
    step = InstructionStep(
        text="Open the chat",
        action=NextStepAction(kind="open_chat", label="Go", url="javascript:alert(1)"),
    )
    call = InstructionStep(
        text="Call", action=NextStepAction(kind="call", phone="call me", phone_display="x")
    )
    instructions = Instructions("chat", "en", "1", (step, call), "note")
    for output in (render_html(instructions), render_markdown(instructions)):
        assert "javascript" not in output
        assert "tel:" not in output
    assert "javascript" not in render_text(instructions)


@pytest.mark.parametrize(("locale", "sentence"), [("ru", "в течение 24 ч"), ("en", "within 24 h")])
def test_wait_email_carries_the_promised_reply_time(locale: str, sentence: str) -> None:
    receipt = Receipt(request_number="INC-1", channel="email", reply_within_hours=24)
    instructions = build_instructions(default_workflow(), receipt, EMAIL, locale)
    (action,) = [s.action for s in instructions.steps if s.action is not None]
    assert action.kind == "wait_email"
    assert action.email == EMAIL
    assert action.reply_within_hours == 24
    for output in (render_text(instructions), render_html(instructions)):
        assert sentence in output
    assert sentence in unescape_markdown(render_markdown(instructions))
    document = json.loads(render_json(instructions))
    assert document["steps"][1]["action"]["reply_within_hours"] == 24
    assert not list(violations("instructions", document))
    without = build_instructions(default_workflow(), Receipt("INC-1", "email"), EMAIL, locale)
    assert sentence not in render_text(without)


def test_call_action_has_the_number_in_e164_and_display_form() -> None:
    receipt = Receipt(
        "INC-1", "phone", EngineerContact(phone="+7 (495) 000-00-00", phone_display="8 800 0")
    )
    instructions = build_instructions(default_workflow(), receipt, EMAIL, "en")
    (action,) = [s.action for s in instructions.steps if s.action is not None]
    assert action.phone == "+74950000000"
    assert action.phone_display == "8 800 0"
    assert action.request_number == "INC-1"


def test_reprs_hide_the_users_address() -> None:
    instructions = confirmation("email", "en")
    for obj in (instructions, *instructions.steps, *(s.action for s in instructions.steps)):
        assert EMAIL not in repr(obj)
        assert EMAIL not in str(obj)


ALLOWED_TAGS = {"section", "ol", "li", "p", "a", "bdi"}
ALLOWED_ATTRIBUTES = {"class", "lang", "dir", "data-channel", "data-request-number"}
ALLOWED_ATTRIBUTES |= {"href", "role", "target", "rel"}


@settings(max_examples=200, deadline=None)
@given(
    number=st.text(min_size=1, max_size=40),
    email=st.text(max_size=40),
    url=st.text(max_size=40) | st.text(max_size=40).map(lambda t: "https://x.example/" + t),
    phone=st.text(max_size=20),
    locale=st.sampled_from(LOCALES),
)
def test_any_backend_or_user_value_stays_text_in_html(
    number: str, email: str, url: str, phone: str, locale: str
) -> None:
    receipt = Receipt(
        number, "chat", EngineerContact(chat_url=url, phone=phone, phone_display=phone)
    )
    instructions = build_instructions(default_workflow(), receipt, email, locale)
    tree = parse(render_html(instructions))
    for tag, attributes in tree.tags:
        assert tag in ALLOWED_TAGS
        assert set(attributes) <= ALLOWED_ATTRIBUTES
        href = attributes.get("href")
        assert href is None or href.startswith(("https://", "http://", "tel:"))
    text = "".join(tree.text)
    assert " ".join(number.split()) in " ".join(text.split()) or not number.strip()
    assert re.search(r"(?<!\\)[<>]", render_markdown(instructions)) is None


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_json_rendering_is_the_converters_document(channel: str) -> None:
    from kl_contact._convert import converter

    instructions = walk(Engine(default_workflow()), channel, "en")[-1].view.confirmation
    assert instructions is not None
    expected = converter.unstructure(instructions.instructions)
    assert json.loads(render_json(instructions.instructions)) == expected
