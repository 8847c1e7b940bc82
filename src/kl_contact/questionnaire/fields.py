"""What each field type accepts: the shape of its answer and the format of its text.

One function per field type checks an answer that is already known to be given (blank,
``False`` and ``[]`` are handled by the required rules); :func:`check_field_type` picks the
one for a question. E-mail addresses are checked by email-validator (syntax only: nothing
here looks up a domain or opens a socket) and phone numbers by phonenumbers, which also gives
the E.164 form the ticket carries. A user's mistake comes back as
:class:`~kl_contact.errors.ValidationIssue` values with stable codes; nothing here raises for
it, changes what the user typed, or puts the typed text into a message or a parameter.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, overload

from kl_contact._text import encodable
from kl_contact.definition.answers import AnswerValue, Attachment
from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.definition.model import AttachmentPolicy, Question, QuestionType
from kl_contact.errors import ValidationIssue
from kl_contact.limits import DEFAULT_LIMITS
from kl_contact.messages import Localizer

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

__all__ = [
    "LANGUAGE_REGIONS",
    "bad_file_name",
    "check_attachments",
    "check_consent",
    "check_email",
    "check_field_type",
    "check_multiple_choice",
    "check_phone",
    "check_single_choice",
    "check_text",
    "normalise_answer",
    "normalise_email",
    "normalise_phone",
    "phone_region",
]

Path = tuple[str | int, ...]

LANGUAGE_REGIONS: Mapping[str, str] = {"ru": "RU", "uk": "UA", "kk": "KZ", "be": "BY"}
"""The region a phone number without a country code is read in, for a bare language locale.

A locale with a region (``en-GB``) names its own; a language used in many countries
(``en``, ``es``) has none here, so its users give the country code."""

MAX_FILE_NAME = 255
"""The longest file name accepted, in characters (what common file systems allow)."""


def phone_region(definition_region: str | None, locale: str) -> str | None:
    """The region a national phone number is read in.

    The definition's ``phone_region`` wins; otherwise the locale's region (``en-GB`` ->
    ``GB``), otherwise :data:`LANGUAGE_REGIONS`; ``None`` means the number needs its
    country code.

    >>> phone_region(None, "ru"), phone_region(None, "en-GB"), phone_region("DE", "en")
    ('RU', 'GB', 'DE')
    """
    if definition_region:
        return definition_region.upper()
    language, _, region = locale.partition("-")
    if len(region) == 2 and region.isalpha():
        return region.upper()
    return LANGUAGE_REGIONS.get(language.lower())


@functools.lru_cache(maxsize=1024)
def normalise_email(text: str) -> str | None:
    """The normalised form of an e-mail address, or ``None`` when it is not one.

    Syntax only: the domain is never looked up. The domain is lower-cased and IDNA-checked,
    the local part kept as typed (apart from Unicode normalisation).

    >>> normalise_email(" Jane.Roe@EXAMPLE.org "), normalise_email("jane@")
    ('Jane.Roe@example.org', None)
    """
    from email_validator import EmailNotValidError, validate_email  # imported on first use

    try:
        checked = validate_email(text.strip(), check_deliverability=False, strict=True)
    except EmailNotValidError:
        return None
    normalised: str = checked.normalized
    return normalised


def _parse_phone(text: str, region: str | None) -> PhoneNumber | None:
    import phonenumbers  # imported on first use: it costs more than the rest of the package

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """The E.164 form (``+74951234567``) of a valid phone number, or ``None``.

    ``region`` (``"RU"``) is where a number without ``+`` and a country code is read.

    >>> normalise_phone("8 (495) 123-45-67", "RU"), normalise_phone("12", "RU")
    ('+74951234567', None)
    """
    text = text.strip()
    if region is None and text.startswith("00"):
        text = "+" + text[2:]  # the international prefix of most countries
    number = _parse_phone(text, region)
    if number is None:
        return None
    import phonenumbers

    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164


@overload
def normalise_answer(question_type: QuestionType, value: str, region: str | None) -> str: ...
@overload
def normalise_answer(
    question_type: QuestionType, value: AnswerValue, region: str | None
) -> AnswerValue: ...
def normalise_answer(
    question_type: QuestionType, value: AnswerValue, region: str | None
) -> AnswerValue:
    """The form a ticket carries: e-mail addresses normalised, phone numbers in E.164.

    Other answers, and text that does not parse, come back as given (stripped).
    """
    if isinstance(value, str):
        if question_type is QuestionType.EMAIL:
            return normalise_email(value) or value.strip()
        if question_type is QuestionType.PHONE:
            return normalise_phone(value, region) or value.strip()
    return value


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""The control characters (Unicode category Cc) but tab, line feed and carriage return."""


