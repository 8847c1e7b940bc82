"""The web host over HTTP (Flask's test client): the four paths, e-mail, stale writes, errors."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.conftest import EXAMPLE, OFFICE_HOURS, ROOT, MailSink, free_port, need_module
from web.walks import FlaskApi, next_event, script, send, walk

need_module("flask")

from kl_contact_web.app import create_app, nesting_depth_over  # noqa: E402
from kl_contact_web.host import Host, store_request  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402
from kl_contact_web.storage import Step  # noqa: E402

from kl_contact import default_workflow  # noqa: E402
from kl_contact.wire import WIRE_ERRORS  # noqa: E402

SUPPORT = "help-desk@example.com"


def make_settings(database_url: str, smtp_port: int) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_port=smtp_port,
        support_email=SUPPORT,
        mail_from=f"Support <{SUPPORT}>",
        chat_url="https://chat.example.com/r/{request_number}",
        phone="+74951112233",
        phone_display="+7 495 111-22-33",
        fixed_time=OFFICE_HOURS,
    )


@pytest.fixture
def host(database_url: str, mail_sink: MailSink) -> Host:
    return Host(make_settings(database_url, mail_sink.port))


@pytest.fixture
def api(host: Host) -> FlaskApi:
    return FlaskApi(create_app(host=host))


def body_of(letter: EmailMessage) -> str:
    part = letter.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize("path", ["email", "chat", "phone"])
def test_each_channel_ends_with_a_request_number_and_a_registration_email(
    api: FlaskApi, host: Host, mail_sink: MailSink, path: str
) -> None:
    plan = script(path)
    replies = walk(api, plan)
    kinds = [reply["view"]["kind"] for reply in replies]
    assert list(dict.fromkeys(kinds)) == [
        "self_service", "channel_choice", "questions", "articles", "request", "confirmation"
    ]  # fmt: skip
    articles = replies[kinds.index("articles")]["view"]["articles"]
    assert articles["status"] == "ready"
    assert articles["matches"], "the built-in matcher found nothing"
    versions = [reply["version"] for reply in replies]
    assert versions == sorted(set(versions))
    assert versions[0] == 0  # the revision of a session just started

    confirmation = replies[-1]["view"]["confirmation"]
    number = confirmation["request_number"]
    assert re.fullmatch(r"WEB-\d{6}", number)
    assert confirmation["channel"] == plan["channel"]

    stored = host.storage.request(number)
    assert stored is not None
    assert stored.channel == plan["channel"]
    assert stored.ticket["subject"] == plan["answers"]["subject"]
    assert stored.ticket["contact"]["email"] == plan["answers"]["email"]
    assert stored.email_status == "sent"

    [(recipients, letter)] = mail_sink.wait(1)
    address = plan["answers"]["email"]
    assert recipients == [address]
    assert letter["To"].addresses[0].addr_spec == address
    assert letter["To"].addresses[0].display_name == plan["answers"]["name"]
    assert letter["Reply-To"].addresses[0].addr_spec == SUPPORT
    assert number in letter["Subject"]
    assert letter["Content-Language"] == plan["locale"]
    text = body_of(letter)
    assert number in text
    assert plan["answers"]["description"].split()[0] in text
    expected = {
        "email": SUPPORT,
        "chat": f"https://chat.example.com/r/{number}",
        "phone": "+7 495 111-22-33",
    }[plan["channel"]]
    assert expected in text
    marker = {"ru": "Ответьте на это письмо", "en": "Reply to this e-mail"}[plan["locale"]]
    assert marker in text


CLOSED_LINE = "2026-11-28T22:00:00+03:00"
"""A Saturday night in Moscow: the default workflow's phone line is closed."""


