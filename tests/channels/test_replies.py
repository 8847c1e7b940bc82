"""Reply threading: the request number of a reply, from its subject or its reference headers."""

from __future__ import annotations

import email
from email import policy
from email.header import Header

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact import RequestFormat
from kl_contact.channels import find_request_number, request_number_in_subject, subject_token

SENT = {"<reg.INC-000042.1@mail.example.invalid>": "INC-000042"}


def _b(text: str) -> str:
    return Header(text, "utf-8").encode()


def raw(headers: dict[str, str], body: str = "Thanks, here is more information.") -> bytes:
    lines = [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join([*lines, "MIME-Version: 1.0", "", body, ""])).encode("utf-8")


# Replies as mail programs send them: prefixes in several languages, encoded and folded
# headers, edited subjects, replies whose only clue is In-Reply-To or References.
# (case names in ASCII: a mutation run selects the cases by name on a command line)
REPLIES: list[tuple[str, dict[str, str]]] = [
    ("plain Re", {"Subject": "Re: [Request #INC-000042] Request registered: scan stops"}),
    ("Outlook RE", {"Subject": "RE: [Request #INC-000042] Request registered: scan stops"}),
    ("German AW", {"Subject": "AW: [Request #INC-000042] Request registered: scan stops"}),
    ("forwarded", {"Subject": "Fwd: [Request #INC-000042] Request registered: scan stops"}),
    ("Outlook FW", {"Subject": "FW: RE: [Request #INC-000042] Request registered"}),
    ("Russian Otvet", {"Subject": "Ответ: [Request #INC-000042] Запрос зарегистрирован"}),
    ("Russian HA", {"Subject": "НА: [Request #INC-000042] Запрос зарегистрирован"}),
    (
        "stacked prefixes",
        {"Subject": "Re: Re: Fwd: AW: SV: [Request #INC-000042] Request registered"},
    ),
    ("Swedish SV", {"Subject": "SV: [Request #INC-000042] Ärende registrerat"}),
    (
        "RFC 2047 base64",
        {"Subject": _b("Ответ: [Request #INC-000042] Запрос зарегистрирован: проверка")},
    ),
    (
        "RFC 2047 quoted-printable",
        {"Subject": "=?utf-8?q?Re=3A_=5BRequest_=23INC-000042=5D_Request_registered?="},
    ),
    (
        "folded header",
        {"Subject": "Re: Request registered: the scan stops halfway\r\n [Request #INC-000042]"},
    ),
    ("token moved to the end", {"Subject": "my scan still stops - [Request #INC-000042]"}),
    ("lower case, extra spaces", {"Subject": "re: [ request  # INC-000042 ] new screenshot"}),
    ("full-width brackets", {"Subject": "Re: ［Request ＃INC-000042］ Request registered"}),
    ("mailing tag added", {"Subject": "[EXTERNAL] RE: [Request #INC-000042] Request registered"}),
    (
        "changed subject, In-Reply-To kept",
        {
            "Subject": "one more screenshot",
            "In-Reply-To": "<reg.INC-000042.1@mail.example.invalid>",
        },
    ),
    (
        "no subject, References chain",
        {
            "References": "<other.1@example.org>\r\n <reg.INC-000042.1@mail.example.invalid>"
            " <user.reply.5@example.org>",
        },
    ),
    (
        "References only, subject of another thread",
        {
            "Subject": "Re: [Request #INC-000042] still broken",
            "References": "<reg.INC-000042.1@mail.example.invalid>",
        },
    ),
]


@pytest.mark.parametrize(("name", "headers"), REPLIES, ids=[n for n, _ in REPLIES])
@pytest.mark.parametrize("mode", ["default policy", "compat32", "header mapping"])
def test_replies_are_threaded(name: str, headers: dict[str, str], mode: str) -> None:
    if mode == "header mapping":
        message: object = headers
    elif mode == "compat32":
        message = email.message_from_bytes(raw(headers))
    else:
        message = email.message_from_bytes(raw(headers), policy=policy.default)
    assert find_request_number(message, sent=SENT) == "INC-000042"  # type: ignore[arg-type]


def test_at_least_fifteen_shapes_are_covered() -> None:
    assert len(REPLIES) >= 15