def _has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_bidi_controls(text: str) -> bool:
    """Direction overrides and isolates, which make a text read differently from how it is
    stored (a file name or a reply that displays reversed)."""
    return not _BIDI_CONTROLS.isdisjoint(text)


_LINE_BREAK_CHARACTERS = frozenset("\n\r\u2028\u2029\x85")


def _breaks_line(text: str) -> bool:
    """Whether the text holds a line break of any kind."""
    return not _LINE_BREAK_CHARACTERS.isdisjoint(text)


def _has_invisible_characters(text: str) -> bool:
    """Zero-width and other format characters, which make two addresses that look the same
    differ."""
    if text.isascii():
        return False  # no ASCII character is a format character
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def _mixes_scripts(address: str) -> bool:
    """Whether any part of an e-mail address mixes Latin with Cyrillic or Greek letters, as
    a look-alike address does (``раypal.com`` with a Cyrillic ``р`` and ``а``)."""
    if address.isascii():
        return False  # Latin letters alone: nothing to mix
    for part in re.split(r"[@.]", address):
        names = {unicodedata.name(ch, "?").split(" ", 1)[0] for ch in part if ch.isalpha()}
        if len(names & {"LATIN", "CYRILLIC", "GREEK"}) > 1:
            return True
    return False


def check_one_line(value: AnswerValue, path: Path, loc: Localizer) -> list[ValidationIssue]:
    """A text answer (see :func:`check_text`) on one line: an e-mail address or a phone
    number with a line break in it could start a new header line in a message."""
    issues = check_text(value, path, loc)
    if not issues and isinstance(value, str) and _breaks_line(value):
        return [loc.issue("answer.control_characters", path)]
    return issues


def check_single_choice(
    question: Question, value: AnswerValue, ctx: ConditionContext, path: Path, loc: Localizer
) -> list[ValidationIssue]:
    """One option id, among the options shown now."""
    if not isinstance(value, str):
        return [loc.issue("answer.wrong_type", path)]
    for option in question.options:  # option ids are unique: only the chosen one's when counts
        if option.id == value:
            return [] if evaluate(option.when, ctx) else [loc.issue("answer.unknown_option", path)]
    return [loc.issue("answer.unknown_option", path)]


def check_multiple_choice(
    question: Question, value: AnswerValue, ctx: ConditionContext, path: Path, loc: Localizer
) -> list[ValidationIssue]:
    """A list of distinct option ids, each among the options shown now."""
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        return [loc.issue("answer.wrong_type", path)]
    allowed = {o.id for o in question.options if evaluate(o.when, ctx)}
    if any(v not in allowed for v in value):
        return [loc.issue("answer.unknown_option", path)]
    if len(set(value)) != len(value):
        return [loc.issue("answer.duplicate_option", path)]
    return []


def check_text(value: AnswerValue, path: Path, loc: Localizer) -> list[ValidationIssue]:
    """A string that UTF-8 can hold, without control characters (line breaks and tabs are
    fine)."""
    if not isinstance(value, str):
        return [loc.issue("answer.wrong_type", path)]
    if not encodable(value):  # a lone surrogate: no file, letter or token could hold it
        return [loc.issue("answer.not_encodable", path)]
    if _has_control_characters(value) or _has_bidi_controls(value):
        return [loc.issue("answer.control_characters", path)]
    if len(value) > DEFAULT_LIMITS.answer_length:
        return [loc.issue("answer.too_long", path, {"max": DEFAULT_LIMITS.answer_length})]
    return []


def check_email(value: AnswerValue, path: Path, loc: Localizer) -> list[ValidationIssue]:
    """A text that is one e-mail address (syntax only, no network), in one script per part."""
    issues = check_one_line(value, path, loc)
    if issues:
        return issues
    assert isinstance(value, str)
    if _has_invisible_characters(value) or _mixes_scripts(value) or normalise_email(value) is None:
        return [loc.issue("answer.invalid_email", path)]
    return []