def test_a_callback_booked_while_the_line_is_closed_is_stored_with_the_request(
    database_url: str, mail_sink: MailSink
) -> None:
    settings = dataclasses.replace(
        make_settings(database_url, mail_sink.port), fixed_time=CLOSED_LINE
    )
    host = Host(settings)
    api = FlaskApi(create_app(host=host))
    plan = script("callback")
    replies = walk(api, plan)
    choice = next(r["view"] for r in replies if r["view"]["kind"] == "channel_choice")
    phone = next(c for c in choice["channels"] if c["id"] == "phone")
    assert phone["choosable"] is False
    booked = phone["callback"]["slots"][plan["callback"] - 1]

    confirmation = replies[-1]["view"]["confirmation"]
    number = confirmation["request_number"]
    stored = host.storage.request(number)
    assert stored is not None
    assert stored.channel == "phone"
    assert stored.ticket["callback"] == {
        "starts_at": booked["starts_at"],
        "ends_at": booked["ends_at"],
        "time_zone": "Europe/Moscow",
        "phone": "+442079460321",
    }
    (wait,) = [s["action"] for s in confirmation["instructions"]["steps"] if s["action"]]
    assert (wait["kind"], wait["callback_at"]) == ("wait_callback", booked["starts_at"])
    [(_, letter)] = mail_sink.wait(1)
    assert "2026-11-30 10:00 (UTC+03:00)" in body_of(letter)


def test_the_expected_wait_comes_from_the_settings(database_url: str, mail_sink: MailSink) -> None:
    settings = dataclasses.replace(make_settings(database_url, mail_sink.port), wait_minutes=6)
    api = FlaskApi(create_app(host=Host(settings)))
    replies = walk(api, script("chat"))
    choice = next(r["view"] for r in replies if r["view"]["kind"] == "channel_choice")
    waits = {c["id"]: c["wait_minutes"] for c in choice["channels"]}
    assert waits == {"email": None, "chat": 6, "phone": None}  # chat alone estimates its wait
    assert replies[-1]["view"]["confirmation"]["wait_minutes"] == 6
    unset = FlaskApi(create_app(host=Host(make_settings(database_url, mail_sink.port))))
    quiet = next(r for r in walk(unset, script("chat"), until="questions"))
    assert all(c.get("wait_minutes") is None for c in quiet["view"]["channels"])


def test_an_article_that_helps_ends_the_contact_without_a_request_or_letter(
    api: FlaskApi, host: Host, mail_sink: MailSink
) -> None:
    replies = walk(api, script("helped"))
    final = replies[-1]["view"]
    assert final["kind"] == "resolved"
    assert final["confirmation"] is None
    assert host.storage.request("WEB-000001") is None
    assert mail_sink.letters == []  # letters are sent before the reply, so none will come


@pytest.mark.parametrize("path", ["helped", "email"])
def test_a_rating_is_stored_once_with_its_step_channel_and_article(
    api: FlaskApi, host: Host, path: str
) -> None:
    plan = script(path)
    replies = walk(api, plan)
    final = replies[-1]
    view = final["view"]
    suggested = [r["view"]["articles"]["matches"] for r in replies if r["view"]["articles"]]
    assert view["rating"]["status"] == "open"
    assert host.storage.feedback() == []
    comment = "Быстро и понятно, спасибо"
    status, rated = send(api, final, {"type": "rate", "score": 4, "comment": comment})
    assert status == 200
    assert rated["view"]["rating"]["status"] == "rated"
    assert rated["view"]["actions"] == []
    [stored] = host.storage.feedback()
    assert (stored.session_id, stored.step, stored.score) == (final["session_id"], view["step"], 4)
    assert stored.channel == plan["channel"]
    assert stored.comment == comment
    assert comment not in repr(stored)
    if path == "helped":
        assert (stored.article_id, stored.request_number) == (suggested[-1][0]["id"], None)
    else:
        number = view["confirmation"]["request_number"]
        assert (stored.article_id, stored.request_number) == (None, number)
    status, again = send(api, rated, {"type": "rate", "score": 1})
    assert status == 422
    assert again["error"]["code"] == "event.not_allowed"
    assert len(host.storage.feedback()) == 1


def test_a_score_out_of_range_is_an_issue_and_nothing_is_stored(api: FlaskApi, host: Host) -> None:
    final = walk(api, script("helped"))[-1]
    status, reply = send(api, final, {"type": "rate", "score": 9})
    assert status == 200
    assert [i["code"] for i in reply["view"]["issues"]] == ["rating.out_of_range"]
    assert reply["view"]["rating"]["status"] == "open"
    assert host.storage.feedback() == []


