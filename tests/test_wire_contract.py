"""The JSON entry point keeps the frontend contract: what a client that knows only the
schemas and the responses needs is in the documents themselves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import sample_engine
from kl_contact import JsonEngine, UsageError, check_revision, load_session
from kl_contact.definition.flow import HOST_EVENTS
from kl_contact.engine.views import USER_ACTIONS
from kl_contact.schemas import load_schema, violations
from kl_contact.wire import WIRE_ERRORS

T0 = "2026-11-25T10:00:00+00:00"


def _wire(name: str) -> JsonEngine:
    return JsonEngine(sample_engine(name))


def _handle(wire: JsonEngine, session: Any, event: dict[str, Any], now: str = T0) -> Any:
    request = {"session": session, "event": event, "now": now}
    assert list(violations("wire", {"handle": request})) == []
    reply = wire.handle(request)
    assert [v.message for v in violations("wire", reply)] == []
    return reply


def test_a_pattern_rule_is_in_the_view_and_its_issue_names_it() -> None:
    wire = _wire("licence-key")
    started = wire.start({"session_id": "w-1", "now": T0, "locale": "en"})
    view = started["transition"]["view"]
    key = next(q for q in view["questions"] if q["type"] == "text")
    assert key["pattern"]
    assert key["required"] is True
    reply = _handle(
        wire, started["transition"]["session"], {"type": "answer", "answers": {key["id"]: "x"}}
    )
    issue = next(i for q in reply["transition"]["view"]["questions"] for i in q.get("issues", []))
    assert issue["code"] == "answer.pattern"
    assert issue["params"]["pattern"] == key["pattern"]
    assert re.fullmatch(issue["params"]["pattern"], "ABCDE-12345-FGHIJ-67890")


def test_every_action_names_its_fields_and_where_they_come_from() -> None:
    wire = _wire("licence-key")
    view = wire.start({"session_id": "w-2", "now": T0, "locale": "en"})["transition"]["view"]
    actions = {a["type"]: a for a in view["actions"]}
    assert set(actions) == {"answer", "next", "change_locale"}
    assert actions["change_locale"]["fields"] == [
        {"name": "locale", "source": "/locales/*", "required": True}
    ]
    assert actions["change_locale"]["stays"] is True
    assert actions["answer"]["stays"] is True
    assert actions["next"]["stays"] is False
    assert actions["next"]["fields"][0]["source"] == "/questions"
    assert view["terminal"] is False
    assert view["dir"] == "ltr"


def test_a_right_to_left_locale_says_so_in_the_view() -> None:
    wire = _wire("hebrew")
    view = wire.start({"session_id": "w-3", "now": T0})["transition"]["view"]
    assert (view["locale"], view["dir"]) == ("he", "rtl")
    english = wire.start({"session_id": "w-4", "now": T0, "locale": "en"})["transition"]
    assert english["view"]["dir"] == "ltr"


def test_the_action_enum_is_every_event_a_user_sends() -> None:
    events = set(load_schema("event")["properties"]["type"]["enum"])
    actions = load_schema("view")["$defs"]["action"]["properties"]["type"]["enum"]
    assert actions == list(USER_ACTIONS)
    assert set(actions) == events - HOST_EVENTS


def test_host_results_with_unknown_ids_are_ignored_and_say_so() -> None:
    wire = _wire("mini")
    started = wire.start({"session_id": "h-1", "now": T0, "locale": "en"})
    session = started["transition"]["session"]
    for event in (
        {"type": "articles_found", "search_id": "made-up", "matches": []},
        {"type": "articles_failed", "search_id": "made-up"},
        {"type": "ticket_rejected", "submission_id": "made-up"},
        {
            "type": "ticket_accepted",
            "submission_id": "made-up",
            "receipt": {"request_number": "R-1", "channel": "email"},
        },
    ):
        reply = _handle(wire, session, event)
        assert reply["ok"] is True
        assert reply["transition"]["outcome"] == "ignored"
        assert reply["transition"]["session"] == session
    applied = _handle(wire, session, {"type": "choose_channel", "channel": "email"})
    assert applied["transition"]["outcome"] == "applied"


def test_a_receipt_missing_what_its_channel_needs_is_refused_naming_the_field() -> None:
    wire = _wire("mini")
    session = wire.start({"session_id": "h-2", "now": T0, "locale": "en"})["transition"]["session"]
    session = _handle(wire, session, {"type": "choose_channel", "channel": "phone"})["transition"]
    answers = {"product": "alpha", "version": "a1", "category": "other", "subject": "It fails"}
    moved = _handle(wire, session["session"], {"type": "next", "answers": answers})["transition"]
    sent = _handle(
        wire, moved["session"], {"type": "send", "answers": {"email": "user@example.com"}}
    )["transition"]
    (effect,) = sent["effects"]
    assert effect["type"] == "submit_ticket"
    assert effect["receipt_fields"] == ["contact.phone"]
    bare = {"request_number": "R-7", "channel": "phone"}
    event = {"type": "ticket_accepted", "submission_id": effect["submission_id"], "receipt": bare}
    refused = _handle(wire, sent["session"], event)["transition"]
    assert [i["code"] for i in refused["view"]["issues"]] == ["receipt.no_phone"]
    assert refused["session"]["status"] == "submitting"
    event["receipt"] = {**bare, "contact": {"phone": "+7 495 000-00-00"}}
    accepted = _handle(wire, refused["session"], event)["transition"]
    assert accepted["view"]["terminal"] is True
    assert (
        "+7 495 000-00-00" in accepted["view"]["confirmation"]["instructions"]["steps"][0]["text"]
    )


def test_the_error_catalogue_is_the_schemas_enum_and_the_docs_page() -> None:
    from pathlib import Path

    enum = load_schema("wire")["$defs"]["response"]["oneOf"][1]["properties"]["error"]
    assert enum["properties"]["code"]["enum"] == list(WIRE_ERRORS)
    page = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text()
    assert all(f"| `{code}` |" in page for code in WIRE_ERRORS)


@pytest.mark.parametrize(
    "sent",
    ["opaque", {"session": "opaque"}, {"id": 1}, [], None],
    ids=["string", "object", "wrong-type", "list", "null"],
)
def test_an_error_never_echoes_what_is_not_a_session(sent: Any) -> None:
    wire = _wire("mini")
    reply = wire.handle({"session": sent, "event": {"type": "back"}, "now": T0})
    assert reply["ok"] is False
    assert reply["session"] is None
    assert reply["error"]["code"] in WIRE_ERRORS
    assert [v.message for v in violations("wire", reply)] == []


def test_answers_to_unknown_questions_are_an_issue_and_not_stored() -> None:
    wire = _wire("licence-key")
    session = wire.start({"session_id": "u-1", "now": T0})["transition"]["session"]
    reply = _handle(wire, session, {"type": "answer", "answers": {"nowhere": "x"}})
    transition = reply["transition"]
    assert [i["code"] for i in transition["view"]["issues"]] == ["answer.unknown_question"]
    assert "nowhere" not in transition["session"].get("answers", {})


def test_a_now_before_the_last_event_is_a_typed_error() -> None:
    wire = _wire("mini")
    session = wire.start({"session_id": "t-1", "now": T0})["transition"]["session"]
    event = {"type": "choose_channel", "channel": "email"}
    reply = wire.handle({"session": session, "event": event, "now": "2026-11-25T09:00:00+00:00"})
    assert reply["error"]["code"] == "time.before_last_event"
    assert reply["session"] == session


def test_the_wire_as_a_process_answers_one_line_per_line() -> None:
    import io
    import json

    from kl_contact.wire import serve

    lines = [
        json.dumps({"start": {"session_id": "p-1", "now": T0}}),
        "",
        "not json",
        json.dumps({"handle": {"session": None, "event": {}, "now": T0}}),
    ]
    out = io.StringIO()
    assert serve(sample_engine("mini"), lines, out) == 3
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["ok"] for r in replies] == [True, False, False]
    assert replies[1]["error"]["code"] == "wire.invalid"
    assert all(not list(violations("wire", r)) for r in replies)


def test_python_m_kl_contact_wire_serves_a_definition_file() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    definition = Path(__file__).parent / "definitions" / "hebrew.yaml"
    run = subprocess.run(
        [sys.executable, "-m", "kl_contact.wire", str(definition)],
        input=json.dumps({"start": {"session_id": "p-2", "now": T0}}) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout)["transition"]["view"]["dir"] == "rtl"


def test_an_event_on_an_older_revision_than_the_stored_one_is_a_conflict() -> None:
    wire = _wire("mini")
    stored = wire.start({"session_id": "c-1", "now": T0})["transition"]["session"]
    assert stored["revision"] == 0
    choose = {"type": "choose_channel", "channel": "email"}
    first = wire.handle({"session": stored, "event": choose, "now": T0}, latest=stored)
    newer = first["transition"]["session"]
    assert newer["revision"] == 1
    twice = wire.handle({"session": stored, "event": choose, "now": T0}, latest=newer)
    assert twice["error"]["code"] == "session.conflict"
    assert twice["session"] == stored
    assert [v.message for v in violations("wire", twice)] == []
    ignored = _handle(wire, newer, {"type": "articles_failed", "search_id": "old"})
    assert ignored["transition"]["session"]["revision"] == 1


@given(revision=st.integers(min_value=-3, max_value=50), other_id=st.booleans())
def test_check_revision_passes_only_the_stored_session_and_revision(
    revision: int, other_id: bool
) -> None:
    wire = _wire("mini")
    started = wire.start({"session_id": "c-1", "now": T0})["transition"]["session"]
    moved = wire.handle(
        {"session": started, "event": {"type": "choose_channel", "channel": "email"}, "now": T0}
    )["transition"]["session"]
    latest = load_session(moved)
    session_id = "c-2" if other_id else "c-1"
    if (session_id, revision) == ("c-1", latest.revision):
        check_revision(latest, session_id, revision)
        return
    with pytest.raises(UsageError) as refused:
        check_revision(latest, session_id, revision)
    assert refused.value.code == "session.conflict"
    assert "c-2" not in str(refused.value)


def test_a_start_with_prefill_marks_the_answers_and_reports_what_it_left_out() -> None:
    from kl_contact import Engine, default_workflow

    wire = JsonEngine(Engine(default_workflow()))
    request = {
        "session_id": "pf-1",
        "now": T0,
        "locale": "en",
        "prefill": {"product": "premium", "platform": "windows", "category": "vpn"},
    }
    assert list(violations("wire", {"start": request})) == []
    reply = wire.start(request)
    assert [v.message for v in violations("wire", reply)] == []
    session = reply["transition"]["session"]
    assert session["prefilled"] == ["product", "platform"]
    assert session["answers"] == {"product": "premium", "platform": "windows"}
    issues = reply["transition"]["view"]["issues"]
    assert [(i["code"], i["path"]) for i in issues] == [
        ("prefill.not_allowed", ["prefill", "category"])
    ]
    session = _handle(wire, session, {"type": "continue"})["transition"]["session"]
    moved = _handle(wire, session, {"type": "choose_channel", "channel": "email"})
    product = next(q for q in moved["transition"]["view"]["questions"] if q["id"] == "product")
    assert (product["prefilled"], product["read_only"]) == (True, True)
    refused = _handle(
        wire, moved["transition"]["session"], {"type": "answer", "answers": {"product": "plus"}}
    )
    product = next(q for q in refused["transition"]["view"]["questions"] if q["id"] == "product")
    assert [i["code"] for i in product["issues"]] == ["answer.read_only"]


def test_a_prefill_of_the_wrong_shape_is_refused_by_the_schema() -> None:
    wire = _wire("mini")
    reply = wire.start({"session_id": "pf-2", "now": T0, "prefill": {"product": 3}})
    assert (reply["ok"], reply["error"]["code"]) == (False, "wire.invalid")


def test_erase_answers_the_erased_session_or_refuses_an_unfinished_one() -> None:
    from conftest import walk
    from kl_contact import Engine, default_workflow, dump_session

    engine = Engine(default_workflow())
    transitions = walk(engine, "email", "en", session_id="er-1")
    wire = JsonEngine(engine)
    request = {"session": dump_session(transitions[-1].session)}
    assert list(violations("wire", {"erase": request})) == []
    reply = wire.erase(request)
    assert [v.message for v in violations("wire", reply)] == []
    assert reply["ok"] is True
    assert reply["session"]["answers"]["email"] == "<redacted>"
    unfinished = {"session": dump_session(transitions[2].session)}
    refused = wire.erase(unfinished)
    assert [v.message for v in violations("wire", refused)] == []
    assert (refused["ok"], refused["error"]["code"]) == (False, "session.not_finished")
    assert refused["session"] == unfinished["session"]
    assert wire.erase({"session": {"id": 1}})["error"]["code"] == "session.invalid"
