"""A file's first bytes against its name and declared type: a ".png" that is an executable
is refused with ``attachment.content_mismatch``, whatever follows its signature."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact import Attachment, check_file_content, content_matches

SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    "jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    "zip": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "application/zip"),
    "gif": (b"GIF89a\x01\x00\x01\x00", "image/gif"),
}

EXECUTABLES = {
    "windows": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
    "linux": b"\x7fELF\x02\x01\x01\x00" + bytes(8),
    "macos": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00",
}

tails = st.binary(max_size=200)


@given(st.sampled_from(sorted(SIGNATURES)), tails)
def test_a_file_whose_bytes_are_what_it_says_is_accepted(kind: str, tail: bytes) -> None:
    head, media_type = SIGNATURES[kind]
    assert content_matches(Attachment(f"screen.{kind}", media_type, 1000), head + tail)
    # the extension alone is enough when a client declares a vague type
    vague = Attachment(f"SCREEN.{kind.upper()}", "application/octet-stream", 1000)
    assert content_matches(vague, head + tail)


@given(
    st.sampled_from(sorted(EXECUTABLES)),
    st.sampled_from([*sorted(SIGNATURES), "txt", "log"]),
    tails,
)
def test_an_executable_is_never_taken_for_what_its_name_says(
    system: str, kind: str, tail: bytes
) -> None:
    media_type = SIGNATURES[kind][1] if kind in SIGNATURES else "text/plain"
    disguised = Attachment(f"activation-error.{kind}", media_type, 1000)
    issue = check_file_content(disguised, EXECUTABLES[system] + tail, ("answers", "files", 0))
    assert issue is not None
    assert issue.code == "attachment.content_mismatch"
    assert issue.path == ("answers", "files", 0)
    assert "activation-error" not in issue.message


@given(st.sampled_from(sorted(SIGNATURES)), st.sampled_from(sorted(SIGNATURES)), tails)
def test_one_image_format_declared_as_another_is_refused(
    real: str, declared: str, tail: bytes
) -> None:
    if {real, declared} <= {"jpg"} or real == declared:
        return
    head, _ = SIGNATURES[real]
    attachment = Attachment(f"screen.{declared}", SIGNATURES[declared][1], 1000)
    assert not content_matches(attachment, head + tail)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
               min_size=1, max_size=300))  # fmt: skip
def test_plain_text_is_accepted_as_text_and_nothing_else(text: str) -> None:
    head = text.encode("utf-8")
    if not content_matches(Attachment("log.txt", "text/plain", len(head)), head):
        # a text that happens to start with a known signature is that format, not text
        assert check_file_content(Attachment("log.txt", "text/plain", 1), head) is not None
        return
    assert not content_matches(Attachment("screen.png", "image/png", len(head)), head)


def test_text_with_nul_bytes_or_broken_utf8_is_not_text() -> None:
    for head in (b"hello\x00world", b"abc \xc3\x28 broken"):
        assert not content_matches(Attachment("log.txt", "text/plain", 20), head)
    # a head cut in the middle of a character still reads as text
    assert content_matches(Attachment("log.txt", "text/plain", 20), "Журнал".encode()[:-1])


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_the_refusal_is_localised_and_numbers_the_file(locale: str) -> None:
    issue = check_file_content(
        Attachment("a.png", "image/png", 1), EXECUTABLES["windows"], locale=locale, index=3
    )
    assert issue is not None
    assert "3" in issue.message
    assert issue.params == {"index": 3}


def test_the_refusal_is_in_english_unless_asked_and_in_a_locale_without_its_own() -> None:
    file = Attachment("a.png", "image/png", 1)
    english = "File 1: its content is not what its type says."
    for issue in (
        check_file_content(file, EXECUTABLES["linux"]),
        check_file_content(file, EXECUTABLES["linux"], locale="de"),
    ):
        assert issue is not None
        assert issue.message == english


@pytest.mark.parametrize("media_type", ["image/png", "IMAGE/PNG", " image/png "])
def test_a_file_without_an_extension_is_judged_by_its_declared_type(media_type: str) -> None:
    png = SIGNATURES["png"][0]
    assert content_matches(Attachment("screenshot", media_type, 1000), png)
    assert not content_matches(Attachment("screenshot", "image/gif", 1000), png)