def test_a_second_tab_writing_from_an_old_version_is_refused_and_shown_the_latest(
    api: FlaskApi,
) -> None:
    plan = script("email")
    tab = walk(api, plan, until="questions")[-1]
    status, first = send(api, tab, next_event(tab["view"], plan))
    assert status == 200
    assert first["view"]["kind"] == "articles"
    status, second = send(api, tab, {"type": "back"})  # the other tab still holds `tab`
    assert status == 409
    assert second["error"]["code"] == "session.conflict"
    assert second["version"] == first["version"]
    assert second["view"] == first["view"]
    assert api.get(f"/api/sessions/{tab['session_id']}") == (200, first)


def test_a_double_submit_files_one_request_and_the_second_gets_the_library_conflict(
    api: FlaskApi, host: Host, mail_sink: MailSink
) -> None:
    """The version a reply carries is the session's revision; a *Send* posted twice from
    the same view meets :func:`kl_contact.check_revision` and never forks the contact."""
    plan = script("email")
    at = walk(api, plan, until="request")[-1]
    stored = host.storage.session(at["session_id"]).document
    assert at["version"] == stored["revision"]
    event = next_event(at["view"], plan)
    status, sent = send(api, at, event)
    assert (status, sent["view"]["kind"]) == (200, "confirmation")
    status, again = send(api, at, event)  # the same click, arriving second
    assert status == 409
    assert again["error"]["code"] == "session.conflict"
    assert again["error"]["code"] in WIRE_ERRORS  # the library's catalogue, not the host's
    assert (again["version"], again["view"]) == (sent["version"], sent["view"])
    assert again["version"] == host.storage.session(at["session_id"]).document["revision"]
    number = sent["view"]["confirmation"]["request_number"]
    assert [r.number for r in host.storage.requests()] == [number]
    assert len(mail_sink.wait(1)) == 1
    status, older = send(api, {**sent, "version": sent["version"] - 1}, {"type": "back"})
    assert (status, older["error"]["code"]) == (409, "session.conflict")


def test_an_event_the_step_does_not_accept_changes_nothing(api: FlaskApi) -> None:
    status, started = api.post("/api/sessions", {"locale": "en"})
    assert status == 201
    status, refused = send(api, started, {"type": "send", "answers": {"name": "x"}})
    assert status == 422
    assert refused["error"]["code"] == "event.not_allowed"
    assert (refused["version"], refused["view"]) == (started["version"], started["view"])
    status, malformed = send(api, started, {"type": "choose_channel"})
    assert status == 422
    assert malformed["version"] == started["version"]
    assert api.get(f"/api/sessions/{started['session_id']}") == (200, started)


def test_a_wrong_answer_comes_back_as_an_issue_and_keeps_what_was_typed(api: FlaskApi) -> None:
    plan = script("phone")
    questions = walk(api, plan, until="questions")[-1]
    answers = {**plan["answers"], "subject": "no"}  # too short
    event = next_event(questions["view"], {**plan, "answers": answers})
    status, reply = send(api, questions, event)
    assert status == 200
    view = reply["view"]
    assert view["kind"] == "questions"
    subject = next(q for q in view["questions"] if q["id"] == "subject")
    assert subject["value"] == "no"
    assert subject["issues"]
    assert subject["issues"][0]["message"]
    product = next(q for q in view["questions"] if q["id"] == "product")
    assert product["value"] == plan["answers"]["product"]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "ticket_accepted", "submission_id": "x", "receipt": {}},
        {"type": "articles_found", "search_id": "x", "matches": []},
        # a browser that reported its own wait would show every user an empty queue
        {"type": "wait_estimated", "estimate_id": "x", "channel": "chat", "wait_minutes": 0},
    ],
)
def test_the_browser_may_not_send_the_hosts_events(api: FlaskApi, event: dict[str, Any]) -> None:
    _, started = api.post("/api/sessions", {})
    status, reply = send(api, started, event)
    assert status == 403
    assert reply["error"]["code"] == "event.host_only"


@pytest.mark.parametrize("body", [None, [], {"event": {"type": "continue"}}, {"version": "1"}])
def test_a_body_that_is_not_an_event_request_is_a_bad_request(api: FlaskApi, body: Any) -> None:
    _, started = api.post("/api/sessions", {})
    status, reply = api.post(f"/api/sessions/{started['session_id']}/events", body)
    assert status == 400
    assert reply["error"]["code"] == "request.invalid"


