"""The JSON entry point's answers when something is wrong: a stable code, a message that says
what is wrong (never what was sent), and the session handed back unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import NOW
from kl_contact import Engine, JsonEngine, Limits, UsageError, dump_session, load_session
from kl_contact.schemas import violations

# The shape of a date-time (the schema checks it) on a day that does not exist.
BAD_TIME = "2026-13-45T00:00:00+00:00"


@pytest.fixture
def json_engine(engine: Engine) -> JsonEngine:
    return JsonEngine(engine)


def start(json_engine: JsonEngine) -> dict[str, Any]:
    response = json_engine.start({"session_id": "s-1", "now": NOW.isoformat(), "locale": "en"})
    assert response["ok"] is True
    transition: dict[str, Any] = response["transition"]
    return transition


def started(json_engine: JsonEngine) -> dict[str, Any]:
    session: dict[str, Any] = start(json_engine)["session"]
    return session


def assert_error(response: dict[str, Any], code: str, session: Any) -> str:
    assert list(violations("wire", response)) == []
    assert response["ok"] is False
    assert response["session"] == session
    assert response["error"]["code"] == code
    message: str = response["error"]["message"]
    return message


def test_start_with_an_unreadable_time(json_engine: JsonEngine) -> None:
    response = json_engine.start({"session_id": "s-1", "now": BAD_TIME})
    message = assert_error(response, "time.invalid", None)
    assert message == "now is not an ISO 8601 datetime"


def test_start_with_an_undeclared_locale(json_engine: JsonEngine) -> None:
    response = json_engine.start({"session_id": "s-1", "now": NOW.isoformat(), "locale": "de"})
    message = assert_error(response, "locale.unknown", None)
    assert "'de'" not in message  # what the client sent stays out of messages


def test_start_with_a_request_the_schema_refuses(json_engine: JsonEngine) -> None:
    response = json_engine.start({"now": NOW.isoformat()})
    message = assert_error(response, "wire.invalid", None)
    assert message.startswith("wire.invalid: wire document does not match its schema")


def test_handle_with_an_unreadable_time_hands_the_session_back(json_engine: JsonEngine) -> None:
    session = started(json_engine)
    request = {"session": session, "event": {"type": "continue"}, "now": BAD_TIME}
    response = json_engine.handle(request)
    message = assert_error(response, "time.invalid", session)
    assert message == "now is not an ISO 8601 datetime"


def test_handle_with_an_event_the_step_refuses_hands_the_session_back(
    json_engine: JsonEngine,
) -> None:
    session = started(json_engine)
    request = {"session": session, "event": {"type": "send"}, "now": NOW.isoformat()}
    message = assert_error(json_engine.handle(request), "event.not_allowed", session)
    assert "'send'" in message


def test_a_session_document_that_breaks_its_schema(json_engine: JsonEngine) -> None:
    session = dict(started(json_engine), created_at="not a date")
    with pytest.raises(UsageError) as excinfo:
        load_session(session)
    assert excinfo.value.code == "session.invalid"
    assert str(excinfo.value).startswith(
        "session.invalid: session document does not match its schema"
    )
    assert "created_at" in excinfo.value.path  # where, in the structured field


def test_a_session_document_that_cannot_be_built(json_engine: JsonEngine) -> None:
    # the schema checks the shape of a date; only building the session finds month 13
    session = dict(started(json_engine), created_at=BAD_TIME)
    with pytest.raises(UsageError) as excinfo:
        load_session(session)
    assert excinfo.value.code == "document.invalid"
    assert str(excinfo.value).endswith("document could not be read (ValueError)")
    request = {"session": session, "event": {"type": "continue"}, "now": NOW.isoformat()}
    assert_error(json_engine.handle(request), "document.invalid", session)


def test_view_of_a_stored_session_is_the_view_it_was_shown_with(json_engine: JsonEngine) -> None:
    transition = start(json_engine)
    session = transition["session"]
    view = json_engine.view(session)
    assert view == transition["view"]
    assert view["kind"] == "self_service"
    assert list(violations("view", view)) == []
    assert dump_session(load_session(session)) == session


@pytest.mark.parametrize("request_document", ["not a request", ["session"], None, 7])
def test_a_request_that_is_not_an_object_is_an_error_without_a_session(
    json_engine: JsonEngine, request_document: object
) -> None:
    message = assert_error(json_engine.handle(request_document), "wire.invalid", None)
    assert message.startswith("wire.invalid: wire document does not match its schema")


def test_an_event_over_the_limits_is_refused_by_its_limit_before_the_schema(
    json_engine: JsonEngine,
) -> None:
    session = started(json_engine)
    answers = {"description": ["a"] * 5000}  # the schema would refuse it too, more slowly
    request = {"session": session, "event": {"type": "answer", "answers": answers}}
    message = assert_error(
        json_engine.handle({**request, "now": NOW.isoformat()}), "limit.answer_items", session
    )
    assert message == "an answer holds more than 1000 items"


def test_a_now_before_the_last_event_says_so(json_engine: JsonEngine) -> None:
    session = started(json_engine)
    earlier = NOW.replace(hour=NOW.hour - 1).isoformat()
    request = {"session": session, "event": {"type": "continue"}, "now": earlier}
    message = assert_error(json_engine.handle(request), "time.before_last_event", session)
    assert message == "time.before_last_event: now is earlier than the session's last event"


def test_a_conflict_names_both_revisions(json_engine: JsonEngine) -> None:
    session = started(json_engine)
    moved = json_engine.handle(
        {"session": session, "event": {"type": "continue"}, "now": NOW.isoformat()}
    )
    latest = moved["transition"]["session"]
    request = {"session": session, "event": {"type": "continue"}, "now": NOW.isoformat()}
    message = assert_error(json_engine.handle(request, latest), "session.conflict", session)
    assert message == "session.conflict: the session sent is revision 0, the stored one 1"


def test_a_session_from_a_browser_is_checked_against_its_schema_unless_trusted(
    json_engine: JsonEngine,
) -> None:
    # readable as a session, but its id is longer than the schema allows
    session = {**started(json_engine), "id": "x" * 10_000}
    request = {"session": session, "event": {"type": "continue"}, "now": NOW.isoformat()}
    assert_error(json_engine.handle(request), "session.invalid", None)
    assert json_engine.handle(request, trusted_session=True)["ok"] is True
    stored = {**started(json_engine), "id": "x" * 10_000}
    assert_error(json_engine.handle(request, stored), "session.invalid", None)
    assert json_engine.handle(request, stored, trusted_session=True)["ok"] is True
    with pytest.raises(UsageError) as refused:
        json_engine.view(session)
    assert refused.value.code == "session.invalid"
    assert json_engine.view(session, trusted=True)["session_id"] == session["id"]


def test_a_schema_refusal_says_where_and_why_in_its_fields(json_engine: JsonEngine) -> None:
    session = dict(started(json_engine), created_at="not a date")
    with pytest.raises(UsageError) as refused:
        load_session(session)
    assert refused.value.params["detail"]  # the schema's own words, kept out of the message
    assert "not a date" not in str(refused.value)


def test_a_start_keeps_the_time_zone_and_region_it_was_given(json_engine: JsonEngine) -> None:
    response = json_engine.start(
        {"session_id": "s-1", "now": NOW.isoformat(), "time_zone": "Europe/Berlin", "region": "DE"}
    )
    session = response["transition"]["session"]
    assert (session["time_zone"], session["region"]) == ("Europe/Berlin", "DE")
    unknown = {"session_id": "s-1", "now": NOW.isoformat(), "time_zone": "Mars/Olympus"}
    assert_error(json_engine.start(unknown), "time_zone.unknown", None)


def test_the_hosts_own_limits_are_checked_before_the_schema(engine: Engine) -> None:
    strict = JsonEngine(Engine(engine.workflow, limits=Limits(answers=1)))
    session = started(strict)
    answers = {"subject": "a", "description": "b"}
    # no `now`: the schema would refuse the request, but the cheap check comes first
    request = {"session": session, "event": {"type": "answer", "answers": answers}}
    message = assert_error(strict.handle(request), "limit.answers", session)
    assert message == "more than 1 answers"
