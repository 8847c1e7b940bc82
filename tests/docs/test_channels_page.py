"""docs/channels.md shows the current rendering of every confirmation, in both locales."""

from __future__ import annotations

from channels_page import BEGIN, CHANNELS, END, LOCALES, PAGE, generated


def test_the_page_holds_the_current_renderings() -> None:
    text = PAGE.read_text("utf-8")
    block = text[text.index(BEGIN) : text.index(END) + len(END) + 1]
    assert block == generated(), "run: python tests/docs/channels_page.py --write"


def test_each_channel_and_locale_has_its_section_with_the_request_number() -> None:
    block = generated()
    for channel in CHANNELS:
        for locale in LOCALES:
            heading = f"### {channel} — {locale}"
            assert heading in block
            section = block.split(heading, 1)[1].split("### ", 1)[0]
            assert section.count("INC-000042") >= 3  # text, HTML and the data attribute
            assert section.count("```") == 6  # text, Markdown and HTML blocks
    assert 'href="tel:+74950000000"' in block
    assert 'class="kl-button"' in block