UNRELATED: list[dict[str, str]] = [
    {"Subject": "Re: your request has been registered"},
    {"Subject": "Request #INC-000042 without brackets"},
    {"Subject": "Re: [owner/repo] Fix the build (#42)"},
    {"Subject": "[JIRA] (PROJ-42) Login fails"},
    {"Subject": "[rt.example.org #4242] Printer on fire"},
    {"Subject": "Invoice [#42] for November"},
    {"Subject": "Fwd: [Request] please call me"},
    {"Subject": "=?utf-8?b?0J/RgNC40LLQtdGC?="},
    {"Subject": "=?bogus-charset?q?broken?="},
    {"Subject": "Newsletter", "In-Reply-To": "<someone.else@example.org>"},
    {"Subject": "Re: lunch", "References": "<a@b> <c@d>"},
    {},
]


@pytest.mark.parametrize("headers", UNRELATED)
def test_unrelated_mail_has_no_request_number(headers: dict[str, str]) -> None:
    assert find_request_number(headers, sent=SENT) is None
    parsed = email.message_from_bytes(raw(headers), policy=policy.default)
    assert find_request_number(parsed, sent=SENT) is None


def test_reference_headers_count_only_when_the_host_names_its_message_ids() -> None:
    headers = {"In-Reply-To": "<reg.INC-000042.1@mail.example.invalid>"}
    assert find_request_number(headers) is None
    assert find_request_number(headers, sent={"reg.INC-000042.1@mail.example.invalid": "N"}) == "N"


def test_reference_headers_win_over_a_token_for_another_request() -> None:
    headers = {
        "Subject": "Re: [Request #INC-000001] an older request",
        "In-Reply-To": "<reg.INC-000042.1@mail.example.invalid>",
    }
    assert find_request_number(headers, sent=SENT) == "INC-000042"


request_numbers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,30}", fullmatch=True)


@given(number=request_numbers, prefix=st.sampled_from(["", "Re: ", "AW: ", "Ответ: ", "Fwd: "]))
def test_the_subject_token_always_parses_back(number: str, prefix: str) -> None:
    subject = f"{prefix}{subject_token(number)} Request registered"
    assert request_number_in_subject(subject) == number
    assert request_number_in_subject(_b(subject)) == number


@given(st.text(max_size=200))
def test_any_subject_is_read_without_error(subject: str) -> None:
    found = request_number_in_subject(subject)
    assert find_request_number({"Subject": subject, "References": subject}) == found


RT_FORMAT = RequestFormat(number="KL-{id}", subject_tag="[kl-contact #{id}]")


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [kl-contact #1024] Request KL-1024 is registered",
        "AW: RE: [kl-contact #1024] AutoReply: scan stops",
        "Ответ: [KL-Contact  #1024] Обращение зарегистрировано",
        "Fwd: [kl-contact #1024]",
    ],
)
def test_request_trackers_tag_gives_the_request_number(subject: str) -> None:
    assert request_number_in_subject(subject, RT_FORMAT) == "KL-1024"
    assert find_request_number({"Subject": _b(subject)}, requests=RT_FORMAT) == "KL-1024"


def test_the_built_in_token_is_still_recognised_beside_a_declared_tag() -> None:
    assert request_number_in_subject("Re: [Request #KL-7] registered", RT_FORMAT) == "KL-7"
    assert request_number_in_subject("Re: [other-rt #7] registered", RT_FORMAT) is None


@given(
    ticket_id=st.integers(min_value=1, max_value=10**12),
    prefix=st.sampled_from(["", "Re: ", "AW: ", "Ответ: ", "Fwd: Re: "]),
    tag=st.sampled_from(["[kl-contact #{id}]", "[Help desk #{id}]", "(#{request_number})"]),
)
def test_a_declared_tag_always_parses_back(ticket_id: int, prefix: str, tag: str) -> None:
    requests = RequestFormat(number="KL-{id}", subject_tag=tag)
    number = requests.request_number(str(ticket_id))
    subject = f"{prefix}{subject_token(number, requests)} Request registered"
    assert request_number_in_subject(subject, requests) == number
    assert request_number_in_subject(_b(subject), requests) == number


@pytest.mark.parametrize("mode", ["default policy", "compat32"])
def test_a_subject_in_raw_8_bit_bytes_with_a_broken_byte_still_gives_the_number(
    mode: str,
) -> None:
    # some mail programs send the subject unencoded, and not always as valid UTF-8
    raw = (
        "Subject: Ответ: [Request #INC-000042] Запрос ".encode()
        + b"\xff\xfe\r\nFrom: user@example.org\r\n\r\nThanks\r\n"
    )
    chosen = policy.default if mode == "default policy" else policy.compat32
    message = email.message_from_bytes(raw, policy=chosen)
    assert find_request_number(message) == "INC-000042"
