"""The JSON entry point's other documents: resuming a stored session, the effects, tickets,
receipts and request statuses a host stores or sends on, and the wire as a process."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from conftest import DEFINITIONS, NOW, receipt_for, walk
from kl_contact import (
    Engine,
    FollowUpState,
    JsonEngine,
    RequestStatus,
    SubmitTicket,
    UsageError,
    dump_effect,
    dump_receipt,
    dump_request_status,
    dump_ticket,
    dump_transition,
    load_event,
    load_ticket,
    parse_workflow,
)
from kl_contact.schemas import violations
from kl_contact.wire import main, serve

T0 = "2026-11-25T10:00:00+00:00"
LATER = "2026-11-25T10:05:00+00:00"
MINI = (DEFINITIONS / "mini.yaml").read_text("utf-8")
MINI_V2 = MINI.replace("version: 1\n", "version: 2\n", 1)


def _mini(text: str = MINI) -> JsonEngine:
    return JsonEngine(Engine(parse_workflow(text, source="mini.yaml")))


def _valid(response: Any) -> Any:
    assert [v.message for v in violations("wire", response)] == []
    return response


def _stored(wire: JsonEngine) -> Any:
    """A session document a host stored: started, then the e-mail channel chosen."""
    started = wire.start({"session_id": "r-1", "now": T0, "locale": "ru"})
    moved = wire.handle(
        {
            "session": started["transition"]["session"],
            "event": {"type": "choose_channel", "channel": "email"},
            "now": T0,
        }
    )
    return moved["transition"]["session"]


# --------------------------------------------------------------------------- resume


def test_resuming_on_the_same_version_keeps_the_session_where_it_stood() -> None:
    wire = _mini()
    stored = _stored(wire)
    reply = _valid(wire.resume({"session": stored, "now": LATER}))
    assert reply["ok"] is True
    session = reply["transition"]["session"]
    assert (session["id"], session["step"], session["locale"]) == ("r-1", "question", "ru")
    assert reply["transition"]["view"]["step"] == "question"
    migration = reply["migration"]
    assert "session" not in migration  # the transition carries it
    assert migration["source"] == migration["target"]
    assert migration["source"]["version"] == 1
    assert migration["dropped"] == []


def test_a_session_of_another_version_is_refused_unless_migration_is_asked_for() -> None:
    stored = _stored(_mini())
    newer = _mini(MINI_V2)
    refused = _valid(newer.resume({"session": stored, "now": LATER}))
    assert refused["ok"] is False
    assert refused["error"]["code"] == "session.version_mismatch"
    assert refused["session"] == stored  # nothing the user typed is lost
    explicit = newer.resume({"session": stored, "now": LATER, "on_version_change": "refuse"})
    assert explicit["error"]["code"] == "session.version_mismatch"

    migrated = _valid(
        newer.resume({"session": stored, "now": LATER, "on_version_change": "migrate"})
    )
    assert migrated["ok"] is True
    record = migrated["migration"]
    assert (record["source"]["version"], record["target"]["version"]) == (1, 2)
    assert record["step_from"] == record["step_to"] == "question"
    assert migrated["transition"]["session"]["workflow"]["version"] == 2


@pytest.mark.parametrize(
    ("request_", "code", "echoed", "message"),
    [
        ("not a request", "wire.invalid", False, "wire.invalid: wire document does not"),
        ({"now": T0}, "wire.invalid", False, "wire.invalid: wire document does not"),
        (
            {"session": {"id": "forged"}, "now": T0},
            "session.invalid",
            False,
            "session.invalid: session document does not",
        ),
        ("session", "time.invalid", True, "now is not an ISO 8601 datetime"),
        ("policy", "wire.invalid", True, "wire.invalid: wire document does not"),
    ],
    ids=["not an object", "no session", "not a session", "now unreadable", "unknown policy"],
)
def test_a_resume_request_that_cannot_be_read_is_a_typed_error(
    request_: Any, code: str, echoed: bool, message: str
) -> None:
    wire = _mini()
    stored = _stored(wire)
    if request_ == "session":
        request_ = {"session": stored, "now": "2026-13-45T00:00:00+00:00"}  # no such day
    elif request_ == "policy":
        request_ = {"session": stored, "now": LATER, "on_version_change": "guess"}
    reply = _valid(wire.resume(request_))
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    assert reply["session"] == (stored if echoed else None)
    assert reply["error"]["message"].startswith(message)
    assert "forged" not in reply["error"]["message"]  # never what came in


# --------------------------------------------------------------------------- documents


def _submitted(engine: Engine) -> SubmitTicket:
    for transition in walk(engine, "email", "en"):
        for effect in transition.effects:
            if isinstance(effect, SubmitTicket):
                return effect
    raise AssertionError("a full walk submits a ticket")


def test_an_effect_is_dumped_as_its_transition_lists_it(engine: Engine) -> None:
    transitions = walk(engine, "email", "en")
    listed = [(t, e) for t in transitions for e in t.effects]
    assert listed
    for transition, effect in listed:
        document = dump_effect(effect)
        assert document in dump_transition(transition)["effects"]
        assert list(violations("effect", document)) == []
    kinds = {dump_effect(e)["type"] for _, e in listed}
    assert {"search_articles", "submit_ticket"} <= kinds


def test_a_ticket_goes_out_and_comes_back_unchanged(engine: Engine) -> None:
    ticket = _submitted(engine).ticket
    document = dump_ticket(ticket)
    assert list(violations("ticket", document)) == []
    assert json.loads(json.dumps(document)) == document  # plain JSON, nothing else
    assert load_ticket(document) == ticket
    assert load_ticket(dump_effect(_submitted(engine))["ticket"]) == ticket


@pytest.mark.parametrize(
    ("change", "code"),
    [({"channel": 7}, "ticket.invalid"), ({"unknown": 1}, "ticket.invalid")],
    ids=["mistyped", "unknown field"],
)
def test_a_malformed_ticket_is_refused_with_a_code(
    engine: Engine, change: dict[str, Any], code: str
) -> None:
    document = {**dump_ticket(_submitted(engine).ticket), **change}
    with pytest.raises(UsageError) as refused:
        load_ticket(document)
    assert refused.value.code == code
    assert "7" not in str(refused.value)  # never what came in


def test_a_receipt_is_what_a_ticket_accepted_event_carries() -> None:
    receipt = receipt_for("phone")
    document = dump_receipt(receipt)
    assert document["request_number"] == "INC-000042"
    event = load_event({"type": "ticket_accepted", "submission_id": "s:1", "receipt": document})
    assert event.receipt == receipt  # type: ignore[attr-defined]


@pytest.mark.parametrize("state", list(FollowUpState))
def test_a_request_status_names_its_state_as_plain_text(state: FollowUpState) -> None:
    when = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    document = dump_request_status(RequestStatus("INC-1", state, when, NOW))
    assert document["state"] == state.value
    assert type(document["state"]) is str  # not the enum: it goes into JSON as it is
    assert document["request_number"] == "INC-1"
    assert list(violations("request_status", document)) == []
    assert json.loads(json.dumps(document)) == document


# --------------------------------------------------------------------------- the process


def test_the_wire_process_answers_a_resume_line_and_refuses_a_mixed_one() -> None:
    wire = _mini()
    stored = _stored(wire)
    answer = {"type": "answer", "answers": {"category": "other"}}
    lines = [
        json.dumps({"resume": {"session": stored, "now": LATER}}),
        "   ",
        json.dumps({"handle": {"session": stored, "event": answer, "now": LATER}}),
        json.dumps({"start": {"session_id": "p-1", "now": T0}, "resume": {}}),
        json.dumps(["start"]),
        "{not json",
    ]
    out = io.StringIO()
    assert serve(wire.engine, lines, out) == 5
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["ok"] for r in replies] == [True, True, False, False, False]
    assert replies[0]["migration"]["source"]["version"] == 1
    assert replies[1]["transition"]["session"]["revision"] == stored["revision"] + 1
    for refused in replies[2:]:
        assert refused["error"] == {
            "code": "wire.invalid",
            "message": "a line holds one start, handle, resume or erase",
        }
        assert refused["session"] is None


def test_the_wire_process_keeps_what_the_user_typed_readable() -> None:
    out = io.StringIO()
    line = json.dumps({"start": {"session_id": "p-2", "now": T0, "locale": "ru"}})
    serve(_mini().engine, [line], out)
    assert "Канал" in out.getvalue()  # not escaped: a client reads UTF-8 as it is


HEBREW = str(DEFINITIONS / "hebrew.yaml")


@pytest.mark.parametrize(
    ("command_line", "argv", "expected"),
    [([], None, "home-support"), ([HEBREW], None, "hebrew"), ([], [HEBREW], "hebrew")],
    ids=["default", "file on the command line", "file as an argument"],
)
def test_the_wire_process_serves_stdin_to_stdout(
    command_line: list[str],
    argv: list[str] | None,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = {"start": {"session_id": "p-3", "now": T0}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(start) + "\n" + json.dumps(start)))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "argv", ["kl_contact.wire", *command_line])
    assert main(argv) == 0
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(replies) == 2
    assert {r["transition"]["session"]["workflow"]["id"] for r in replies} == {expected}


def test_the_wire_process_answers_an_erase_line() -> None:
    from conftest import walk
    from kl_contact import Engine, default_workflow, dump_session

    engine = Engine(default_workflow())
    done = dump_session(walk(engine, "chat", "ru", session_id="er-2")[-1].session)
    out = io.StringIO()
    assert serve(engine, [json.dumps({"erase": {"session": done}})], out) == 1
    (reply,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert reply["ok"] is True
    assert reply["session"]["answers"]["name"] == "<redacted>"
    assert reply["session"]["answers"]["category"] == done["answers"]["category"]


class _Stamped(datetime):
    """A host's own datetime class, which writes itself its own way."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "stamped"


def test_a_datetime_is_written_at_its_own_offset_however_often_it_recurs() -> None:
    from datetime import timedelta, timezone

    from kl_contact._convert import converter

    moscow = timezone(timedelta(hours=3))
    instant = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    odd = timezone(timedelta(hours=1, seconds=30))  # ISO 8601 offsets have no seconds
    for _ in range(2):  # once written, then again
        assert converter.unstructure(instant) == "2026-11-25T10:00:00+00:00"
        assert converter.unstructure(instant.astimezone(moscow)) == "2026-11-25T13:00:00+03:00"
        assert converter.unstructure(instant.astimezone(odd)) == "2026-11-25T10:00:00+00:00"
        assert converter.unstructure(instant.replace(microsecond=5)).endswith(":00.000005+00:00")
    stamped = _Stamped(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert stamped == instant
    assert converter.unstructure(stamped) == "stamped"
