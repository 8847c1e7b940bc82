"""A session started on version 1 of a definition resumes on version 2: refused, or migrated
with the documented result."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest

from conftest import DEFINITIONS, DETAILS, NOW, receipt_for
from kl_contact import (
    Answer,
    ArticleMatch,
    ArticlesFound,
    Back,
    ChooseChannel,
    Continue,
    DroppedAnswer,
    Engine,
    Escalate,
    Next,
    Send,
    Session,
    SubmitTicket,
    TicketAccepted,
    UsageError,
    dump_session,
    load_session,
    parse_workflow,
)

V1_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)
V1 = parse_workflow(V1_TEXT, source="v1.yaml")
MULTIPLE_CHOICE = DEFINITIONS / "multiple-choice.yaml"


def _v2(*edits: tuple[str, str]) -> str:
    text = V1_TEXT.replace("version: 1\n", "version: 2\n", 1)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# version 2 drops the "error message" question, the iOS platform and the "false positive"
# category: answers to them cannot be kept
V2_TEXT = _v2(
    (
        "      - id: error_text\n        type: text\n        max_length: 300\n"
        '        label: {ru: "Текст сообщения об ошибке, если оно есть", '
        'en: "The error message, if there is one"}\n',
        "",
    ),
    ("          - {id: ios, label: {ru: iOS, en: iOS}}\n", ""),
    (
        "          - {id: false_positive, label: {ru: Ложное срабатывание, "
        "en: A safe file or site is blocked}}\n",
        "",
    ),
    ("in: [scan, false_positive]", "in: [scan]"),  # and its routing rule no longer names it
)
V2 = parse_workflow(V2_TEXT, source="v2.yaml")

ANSWERS = {
    "product": "plus",
    "platform": "ios",
    "category": "false_positive",
    "subject": "A safe site is blocked",
    "error_text": "Access denied",
}


def _on_request_step() -> Session:
    """A session on version 1 that asked for support and stands on the request step."""
    engine = Engine(V1)
    t = engine.start(session_id="v-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("chat"), NOW)
    t = engine.handle(t.session, Next(ANSWERS), NOW)
    (search,) = t.effects
    match = ArticleMatch(id="kb-1", title="A", url="https://example.com/1", score=1.0)
    t = engine.handle(t.session, ArticlesFound(search.search_id, (match,)), NOW)  # type: ignore[attr-defined]
    t = engine.handle(t.session, Escalate(), NOW)
    assert t.session.step == "details"
    # the host stores the session as JSON and takes it up later
    return load_session(dump_session(t.session))


def test_versions_differ_in_version_and_digest() -> None:
    assert (V1.id, V1.version, V2.id, V2.version) == ("home-support", 1, "home-support", 2)
    assert V1.digest != V2.digest


def test_resuming_on_another_version_is_refused_by_default() -> None:
    session = _on_request_step()
    engine = Engine(V2)
    with pytest.raises(UsageError) as refused:
        engine.resume(session, NOW)
    assert refused.value.code == "session.version_mismatch"
    with pytest.raises(UsageError) as handled:
        engine.handle(session, Send(DETAILS), NOW)
    assert handled.value.code == "session.version_mismatch"


def test_migration_keeps_what_exists_drops_the_rest_and_asks_again() -> None:
    session = _on_request_step()
    engine = Engine(V2)
    t, migration = engine.resume(session, NOW, on_version_change="migrate")
    assert migration.changed_version
    assert (migration.source.version, migration.target.version) == (1, 2)
    assert set(migration.dropped) == {
        DroppedAnswer("error_text", "question_removed"),
        DroppedAnswer("platform", "option_removed"),
        DroppedAnswer("category", "option_removed"),
    }
    moved = t.session
    assert moved.workflow.version == 2
    assert dict(moved.answers) == {"product": "plus", "subject": "A safe site is blocked"}
    # the questionnaire needs input again: platform and category are required
    assert (migration.step_from, migration.step_to) == ("details", "question")
    assert moved.step == "question"
    assert moved.trail == ("self_service", "channel")
    assert moved.channel == "chat"
    assert t.view.kind == "questions"
    shown = {q.id: q.value for q in t.view.questions}
    assert shown["product"] == "plus"
    assert shown["platform"] is None
    assert "error_text" not in shown
    # the migrated session goes on to the end on version 2
    t = engine.handle(
        moved,
        Next({"platform": "windows", "category": "web_protection", "web_component": "firewall"}),
        NOW,
    )
    t = engine.handle(t.session, Escalate(), NOW + timedelta(seconds=1))
    t = engine.handle(t.session, Send(DETAILS), NOW + timedelta(seconds=2))
    (submit,) = [e for e in t.effects if isinstance(e, SubmitTicket)]
    assert submit.ticket.workflow.version == 2
    assert {a.question for a in submit.ticket.answers} >= {"product", "platform", "category"}
    t = engine.handle(t.session, TicketAccepted(submit.submission_id, receipt_for("chat")), NOW)
    assert t.view.kind == "confirmation"


def test_migration_without_lost_answers_stays_on_the_step() -> None:
    text = _v2(
        (
            "      - id: consent\n",
            "      - id: how_found\n        type: text\n"
            '        label: {ru: "Как вы нас нашли?", en: "How did you find us?"}\n'
            "      - id: consent\n",
        )
    )
    session = _on_request_step()
    t, migration = Engine(parse_workflow(text)).resume(session, NOW, on_version_change="migrate")
    assert migration.dropped == ()
    assert migration.step_to == "details"
    assert t.session.trail == ("self_service", "channel", "question", "articles")
    assert "how_found" in {q.id for q in t.view.questions}
    assert t.effects == ()


def test_same_version_resumes_unchanged_and_other_workflows_are_refused() -> None:
    session = _on_request_step()
    t, migration = Engine(V1).resume(session, NOW)
    assert t.session == session
    assert not migration.changed_version
    other = parse_workflow(V1_TEXT.replace("id: home-support", "id: other-support", 1))
    with pytest.raises(UsageError) as foreign:
        Engine(other).resume(session, NOW, on_version_change="migrate")
    assert foreign.value.code == "session.foreign"


def test_an_ended_session_stays_on_its_version() -> None:
    session = _on_request_step()
    engine = Engine(V1)
    t = engine.handle(session, Send(DETAILS), NOW)
    (submit,) = t.effects
    t = engine.handle(t.session, TicketAccepted(submit.submission_id, receipt_for("chat")), NOW)  # type: ignore[attr-defined]
    with pytest.raises(UsageError) as ended:
        Engine(V2).resume(t.session, NOW, on_version_change="migrate")
    assert ended.value.code == "session.not_active"


def test_migration_moves_to_the_channel_choice_when_the_channel_is_gone() -> None:
    session = _on_request_step()
    text = V2_TEXT
    start = text.index("  - id: chat\n")
    end = text.index("  - id: phone\n")
    # the phone's hours suggest the chat while closed: that goes with the chat
    without_chat = (text[:start] + text[end:]).replace("suggest: [email, chat]", "suggest: [email]")
    workflow = parse_workflow(without_chat)
    t, migration = Engine(workflow).resume(session, NOW, on_version_change="migrate")
    assert DroppedAnswer("channel", "channel_removed") in migration.dropped
    assert t.session.channel is None
    assert t.view.kind == "channel_choice"


def test_json_entry_point_refuses_a_session_of_another_version_and_returns_it() -> None:
    from kl_contact import JsonEngine
    from kl_contact._convert import converter
    from kl_contact.engine.events import Event

    session = dump_session(_on_request_step())
    response = JsonEngine(Engine(V2)).handle(
        {
            "session": session,
            "event": converter.unstructure(Send(DETAILS), Event),
            "now": NOW.isoformat(),
        }
    )
    assert response["ok"] is False
    assert response["error"]["code"] == "session.version_mismatch"
    assert response["session"] == session  # nothing typed is lost
    assert "jane" not in response["error"]["message"].lower()


def test_cli_draws_and_lists_a_definition_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kl_contact.cli import main

    path = tmp_path / "v2.yaml"
    path.write_text(V2_TEXT, encoding="utf-8")
    assert main(["paths", str(path)]) == 0
    assert capsys.readouterr().out.count("path ") == 5  # two of them follow a request up
    broken = tmp_path / "broken.yaml"
    broken.write_text(V2_TEXT.replace("to: details", "to: detail"), encoding="utf-8")
    assert main(["graph", str(broken), "--format", "dot"]) == 2
    assert "ref.unknown_step" in capsys.readouterr().err


def test_same_version_resume_stays_on_the_step_it_was_on() -> None:
    session = _on_request_step()
    t, migration = Engine(V1).resume(session, NOW)
    assert (migration.step_from, migration.step_to) == ("details", "details")
    assert migration.dropped == ()
    assert t.effects == ()


def test_a_mismatched_version_says_which_versions_meet() -> None:
    with pytest.raises(UsageError) as refused:
        Engine(V2).resume(_on_request_step(), NOW)
    assert "version 1" in str(refused.value)
    assert "this is version 2" in str(refused.value)


def test_a_foreign_session_says_so() -> None:
    other = parse_workflow(V1_TEXT.replace("id: home-support", "id: other-support", 1))
    with pytest.raises(UsageError) as foreign:
        Engine(other).resume(_on_request_step(), NOW)
    assert "another workflow" in str(foreign.value)


def test_migration_stops_at_a_request_step_already_visited() -> None:
    # The user reached the request, went Back to the articles; version 2 routes this
    # product straight to the request, which the walk must not pass to the confirmation.
    back = Engine(V1).handle(_on_request_step(), Back(), NOW)
    assert back.session.step == "articles"
    text = _v2(
        (
            "      - when: {answer: category, equals: other}\n",
            "      - when: {answer: product, equals: plus}\n        to: details\n"
            "      - when: {answer: category, equals: other}\n",
        )
    )
    t, migration = Engine(parse_workflow(text)).resume(
        back.session, NOW, on_version_change="migrate"
    )
    assert migration.step_to == "details"
    assert t.view.kind == "request"


def test_a_multiple_choice_answer_loses_only_removed_options() -> None:
    workflow = parse_workflow(
        (Path(__file__).parents[1] / "definitions/multiple-choice.yaml").read_text("utf-8")
    )
    engine = Engine(workflow)
    t = engine.start(session_id="m-1", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"symptoms": ("slow", "popup")}), NOW)
    text = (Path(__file__).parents[1] / "definitions/multiple-choice.yaml").read_text("utf-8")
    v2 = (
        text.replace("version: 1\n", "version: 2\n", 1)
        .replace("          - {id: popup, label: {en: Pop-ups}}\n", "")
        .replace("in: [popup, ads]", "in: [ads]")
    )
    t2, migration = Engine(parse_workflow(v2)).resume(t.session, NOW, on_version_change="migrate")
    assert migration.dropped == (DroppedAnswer("symptoms", "option_removed"),)
    assert t2.session.answers["symptoms"] == ("slow",)
    only_popup = engine.handle(t.session, Answer({"symptoms": ("popup",)}), NOW).session
    t3, gone = Engine(parse_workflow(v2)).resume(only_popup, NOW, on_version_change="migrate")
    assert gone.dropped == (DroppedAnswer("symptoms", "option_removed"),)
    assert "symptoms" not in t3.session.answers


def test_an_answer_of_another_shape_is_dropped_as_type_changed() -> None:
    text = MULTIPLE_CHOICE.read_text("utf-8")
    engine = Engine(parse_workflow(text))
    t = engine.start(session_id="m-1", now=NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Answer({"crash_log": "segfault at start"}), NOW)
    v2 = text.replace("version: 1\n", "version: 2\n", 1).replace(
        "      - id: crash_log\n        type: text\n",
        "      - id: crash_log\n        type: multiple_choice\n        options:\n"
        "          - {id: segfault, label: {en: Segmentation fault}}\n",
    )
    t2, migration = Engine(parse_workflow(v2)).resume(t.session, NOW, on_version_change="migrate")
    assert migration.dropped == (DroppedAnswer("crash_log", "type_changed"),)
    assert "crash_log" not in t2.session.answers


def test_resume_with_a_version_policy_over_json() -> None:
    from kl_contact import JsonEngine
    from kl_contact.schemas import violations

    wire = JsonEngine(Engine(V2))
    stored = dump_session(_on_request_step())
    request = {"session": stored, "now": NOW.isoformat()}
    assert list(violations("wire", {"resume": request})) == []
    refused = wire.resume(request)
    assert (refused["ok"], refused["error"]["code"]) == (False, "session.version_mismatch")
    assert refused["session"] == stored
    reply = wire.resume({**request, "on_version_change": "migrate"})
    assert [v.message for v in violations("wire", reply)] == []
    migration = reply["migration"]
    assert (migration["source"]["version"], migration["target"]["version"]) == (1, 2)
    assert (migration["step_from"], migration["step_to"]) == ("details", "question")
    assert {d["reason"] for d in migration["dropped"]} <= {"question_removed", "option_removed"}
    assert reply["transition"]["session"]["workflow"]["version"] == 2
    assert reply["transition"]["view"]["step"] == "question"


def test_a_migrated_session_drops_the_issues_of_the_old_version() -> None:
    session = _on_request_step()
    refused = Engine(V1).handle(session, Send({"name": ""}), NOW)  # the old step's issues
    assert refused.session.issues
    t, migration = Engine(V2).resume(refused.session, NOW, on_version_change="migrate")
    assert migration.step_to == "question"  # the step of a dropped answer
    assert migration.session.issues == ()  # the record a host may store as it is
    assert t.session.issues == ()
    assert t.view.issues == ()
