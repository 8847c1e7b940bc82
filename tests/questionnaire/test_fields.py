"""Each field type accepts what it should, refuses what it should with a stable code, and
holds at its boundaries; every code has a message in every shipped locale."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact import DefinitionError, parse_workflow
from kl_contact.channels.status import CHANNEL_CLOSED
from kl_contact.definition.conditions import AnswerIn, ConditionContext
from kl_contact.definition.lint import Finding, lint_text
from kl_contact.definition.model import AttachmentPolicy, Option, Question, QuestionType
from kl_contact.messages import MESSAGES, Localizer, message, missing_messages
from kl_contact.questionnaire.fields import (
    bad_file_name,
    normalise_answer,
    normalise_email,
    normalise_phone,
    phone_region,
)
from kl_contact.questionnaire.validation import validate_answer
from kl_contact.ticket.model import AnswerValue, Attachment

LOC = Localizer("en", "ru", {})
CTX = ConditionContext(answers={"product": "plus"}, channel="email", locale="en")
MB = 2**20


def q(qtype: QuestionType, **extra: object) -> Question:
    return Question(id="field", type=qtype, label={"en": "Field", "ru": "Поле"}, **extra)  # type: ignore[arg-type]


def codes(question: Question, value: AnswerValue | None, region: str | None = None) -> list[str]:
    return [i.code for i in validate_answer(question, value, CTX, LOC, region)]


CHOICES = (
    Option("a", {"en": "A"}),
    Option("b", {"en": "B"}),
    Option("vpn", {"en": "VPN"}, when=AnswerIn("product", ("premium",))),
)


# ---------------------------------------------------------------- single choice


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", []),
        ("b", []),
        ("c", ["answer.unknown_option"]),
        ("vpn", ["answer.unknown_option"]),  # exists, but hidden for this product
        (("a",), ["answer.wrong_type"]),
        (True, ["answer.wrong_type"]),
        ("", []),  # not answered, not required
    ],
)
def test_single_choice(value: AnswerValue, expected: list[str]) -> None:
    assert codes(q(QuestionType.SINGLE_CHOICE, options=CHOICES), value) == expected


def test_required_single_choice_without_answer() -> None:
    question = q(QuestionType.SINGLE_CHOICE, options=CHOICES, required=True)
    assert codes(question, None) == ["answer.required"]
    assert codes(question, "   ") == ["answer.required"]


# ---------------------------------------------------------------- multiple choice


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (("a",), []),
        (("a", "b"), []),  # the boundary: max_selected
        (("a", "a"), ["answer.duplicate_option"]),
        (("a", "x"), ["answer.unknown_option"]),
        (("vpn",), ["answer.unknown_option"]),
        ("a", ["answer.wrong_type"]),
        ((), []),  # nothing chosen: not answered, not required
    ],
)
def test_multiple_choice(value: AnswerValue, expected: list[str]) -> None:
    question = q(QuestionType.MULTIPLE_CHOICE, options=CHOICES, max_selected=2)
    assert codes(question, value) == expected


def test_multiple_choice_counts() -> None:
    options = (*CHOICES[:2], Option("c", {"en": "C"}))
    question = q(QuestionType.MULTIPLE_CHOICE, options=options, min_selected=2, max_selected=2)
    assert codes(question, ("a",)) == ["answer.too_few"]
    assert codes(question, ("a", "b")) == []
    assert codes(question, ("a", "b", "c")) == ["answer.too_many"]


# ---------------------------------------------------------------- text and long text


@pytest.mark.parametrize("qtype", [QuestionType.TEXT, QuestionType.LONG_TEXT])
def test_text_lengths_and_characters(qtype: QuestionType) -> None:
    question = q(qtype, min_length=5, max_length=10)
    assert codes(question, "abcd") == ["answer.too_short"]
    assert codes(question, "abcde") == []  # lower boundary
    assert codes(question, "  abcde  ") == []  # surrounding blanks do not count
    assert codes(question, "a" * 10) == []  # upper boundary
    assert codes(question, "a" * 11) == ["answer.too_long"]
    assert codes(question, "abc\x00de") == ["answer.control_characters"]
    assert codes(question, "ab\ncd\te") == []  # line breaks and tabs are text
    assert codes(question, ("abcde",)) == ["answer.wrong_type"]


def test_text_pattern() -> None:
    question = q(QuestionType.TEXT, pattern=r"[A-Z]{3}-\d+")
    assert codes(question, "INC-12") == []
    assert codes(question, "inc-12") == ["answer.pattern"]


@given(st.text(max_size=50))
def test_text_never_raises_and_keeps_what_was_typed(text: str) -> None:
    question = q(QuestionType.TEXT, max_length=20)
    issues = validate_answer(question, text, CTX, LOC)
    typed = text.strip()
    for issue in issues:  # no message or parameter repeats the typed text
        if len(typed) > 3 and typed not in MESSAGES[issue.code]["en"]:
            assert typed not in issue.message
            assert text.strip() not in map(str, issue.params.values())


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "address",
    [
        "jane.roe@example.org",
        " jane.roe@example.org ",
        "Jane+support@EXAMPLE.ORG",
        "иван@пример.рф",  # internationalised address and domain
        "a@b.co",
        ("x" * 64) + "@example.com",  # the longest local part
    ],
)
def test_valid_email(address: str) -> None:
    assert codes(q(QuestionType.EMAIL), address) == []


@pytest.mark.parametrize(
    "address",
    [
        "jane.roe",
        "jane@",
        "@example.org",
        "jane@@example.org",
        "jane roe@example.org",
        "jane@example",  # no dot in the domain
        "jane..roe@example.org",
        ("x" * 65) + "@example.com",  # local part one too long
        "jane@exa_mple.org",
    ],
)
def test_invalid_email(address: str) -> None:
    assert codes(q(QuestionType.EMAIL), address) == ["answer.invalid_email"]


def test_email_control_characters_and_required() -> None:
    assert codes(q(QuestionType.EMAIL), "jane@example.org\x07") == ["answer.control_characters"]
    assert codes(q(QuestionType.EMAIL, required=True), "") == ["answer.required"]


def test_email_is_normalised_for_the_ticket() -> None:
    assert normalise_email("  Jane.Roe@EXAMPLE.Org ") == "Jane.Roe@example.org"
    assert normalise_email("not an address") is None
    assert normalise_answer(QuestionType.EMAIL, " a@EXAMPLE.com", None) == "a@example.com"


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+44 20 7946 0958", None, "+442079460958"),
        ("0044 20 7946 0958", None, "+442079460958"),
        ("+7 (495) 123-45-67", None, "+74951234567"),
        ("8 495 123-45-67", "RU", "+74951234567"),  # national form, read in Russia
        ("495 123 45 67", "RU", "+74951234567"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+1 650-253-0000", "RU", "+16502530000"),  # a country code beats the region
    ],
)
def test_valid_phone_normalises_to_e164(typed: str, region: str | None, e164: str) -> None:
    assert codes(q(QuestionType.PHONE), typed, region) == []
    assert normalise_phone(typed, region) == e164


@pytest.mark.parametrize(
    ("typed", "region", "code"),
    [
        ("8 495 123-45-67", None, "answer.phone_country_code"),
        ("+7 495 12", None, "answer.invalid_phone"),  # too short
        ("+7 495 123 45 67 89 01", None, "answer.invalid_phone"),  # too long
        ("+999 123 456", None, "answer.invalid_phone"),  # no such country code
        ("call me", "RU", "answer.invalid_phone"),
        ("+7 495 123\x0045 67", None, "answer.control_characters"),
    ],
)
def test_invalid_phone(typed: str, region: str | None, code: str) -> None:
    assert codes(q(QuestionType.PHONE), typed, region) == [code]


def test_phone_region_comes_from_the_definition_then_the_locale() -> None:
    assert phone_region("de", "ru") == "DE"
    assert phone_region(None, "en-GB") == "GB"
    assert phone_region(None, "ru") == "RU"
    assert phone_region(None, "en") is None


# ---------------------------------------------------------------- consent and info


def test_consent() -> None:
    required = q(QuestionType.CONSENT, required=True)
    assert codes(required, True) == []
    assert codes(required, False) == ["answer.consent_required"]
    assert codes(required, None) == ["answer.consent_required"]
    assert codes(required, "yes") == ["answer.wrong_type"]
    assert codes(q(QuestionType.CONSENT), False) == []  # optional and not given


def test_info_takes_no_answer() -> None:
    assert codes(q(QuestionType.INFO, required=True), None) == []


# ---------------------------------------------------------------- attachments

POLICY = AttachmentPolicy(max_size=2 * MB, max_count=3, max_total_size=5 * MB)


def files(*items: tuple[str, str, int]) -> tuple[Attachment, ...]:
    return tuple(Attachment(name, media, size) for name, media, size in items)


def attachment_issues(value: AnswerValue) -> list[tuple[str, tuple[str | int, ...]]]:
    question = q(QuestionType.ATTACHMENTS, attachments=POLICY)
    return [(i.code, i.path) for i in validate_answer(question, value, CTX, LOC)]


def test_attachments_within_the_policy() -> None:
    value = files(("screen.png", "image/png", 2 * MB), ("app.log", "text/plain", MB))
    assert attachment_issues(value) == []
    assert attachment_issues(files(("SCREEN.PNG", "Image/PNG", 0))) == []


def test_attachment_sizes_at_the_boundaries() -> None:
    assert attachment_issues(files(("a.png", "image/png", 2 * MB))) == []
    assert attachment_issues(files(("a.png", "image/png", 2 * MB + 1))) == [
        ("attachment.too_large", ("answers", "field", 0))
    ]
    assert attachment_issues(files(("a.png", "image/png", -1))) == [
        ("attachment.bad_size", ("answers", "field", 0))
    ]
    total = files(("a.png", "image/png", 2 * MB), ("b.png", "image/png", 2 * MB))
    assert attachment_issues((*total, *files(("c.png", "image/png", MB)))) == []
    assert attachment_issues((*total, *files(("c.png", "image/png", MB + 1)))) == [
        ("attachment.total_too_large", ("answers", "field"))
    ]


def test_attachment_count() -> None:
    three = files(*[(f"{n}.png", "image/png", 1) for n in "abc"])
    assert attachment_issues(three) == []
    four = files(*[(f"{n}.png", "image/png", 1) for n in "abcd"])
    assert attachment_issues(four) == [("attachment.too_many", ("answers", "field"))]
    question = q(QuestionType.ATTACHMENTS, attachments=POLICY)
    (issue,) = validate_answer(question, four, CTX, LOC)
    assert issue.params == {"max": 3}  # the frontend can say how many files fit
    assert "3" in issue.message


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("virus.exe", "application/octet-stream"),
        ("virus.exe", "image/png"),  # the extension decides too
        ("screen.png", "application/x-msdownload"),  # and so does the media type
        ("noextension", "image/png"),
        ("screen.png.exe", "image/png"),
    ],
)
def test_attachment_types(name: str, media: str) -> None:
    assert attachment_issues(files((name, media, 1))) == [
        ("attachment.type_not_allowed", ("answers", "field", 0))
    ]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.txt",
        "..\\windows\\win.ini.txt",
        "/abs/shot.png",
        "C:shot.png",
        "shot\x00.png",
        "shot\n.png",
        "shot\u2028.png",  # a line separator
        "shot\u2029.png",  # a paragraph separator
        "gnp\u202e.png",  # right-to-left override hides the real extension
        "zero\u200bwidth.png",
        "",
        " ",
        "..",
        ".",
        " shot.png",
        "a" * 252 + ".png",  # 256 characters
    ],
)
def test_attachment_names_with_tricks(name: str) -> None:
    assert bad_file_name(name)
    issues = attachment_issues(files((name or "x", "image/png", 1)) if name else files())
    if name:
        assert issues == [("attachment.bad_name", ("answers", "field", 0))]


def test_attachment_name_boundary_and_ordinary_names() -> None:
    assert not bad_file_name("a" * 251 + ".png")  # 255 characters
    assert not bad_file_name("Снимок экрана 2026-11-25 в 10.30.png")
    assert not bad_file_name(".hidden.log")


def test_attachments_wrong_shape() -> None:
    assert attachment_issues(("shot.png",)) == [("answer.wrong_type", ("answers", "field"))]


def test_default_policy_suits_screenshots_and_logs() -> None:
    policy = AttachmentPolicy()
    for media in ("image/png", "image/jpeg", "text/plain", "application/zip"):
        assert media in policy.media_types
    for extension in (".png", ".jpg", ".log", ".txt", ".zip"):
        assert extension in policy.extensions
    assert policy.max_size >= 5 * MB
    assert policy.max_total_size >= policy.max_size


# ---------------------------------------------------------------- messages


def _codes_in_source() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "src" / "kl_contact"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'issue\(\s*"([a-z_]+\.[a-z_]+)"', text))
    return found


def test_every_issue_code_has_a_message_in_every_locale() -> None:
    used = _codes_in_source()
    assert {"answer.invalid_email", "answer.phone_country_code", "attachment.bad_name"} <= used
    own_text = {"channel.closed": CHANNEL_CLOSED}  # codes whose module carries the message
    assert used <= set(MESSAGES) | set(own_text)
    assert all({"ru", "en"} <= set(text) for text in own_text.values())
    assert missing_messages(["ru", "en"]) == []
    for code in MESSAGES:
        assert message(code, "ru", "en") != message(code, "en", "ru") or code == "answer.pattern"


def test_a_definition_locale_without_built_in_messages_is_reported() -> None:
    missing = missing_messages(["en", "de"], {"answer.required": {"de": "Pflichtfeld."}})
    assert ("answer.required", "de") not in missing
    assert ("answer.invalid_email", "de") in missing
    assert all(locale == "de" for _, locale in missing)


# ---------------------------------------------------------------- definition checks

DEFAULT_TEXT = (
    resources.files("kl_contact").joinpath("definition/default_workflow.yaml").read_text("utf-8")
)


def _findings(text: str, code: str) -> list[Finding]:
    return [f for f in lint_text(text, "def.yaml") if f.code == code]


def test_an_unknown_phone_region_is_a_definition_error() -> None:
    text = "phone_region: ZZ\n" + DEFAULT_TEXT
    (finding,) = _findings(text, "phone_region.unknown")
    assert (finding.severity, finding.line, finding.path) == ("error", 1, ("phone_region",))
    with pytest.raises(DefinitionError) as excinfo:
        parse_workflow(text, source="def.yaml")
    assert excinfo.value.code == "phone_region.unknown"
    assert _findings("phone_region: KZ\n" + DEFAULT_TEXT, "phone_region.unknown") == []


def test_a_locale_without_messages_is_reported() -> None:
    text = DEFAULT_TEXT.replace("locales: [ru, en]", "locales: [ru, en, de]", 1)
    (finding,) = _findings(text, "messages.missing_locale")
    assert (finding.severity, finding.path) == ("warning", ("locales", 2))
    assert _findings(DEFAULT_TEXT, "messages.missing_locale") == []


def test_a_request_without_contact_email_is_reported() -> None:
    text = DEFAULT_TEXT.replace("role: contact_email", "role: contact_name", 1)
    (finding,) = _findings(text, "request.no_contact_email")
    assert finding.severity == "warning"
    assert finding.path[0] == "steps"
    assert _findings(DEFAULT_TEXT, "request.no_contact_email") == []


def test_issues_about_one_file_give_its_number_and_the_limit_in_megabytes() -> None:
    policy = AttachmentPolicy(max_size=3 * MB // 2, max_count=5, max_total_size=2 * MB)
    question = q(QuestionType.ATTACHMENTS, attachments=policy)
    value = files(
        ("a.png", "image/png", 1), ("b.png", "image/png", -1), ("c.png", "image/png", MB * 2)
    )
    issues = validate_answer(question, value, CTX, LOC)
    assert [(i.code, i.path, i.params) for i in issues] == [
        ("attachment.bad_size", ("answers", "field", 1), {"index": 2}),
        ("attachment.too_large", ("answers", "field", 2), {"index": 3, "max_mb": "1.5"}),
        ("attachment.total_too_large", ("answers", "field"), {"max_mb": "2"}),
    ]
    assert "1.5" in issues[1].message


def test_a_file_name_that_starts_with_a_letter_x_keeps_its_extension() -> None:
    assert attachment_issues(files(("X.png", "image/png", 1), ("XX.log", "text/plain", 1))) == []


def test_an_error_rule_hides_the_warnings_after_it() -> None:
    question = q(QuestionType.TEXT, min_length=5, pattern="[0-9]+", severity={"pattern": "warning"})
    assert codes(question, "ab") == ["answer.too_short"]
    assert codes(question, "abcdef") == ["answer.pattern"]


def test_too_many_choices_point_at_the_answer() -> None:
    question = q(QuestionType.MULTIPLE_CHOICE, options=CHOICES, max_selected=1)
    (issue,) = validate_answer(question, ("a", "b"), CTX, LOC)
    assert (issue.code, issue.path, issue.params) == (
        "answer.too_many",
        ("answers", "field"),
        {"max": 1},
    )