def test_unknown_sessions_and_locales(api: FlaskApi) -> None:
    # without its capability a session is not there for this client, whether it exists or not
    assert api.get("/api/sessions/nope")[0] == 403
    status, reply = api.post("/api/sessions/nope/events", {"version": 1, "event": {"type": "back"}})
    assert (status, reply["error"]["code"]) == (403, "session.forbidden")
    status, reply = api.post("/api/sessions", {"locale": "de"})
    assert (status, reply["error"]["code"]) == (422, "locale.unknown")
    status, reply = api.post("/api/sessions", {"locale": "ru"})
    assert (status, reply["view"]["locale"]) == (201, "ru")


def test_without_a_mail_server_the_request_is_still_registered_and_nothing_personal_is_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    host = Host(make_settings(database_url, free_port()))  # nothing listens there
    api = FlaskApi(create_app(host=host))
    plan = script("chat")
    with caplog.at_level(logging.INFO):
        final = walk(api, plan)[-1]
    number = final["view"]["confirmation"]["request_number"]
    stored = host.storage.request(number)
    assert stored is not None
    assert stored.email_status == "retrying"  # kept in the outbox, tried again later
    logged = caplog.text
    assert number in logged
    for value in ("email", "name", "description", "subject"):
        assert plan["answers"][value] not in logged


class Desk:
    """A helpdesk that can be down: while it is, every submission fails."""

    def __init__(self) -> None:
        self.up = False

    def __call__(self, step: Step, ticket: Any) -> str:
        if not self.up:
            raise ConnectionError("the helpdesk is unavailable")
        return store_request(step, ticket)


def test_a_request_that_cannot_be_filed_is_rejected_and_can_be_sent_again(
    database_url: str, mail_sink: MailSink
) -> None:
    desk = Desk()
    api = FlaskApi(create_app(host=Host(make_settings(database_url, mail_sink.port), submit=desk)))
    plan = script("email")
    details = walk(api, plan, until="request")[-1]
    status, reply = send(api, details, next_event(details["view"], plan))
    assert status == 200
    assert reply["view"]["kind"] == "request"
    assert reply["view"]["status"] == "active"
    assert [i["code"] for i in reply["view"]["issues"]] == ["ticket.rejected"]
    description = next(q for q in reply["view"]["questions"] if q["id"] == "description")
    assert description["value"] == plan["answers"]["description"]
    desk.up = True  # the helpdesk is back: the retry is taken
    status, retried = send(api, reply, next_event(reply["view"], plan))
    assert status == 200
    assert retried["view"]["kind"] == "confirmation"


def test_the_page_is_served_with_a_strict_content_policy(api: FlaskApi) -> None:
    page = api.client.get("/")
    assert page.status_code == 200
    assert b'<main id="view"' in page.data
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    script_file = api.client.get("/static/app.js")
    assert script_file.status_code == 200
    assert b"function render" in script_file.data
    assert api.client.get("/api/sessions/x").headers["Cache-Control"] == "no-store"