def check_phone(
    value: AnswerValue, path: Path, region: str | None, loc: Localizer
) -> list[ValidationIssue]:
    """A text that is one valid phone number; without ``+``, it is read in ``region``."""
    issues = check_one_line(value, path, loc)
    if issues:
        return issues
    assert isinstance(value, str)
    if _has_invisible_characters(value):
        return [loc.issue("answer.invalid_phone", path)]
    if region is None and not value.strip().startswith(("+", "00")):
        return [loc.issue("answer.phone_country_code", path)]
    if normalise_phone(value, region) is None:
        return [loc.issue("answer.invalid_phone", path)]
    return []


def check_consent(value: AnswerValue, path: Path, loc: Localizer) -> list[ValidationIssue]:
    """Consent is given only by ``True``."""
    if value is not True:
        return [loc.issue("answer.wrong_type", path)]
    return []


def bad_file_name(name: str) -> bool:
    """Whether a file name is empty, too long, a path, or holds control or format characters.

    >>> [bad_file_name(n) for n in ("screen.png", "../etc/passwd", "a\\u202egnp.exe")]
    [False, True, True]
    """
    if not name or len(name) > MAX_FILE_NAME or name.strip(" .") == "":
        return True
    if "/" in name or "\\" in name or ":" in name or name != name.strip():
        return True
    if _reserved_file_name(name):
        return True
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in name)


_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(10)}
)


def _reserved_file_name(name: str) -> bool:
    """Names Windows treats as devices (``CON``, ``nul.txt``) or silently changes (a trailing
    dot), which could make a saved file something other than what was checked."""
    return name.split(".", 1)[0].lower() in _WINDOWS_DEVICES or name.endswith(".")


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""


def check_attachments(
    value: AnswerValue, policy: AttachmentPolicy, path: Path, loc: Localizer
) -> list[ValidationIssue]:
    """File metadata against the policy: names, types, sizes, count and total size.

    Issues about one file have that file's index in their path (``answers.files[1]``) and
    its 1-based number in ``params["index"]``; the name itself is never repeated.
    """
    if not isinstance(value, tuple) or not all(isinstance(v, Attachment) for v in value):
        return [loc.issue("answer.wrong_type", path)]
    files: Sequence[Attachment] = [v for v in value if isinstance(v, Attachment)]
    issues = []
    if len(files) > policy.max_count:
        issues.append(loc.issue("attachment.too_many", path, {"max": policy.max_count}))
    allowed_types = {t.lower() for t in policy.media_types}
    allowed_extensions = {e.lower() for e in policy.extensions}
    for index, item in enumerate(files):
        where = (*path, index)
        number = index + 1
        if bad_file_name(item.name):
            issues.append(loc.issue("attachment.bad_name", where, {"index": number}))
        elif (
            item.media_type.strip().lower() not in allowed_types
            or _extension(item.name) not in allowed_extensions
        ):
            issues.append(loc.issue("attachment.type_not_allowed", where, {"index": number}))
        if item.size < 0:
            issues.append(loc.issue("attachment.bad_size", where, {"index": number}))
        elif item.size > policy.max_size:
            issues.append(
                loc.issue(
                    "attachment.too_large", where, {"index": number, "max_mb": _mb(policy.max_size)}
                )
            )
    if sum(max(item.size, 0) for item in files) > policy.max_total_size:
        issues.append(
            loc.issue("attachment.total_too_large", path, {"max_mb": _mb(policy.max_total_size)})
        )
    return issues


def _mb(size: int) -> str:
    """A size in megabytes for a message: whole when it is, else one decimal."""
    value = size / 2**20
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def check_field_type(
    question: Question,
    value: AnswerValue,
    ctx: ConditionContext,
    loc: Localizer,
    phone_region: str | None = None,
) -> list[ValidationIssue]:
    """Every issue with the shape and format of a given answer to ``question``."""
    path: Path = ("answers", question.id)
    match question.type:
        case QuestionType.SINGLE_CHOICE:
            return check_single_choice(question, value, ctx, path, loc)
        case QuestionType.MULTIPLE_CHOICE:
            return check_multiple_choice(question, value, ctx, path, loc)
        case QuestionType.TEXT | QuestionType.LONG_TEXT:
            return check_text(value, path, loc)
        case QuestionType.EMAIL:
            return check_email(value, path, loc)
        case QuestionType.PHONE:
            return check_phone(value, path, phone_region, loc)
        case QuestionType.ATTACHMENTS:
            return check_attachments(value, question.attachments or AttachmentPolicy(), path, loc)
        case QuestionType.CONSENT:
            return check_consent(value, path, loc)
        case _:
            return []
