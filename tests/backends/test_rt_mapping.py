"""The Request Tracker mapping without a server: documents out, RT's answers back."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact import (
    Attachment,
    BackendAnswerInvalid,
    ContactDetails,
    EngineerContact,
    FileContent,
    FollowUpState,
    RequestFormat,
    RequestTracker,
    RtCustomFields,
    Ticket,
    idempotency_key,
)
from kl_contact.ticket.model import TicketAnswer, WorkflowRef

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SHOT = Attachment("error.png", "image/png", 4, "sha256:00")


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        id="s-1:ticket:1",
        session_id="s-1",
        workflow=WorkflowRef("home-support", 3, "sha256:ab"),
        channel="email",
        locale="en",
        created_at=NOW,
        subject="The activation code is not accepted",
        description="It says the code is invalid.",
        contact=ContactDetails("alex@example.org", name="Alex", phone="+74951234567"),
        product="plus",
        category="activation",
        platform="windows",
        answers=(
            TicketAnswer("product", "Product", "single_choice", "plus", "Kaspersky Plus"),
            TicketAnswer("email", "E-mail", "email", "alex@example.org", "alex@example.org"),
            TicketAnswer("screenshots", "Screenshots", "attachments", (SHOT,), "error.png"),
        ),
        attachments=(SHOT,),
    )
    return attrs.evolve(base, **changes)


RT = RequestTracker(
    queue="Home",
    requests=RequestFormat(number="KL-{id}", subject_tag="[kl #{id}]"),
    contact=EngineerContact(
        email="support@example.com", chat_url="https://c.example/{request_number}"
    ),
    contacts={"phone": EngineerContact(phone="+74950000000", phone_display="+7 495 000-00-00")},
    reply_within_hours=24,
)


def test_a_ticket_becomes_rts_create_document() -> None:
    shot = FileContent(SHOT, b"\x89PN")
    request = RT.create_request(ticket(), "k" * 40, (shot,))
    assert (request.method, request.path) == ("POST", "ticket")
    body = request.body
    assert body is not None
    assert body["Queue"] == "Home"
    assert body["Subject"] == "The activation code is not accepted"
    assert body["Requestor"] == "alex@example.org"
    assert body["ContentType"] == "text/plain"
    assert body["CustomFields"] == {
        "Product": "plus",
        "Platform": "windows",
        "Category": "activation",
        "Channel": "email",
        "Locale": "en",
        "Submission": "k" * 40,
    }
    assert body["Attachments"] == [
        {"FileName": "error.png", "FileType": "image/png", "FileContent": "iVBO"}
    ]
    content = body["Content"]
    assert content.startswith("It says the code is invalid.\n")
    assert "Product: Kaspersky Plus" in content
    assert "Phone: +74951234567" in content
    assert "Files: error.png" in content
    assert "E-mail: alex@example.org" in content
    assert content.count("alex@example.org") == 1  # the e-mail answer is not repeated


def test_missing_classification_and_unwanted_fields_are_left_out() -> None:
    fields = RtCustomFields(platform=None, locale=None, submission="Key")
    rt = attrs.evolve(RT, custom_fields=fields)
    body = rt.create_request(ticket(product=None), "abc").body
    assert body is not None
    assert body["CustomFields"] == {"Category": "activation", "Channel": "email", "Key": "abc"}
    assert "Attachments" not in body


@given(st.lists(st.binary(max_size=300), max_size=4))
def test_attachments_travel_as_base64_of_the_exact_bytes(contents: list[bytes]) -> None:
    files = tuple(
        FileContent(Attachment(f"f{i}.bin", "application/zip", len(c)), c)
        for i, c in enumerate(contents)
    )
    body = RT.create_request(ticket(), "key", files).body
    assert body is not None
    sent = [base64.b64decode(a["FileContent"]) for a in body.get("Attachments", [])]
    assert sent == contents


@pytest.mark.parametrize("key", ["", "a b", "x'; DROP", "k" * 129, "ключ"])
def test_a_key_that_could_break_the_search_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        RT.find_submission(key)


def test_the_search_for_a_submission_and_its_answer() -> None:
    search = RT.find_submission("0f3a")
    assert (search.method, search.path) == ("GET", "tickets")
    assert search.query["query"] == "CF.{Submission} = '0f3a'"
    answer = {"items": [{"id": "12"}, {"id": "9"}, {"id": "junk"}, "x"], "total": 3}
    assert RT.submission_found(200, answer) == "9"
    assert RT.submission_found(200, {"items": []}) is None
    with pytest.raises(BackendAnswerInvalid) as refused:
        RT.submission_found(400, {"message": "bad query"})
    assert refused.value.code == "backend.status"
    with pytest.raises(BackendAnswerInvalid):
        RT.submission_found(200, {"no": "items"})


def test_rts_answer_to_a_create_gives_the_id() -> None:
    assert RT.created(201, {"id": "17", "type": "ticket", "_url": "..."}) == "17"
    with pytest.raises(BackendAnswerInvalid, match="answered 400"):
        RT.created(400, ["Could not create ticket"])
    with pytest.raises(BackendAnswerInvalid, match="without an id"):
        RT.created(201, {"id": "0"})


def test_the_receipt_numbers_the_request_in_the_definitions_format() -> None:
    email = RT.receipt("17", "email")
    assert email.request_number == "KL-17"
    assert email.channel == "email"
    assert email.contact.chat_url == "https://c.example/KL-17"
    assert email.reply_within_hours == 24
    phone = RT.receipt("17", "phone")
    assert phone.contact == EngineerContact(phone="+74950000000", phone_display="+7 495 000-00-00")


@given(st.integers(min_value=1, max_value=10**17))
def test_a_request_number_gives_back_rts_id(number: int) -> None:
    shown = RT.receipt(str(number), "chat").request_number
    assert RT.ticket_id(shown) == str(number)


@pytest.mark.parametrize("shown", ["17", "KL-", "KL-abc", "KL-0", "XX-17", "KL-17 x"])
def test_what_is_not_a_request_number_gives_no_id(shown: str) -> None:
    assert RT.ticket_id(shown) is None


def correspond(who: str, when: str) -> dict[str, object]:
    return {"Type": "Correspond", "Creator": {"id": who}, "Created": when}


RT_TICKET = {
    "Status": "open",
    "LastUpdated": "2026-11-26T10:00:00Z",
    "Requestor": [{"id": "Alex@Example.org"}],
}


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("new", FollowUpState.OPEN),
        ("open", FollowUpState.OPEN),
        ("stalled", FollowUpState.WAITING_FOR_YOU),
        ("resolved", FollowUpState.SOLVED),
        ("rejected", FollowUpState.CLOSED),
        ("deleted", FollowUpState.CLOSED),
        ("in-review", FollowUpState.OPEN),  # a lifecycle of the site's own
    ],
)
def test_rts_statuses_as_follow_up_states(status: str, state: FollowUpState) -> None:
    found = RT.status("KL-5", {**RT_TICKET, "Status": status}, {"items": []})
    assert found.state is state
    assert found.request_number == "KL-5"
    assert found.last_reply_at is None
    assert found.updated_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_an_engineers_reply_makes_an_open_request_wait_for_the_user() -> None:
    items = [
        {"Type": "Create", "Creator": {"id": "root"}, "Created": "2026-11-25T09:00:00Z"},
        correspond("alex@example.org", "2026-11-25T09:30:00Z"),
        correspond("engineer", "2026-11-25T11:00:00Z"),
        {"Type": "Status", "Creator": {"id": "RT_System"}, "Created": "2026-11-25T12:00:00Z"},
    ]
    found = RT.status("KL-5", RT_TICKET, {"items": items})
    assert found.state is FollowUpState.WAITING_FOR_YOU
    assert found.last_reply_at == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)

    answered = [*items, correspond("alex@example.org", "2026-11-25T13:00:00Z")]
    found = RT.status("KL-5", RT_TICKET, {"items": answered})
    assert found.state is FollowUpState.OPEN  # the user answered: the engineers' move
    assert found.last_reply_at == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def test_rts_never_and_broken_times_are_no_time() -> None:
    items = [correspond("engineer", "1970-01-01T00:00:00Z"), correspond("engineer", "soon")]
    found = RT.status("KL-5", {**RT_TICKET, "LastUpdated": None}, {"items": items})
    assert (found.state, found.last_reply_at, found.updated_at) == (FollowUpState.OPEN, None, None)


@pytest.mark.parametrize(
    ("document", "history"),
    [(None, {"items": []}), ({"Status": 3}, {"items": []}), (RT_TICKET, {"items": "x"})],
)
def test_an_unreadable_ticket_or_history_is_a_typed_error(
    document: object, history: object
) -> None:
    with pytest.raises(BackendAnswerInvalid) as refused:
        RT.status("KL-5", document, history)
    assert refused.value.code == "backend.document"


def test_added_information_is_correspondence_on_the_ticket() -> None:
    request = RT.add_information("5", "More details.", (FileContent(SHOT, b"abc"),))
    assert (request.method, request.path) == ("POST", "ticket/5/correspond")
    assert request.body is not None
    assert request.body["Content"] == "More details."
    assert request.body["Attachments"][0]["FileContent"] == "YWJj"
    with pytest.raises(ValueError, match="positive whole number"):
        RT.add_information("5/../../user/root", "x")
    RT.added(201, ["Correspondence added"])
    with pytest.raises(BackendAnswerInvalid):
        RT.added(400, ["no"])


def test_a_reopening_sets_the_ticket_open_and_checks_rts_answer() -> None:
    request = RT.reopen("5")
    assert (request.method, request.path, request.body) == ("PUT", "ticket/5", {"Status": "open"})
    RT.reopened(200, {})
    with pytest.raises(BackendAnswerInvalid):
        RT.reopened(409, {})
    with pytest.raises(ValueError, match="positive whole number"):
        RT.reopen("5/../../user/root")


def test_the_key_is_the_same_for_every_attempt_and_changes_with_what_the_user_typed() -> None:
    first = idempotency_key(ticket())
    assert len(first) == 40
    assert int(first, 16) >= 0
    later = ticket(id="s-1:ticket:2", created_at=datetime(2026, 11, 25, 9, 5, tzinfo=UTC))
    assert idempotency_key(later) == first
    assert idempotency_key(ticket(description="Something else.")) != first
    assert idempotency_key(ticket(session_id="s-2")) != first


def test_nothing_personal_in_the_reprs() -> None:
    request = RT.create_request(ticket(), "key", (FileContent(SHOT, b"secret bytes"),))
    shown = repr(request) + repr(FileContent(SHOT, b"secret bytes")) + repr(RT)
    assert "alex" not in shown.lower()
    assert "secret" not in shown
    assert "activation code" not in shown