def _wire_vocabulary() -> set[str]:
    """Every property name and enum value of the schemas the page reads and writes."""
    words: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            words.update(node.get("properties", {}))
            words.update(v for v in node.get("enum", []) if isinstance(v, str))
            if isinstance(node.get("const"), str):
                words.add(node["const"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for name in ("view", "event", "common", "instructions", "wire"):
        collect(json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text()))
    return words


def test_the_page_knows_nothing_of_the_default_workflow() -> None:
    workflow = default_workflow()
    ids = {workflow.id} | {step.id for step in workflow.steps}
    ids |= {channel.id for channel in workflow.channels}
    for step in workflow.steps:
        for question in step.questions:
            ids.add(question.id)
            ids.update(option.id for option in question.options)
    static = EXAMPLE / "kl_contact_web" / "static"
    literals: set[str] = set()
    for path in static.iterdir():
        literals.update(re.findall(r"[\"'`]([^\"'`\n]+)[\"'`]", path.read_text(encoding="utf-8")))
    assert len(ids) > 40
    assert (literals & ids) - _wire_vocabulary() == set()


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "KL_CONTACT_WEB_DATABASE_URL": "postgresql://db/contact",
            "KL_CONTACT_WEB_SMTP_PORT": "2525",
            "KL_CONTACT_WEB_CATALOGS": "a.yaml:b.yaml",
            "KL_CONTACT_WEB_PHONE": "",
            "UNRELATED": "x",
        }
    )
    assert settings.database_url == "postgresql://db/contact"
    assert settings.smtp_port == 2525
    assert settings.catalogs == ("a.yaml", "b.yaml")
    assert settings.phone == Settings().phone
    with pytest.raises(ValueError, match="KL_CONTACT_WEB_SMTP_PORT"):
        Settings.from_env({"KL_CONTACT_WEB_SMTP_PORT": "twenty-five"})
    tuned = Settings.from_env(
        {
            "KL_CONTACT_WEB_COOKIE_SECURE": "true",
            "KL_CONTACT_WEB_SESSION_IDLE_SECONDS": "90.5",
            "KL_CONTACT_WEB_SESSIONS_PER_CLIENT": "7",
        }
    )
    assert (tuned.cookie_secure, tuned.session_idle_seconds, tuned.sessions_per_client) == (
        True,
        90.5,
        7,
    )
    with pytest.raises(ValueError, match="KL_CONTACT_WEB_COOKIE_SECURE must be true or false"):
        Settings.from_env({"KL_CONTACT_WEB_COOKIE_SECURE": "maybe"})
    assert Settings().wait_minutes is None
    assert Settings.from_env({"KL_CONTACT_WEB_WAIT_MINUTES": "12"}).wait_minutes == 12
    for wrong in ("-1", "10081", "soon"):
        with pytest.raises(ValueError, match="KL_CONTACT_WEB_WAIT_MINUTES"):
            Settings.from_env({"KL_CONTACT_WEB_WAIT_MINUTES": wrong})


def test_the_default_database_is_a_file_beside_the_example() -> None:
    assert Settings().database_url.startswith("sqlite:///")
    assert Path(Settings().database_url.removeprefix("sqlite:///")).is_relative_to(EXAMPLE)


def _tampered(document: dict[str, Any], how: str) -> dict[str, Any]:
    if how == "mistyped":
        return {**document, "answers": "not an object"}
    if how == "unknown field":
        return {**document, "is_admin": True}
    if how == "unknown step":
        return {**document, "step": "no-such-step"}
    return {k: v for k, v in document.items() if k != "step"}  # a field missing


@pytest.mark.parametrize("how", ["mistyped", "unknown field", "unknown step", "missing field"])
def test_a_session_altered_in_the_database_is_refused_and_left_as_it_is(
    api: FlaskApi, host: Host, how: str
) -> None:
    """The host trusts its own rows enough to skip the schema, never enough to read a broken
    one: it is still read strictly and must fit the workflow."""
    status, started = api.post("/api/sessions", {"locale": "en"})
    assert status == 201
    sid = started["session_id"]
    stored = host.storage.session(sid)
    altered = host.storage.save_session(
        sid, _tampered(stored.document, how), stored.version, now=host.wall_clock()
    )
    status, refused = send(api, {**started, "version": altered.version}, {"type": "continue"})
    assert status == 500
    assert refused["error"]["code"] == "session.unreadable"
    assert api.get(f"/api/sessions/{sid}")[0] == 500
    after = host.storage.session(sid)
    assert (after.version, after.document) == (altered.version, altered.document)


def _depth(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + max(map(_depth, node.values()), default=0)
    if isinstance(node, list):
        return 1 + max(map(_depth, node), default=0)
    return 0


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\x:', max_size=4), inner, max_size=3)
    ),
    max_leaves=25,
)


@given(json_documents, st.integers(min_value=1, max_value=10), st.booleans())
def test_the_nesting_check_agrees_with_the_depth_of_the_parsed_document(
    document: Any, limit: int, ascii_only: bool
) -> None:
    """Brackets inside strings, escaped quotes and backslashes never fool it."""
    raw = json.dumps(document, ensure_ascii=ascii_only).encode()
    assert nesting_depth_over(raw, limit) == (_depth(document) > limit)


def test_an_unbalanced_pile_of_brackets_is_too_deep_without_being_parsed() -> None:
    assert nesting_depth_over(b"[" * 100_000, 32)
    assert nesting_depth_over(b"]" * 10 + b"[" * 40, 32)
    assert not nesting_depth_over(b"]]]" + b"[" * 3, 32)
