"""The web host with Request Tracker behind it: one real RT 5 for the run (see conftest).

Every walk goes through the host's HTTP API (Flask's test client) as the page would, uploads a
screenshot first, and checks what the engineers get in RT through REST2: one ticket with the
custom fields, the content and the screenshot's exact bytes, numbered as the user was told.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from web.conftest import EXAMPLE, OFFICE_HOURS, ROOT, MailSink, RtServer, need, need_module
from web.walks import FlaskApi, script, send, walk

need_module("flask")
httpx = need_module("httpx")

from kl_contact_web.app import create_app  # noqa: E402
from kl_contact_web.host import Host  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402

from kl_contact import find_request_number, idempotency_key, load_ticket, load_workflow  # noqa: E402
from kl_contact.schemas import violations  # noqa: E402

DEFAULT_WORKFLOW_PATH = ROOT / "src" / "kl_contact" / "definition" / "default_workflow.yaml"

SUPPORT = "support@kl-contact.test"
MAILGATE_ACTION = ("--action", "correspond")
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\x00\xff" * 64 + os.urandom(512)
"""A screenshot's bytes: every byte value, so that any re-encoding on the way shows."""


@pytest.fixture(scope="module")
def workflow_file(tmp_path_factory: pytest.TempPathFactory, rt_server: RtServer) -> Path:
    """The default workflow, its request numbers made of RT's ids and tagged the RT way."""
    text = DEFAULT_WORKFLOW_PATH.read_text(encoding="utf-8")
    assert "\nrequests:" not in text
    text += f'\nrequests:\n  number: "KL-{{id}}"\n  subject_tag: "[{rt_server.name} #{{id}}]"\n'
    path = tmp_path_factory.mktemp("workflow") / "rt-workflow.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rt_settings(
    tmp_path: Path, rt_server: RtServer, workflow_file: Path, smtp_port: int, **more: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'contact.sqlite3'}",
        "smtp_port": smtp_port,
        "support_email": SUPPORT,
        "mail_from": f"Support <{SUPPORT}>",
        "fixed_time": OFFICE_HOURS,
        "workflow": str(workflow_file),
        "rt_url": rt_server.url,
        "rt_token": rt_server.token,
        "rt_queue": "General",
        "rt_timeout": 10.0,
        **more,
    }
    return Settings(**values)


@pytest.fixture
def host(tmp_path: Path, rt_server: RtServer, workflow_file: Path, mail_sink: MailSink) -> Host:
    return Host(rt_settings(tmp_path, rt_server, workflow_file, mail_sink.port))


@pytest.fixture
def api(host: Host) -> FlaskApi:
    return FlaskApi(create_app(host=host))


def upload(api: FlaskApi, session_id: str, name: str, content: bytes) -> dict[str, Any]:
    reply = api.client.post(
        f"/api/sessions/{session_id}/files?name={name}",
        data=content,
        headers={"Content-Type": "image/png"},
    )
    assert reply.status_code == 201, reply.get_json()
    attachment: dict[str, Any] = reply.get_json()
    return attachment


def start_with_screenshot(api: FlaskApi, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh session and the plan for ``path`` whose screenshot was uploaded to it."""
    plan = script(path)
    status, first = api.post("/api/sessions", {"locale": plan["locale"]})
    assert status == 201
    attachment = upload(api, first["session_id"], f"{path}-error.png", SCREENSHOT)
    plan = {**plan, "answers": {**plan["answers"], "screenshots": [attachment]}}
    return plan, first


def tickets_with(rt: RtServer, field: str, value: str) -> list[str]:
    found = rt.rest("GET", "tickets", params={"query": f"CF.{{{field}}} = '{value}'"})
    return [item["id"] for item in found["items"]]


def custom_fields(document: dict[str, Any]) -> dict[str, list[str]]:
    return {cf["name"]: cf["values"] for cf in document["CustomFields"]}


@pytest.mark.parametrize("path", ["email", "chat", "phone"])
def test_each_channel_creates_one_rt_ticket_with_its_fields_content_and_screenshot(
    api: FlaskApi, rt_server: RtServer, mail_sink: MailSink, path: str
) -> None:
    plan, first = start_with_screenshot(api, path)
    replies = walk(api, plan, resume=first)
    confirmation = replies[-1]["view"]["confirmation"]
    number = confirmation["request_number"]
    assert number.startswith("KL-")
    ticket_id = number.removeprefix("KL-")

    ticket = rt_server.rest("GET", f"ticket/{ticket_id}")
    assert ticket["Subject"] == plan["answers"]["subject"]
    assert [r["id"] for r in ticket["Requestor"]] == [plan["answers"]["email"]]
    fields = custom_fields(ticket)
    assert fields["Product"] == [plan["answers"]["product"]]
    assert fields["Platform"] == [plan["answers"]["platform"]]
    assert fields["Category"] == [plan["answers"]["category"]]
    assert fields["Channel"] == [plan["channel"]]
    assert fields["Locale"] == [plan["locale"]]
    assert tickets_with(rt_server, "Submission", fields["Submission"][0]) == [ticket_id]

    parts = rt_server.rest(
        "GET", f"ticket/{ticket_id}/attachments", params={"fields": "Filename,ContentType"}
    )["items"]
    text = next(p for p in parts if p["ContentType"] == "text/plain" and not p["Filename"])
    content = rt_server.rest("GET", f"attachment/{text['id']}")
    body = base64.b64decode(content["Content"]).decode("utf-8")
    assert " ".join(plan["answers"]["description"].split()) in " ".join(body.split())
    shots = [p for p in parts if p["Filename"] == f"{path}-error.png"]
    assert len(shots) == 1
    shot = rt_server.rest("GET", f"attachment/{shots[0]['id']}")
    assert shot["ContentType"] == "image/png"
    assert base64.b64decode(shot["Content"]) == SCREENSHOT

    # the registration e-mail comes from the host, tagged for RT; RT sent no autoreply
    (_, letter), *_ = mail_sink.wait(1)
    assert f"[{rt_server.name} #{ticket_id}]" in letter["Subject"]
    assert number in letter["Subject"]
    autoreplies = [p for p in rt_server.outbox() if f"#{ticket_id}]" in p.read_text("latin-1")]
    assert autoreplies == []


def test_two_racing_submits_create_one_ticket(host: Host, rt_server: RtServer) -> None:
    app = create_app(host=host)
    api = FlaskApi(app)
    plan, first = start_with_screenshot(api, "email")
    before = walk(api, plan, resume=first, until="request")[-1]
    own = {q["id"] for q in before["view"]["questions"]}
    event = {"type": "send", "answers": {k: v for k, v in plan["answers"].items() if k in own}}
    gate = threading.Barrier(2)
    results: list[tuple[int, dict[str, Any]]] = []

    def submit() -> None:
        racer = api.tab(before["session_id"])
        gate.wait()
        results.append(send(racer, before, event))

    racers = [threading.Thread(target=submit) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409]  # one confirmed, the other told the session moved on
    numbers = {
        body["view"]["confirmation"]["request_number"]
        for _, body in results
        if body["view"]["kind"] == "confirmation"
    }
    assert len(numbers) == 1
    ticket_id = numbers.pop().removeprefix("KL-")
    key = custom_fields(rt_server.rest("GET", f"ticket/{ticket_id}"))["Submission"][0]
    assert tickets_with(rt_server, "Submission", key) == [ticket_id]


class AnswerTooLate(httpx.Client):  # type: ignore[misc,name-defined]
    """An HTTP client that gives up on RT's answer to a create: RT has it all the same."""

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        if method == "POST":
            kwargs["timeout"] = httpx.Timeout(10.0, read=0.001)
        return super().request(method, url, **kwargs)


def test_a_retry_after_a_timeout_creates_one_ticket(
    tmp_path: Path, rt_server: RtServer, workflow_file: Path, mail_sink: MailSink
) -> None:
    settings = rt_settings(tmp_path, rt_server, workflow_file, mail_sink.port)
    slow = Host(settings)
    slow.helpdesk.client = AnswerTooLate(  # type: ignore[union-attr]
        base_url=f"{rt_server.url}/REST/2.0/",
        headers={"Authorization": f"token {rt_server.token}"},
    )
    slow.helpdesk.lease = 1.0  # type: ignore[union-attr]
    api = FlaskApi(create_app(host=slow))
    plan, first = start_with_screenshot(api, "chat")
    request = walk(api, plan, resume=first, until="request")[-1]
    answers = {q["id"]: plan["answers"][q["id"]] for q in request["view"]["questions"]}
    answers = {k: v for k, v in answers.items() if k in plan["answers"]}
    status, refused = send(api, request, {"type": "send", "answers": answers})
    assert status == 200
    view = refused["view"]
    assert view["kind"] == "request"
    assert [i["code"] for i in view["issues"]] == ["ticket.rejected"]
    kept = {q["id"]: q.get("value") for q in view["questions"]}
    assert kept == answers  # everything typed is still there, the screenshot too

    # RT made the ticket although the host never heard of it
    document = slow.storage.session(refused["session_id"]).document
    key = idempotency_key(load_ticket(document["submission"]["ticket"]))
    deadline = time.monotonic() + 20
    while not (made := tickets_with(rt_server, "Submission", key)):
        assert time.monotonic() < deadline, "RT did not create the ticket"
        time.sleep(0.2)

    retry = Host(settings)  # another worker, the same database, a patient client
    again = api.tab(refused["session_id"], create_app(host=retry))
    status, confirmed = send(again, refused, {"type": "send", "answers": answers})
    assert status == 200, confirmed
    number = confirmed["view"]["confirmation"]["request_number"]
    assert made == [number.removeprefix("KL-")]
    assert tickets_with(rt_server, "Submission", key) == made


def test_rt_stopped_mid_walk_gives_a_retry_and_keeps_everything(
    api: FlaskApi, host: Host, rt_server: RtServer
) -> None:
    plan, first = start_with_screenshot(api, "phone")
    request = walk(api, plan, resume=first, until="request")[-1]
    own = {q["id"] for q in request["view"]["questions"]}
    answers = {k: v for k, v in plan["answers"].items() if k in own}
    rt_server.stop()
    try:
        status, refused = send(api, request, {"type": "send", "answers": answers})
    finally:
        rt_server.start()
    assert status == 200
    view = refused["view"]
    assert view["kind"] == "request"
    assert [(i["code"], i["params"]) for i in view["issues"]] == [
        ("ticket.rejected", {"reason": "unavailable"})
    ]
    assert {q["id"]: q.get("value") for q in view["questions"]} == answers
    assert "send" in {a["type"] for a in view["actions"]}

    status, confirmed = send(api, refused, {"type": "send", "answers": answers})
    assert status == 200, confirmed
    ticket_id = confirmed["view"]["confirmation"]["request_number"].removeprefix("KL-")
    key = custom_fields(rt_server.rest("GET", f"ticket/{ticket_id}"))["Submission"][0]
    assert tickets_with(rt_server, "Submission", key) == [ticket_id]


def reply_to(letter: EmailMessage, text: str) -> EmailMessage:
    """What a user's mail program sends when they answer ``letter``."""
    reply = EmailMessage()
    reply["From"] = str(letter["To"])
    reply["To"] = str(letter["Reply-To"])
    reply["Subject"] = "Re: " + str(letter["Subject"])
    reply["In-Reply-To"] = str(letter["Message-ID"])
    reply["References"] = str(letter["Message-ID"])
    reply["Message-ID"] = f"<{secrets.token_hex(8)}@example.org>"
    reply.set_content(text)
    return reply


def history(rt: RtServer, ticket_id: str) -> list[dict[str, Any]]:
    fields = {"fields": "Type,Creator,Created", "per_page": "100"}
    items: list[dict[str, Any]] = rt.rest("GET", f"ticket/{ticket_id}/history", params=fields)[
        "items"
    ]
    return items


def test_a_reply_to_the_registration_email_is_correspondence_in_the_ticket(
    api: FlaskApi, rt_server: RtServer, mail_sink: MailSink, workflow_file: Path
) -> None:
    plan, first = start_with_screenshot(api, "email")
    number = walk(api, plan, resume=first)[-1]["view"]["confirmation"]["request_number"]
    ticket_id = number.removeprefix("KL-")
    (_, letter), *_ = mail_sink.wait(1)
    reply = reply_to(letter, "The code was bought in the online shop, order 4711.")
    assert find_request_number(reply, requests=load_workflow(workflow_file).requests) == number

    need(shutil.which("rt-mailgate-5") is not None, "rt-mailgate-5 is not installed (rt5-clients)")
    gate = subprocess.run(
        ["rt-mailgate-5", "--url", f"{rt_server.url}/", "--queue", "General", *MAILGATE_ACTION],
        input=reply.as_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert gate.returncode == 0, gate.stderr
    user = plan["answers"]["email"]
    said = [t for t in history(rt_server, ticket_id) if t["Type"] == "Correspond"]
    assert [t["Creator"]["id"] for t in said] == [user]
    assert (
        len(rt_server.rest("GET", "tickets", params={"query": f"Requestor = '{user}'"})["items"])
        >= 1
    )


def test_a_follow_up_lookup_answers_from_rt_and_added_information_is_correspondence(
    api: FlaskApi, rt_server: RtServer
) -> None:
    plan, first = start_with_screenshot(api, "chat")
    number = walk(api, plan, resume=first)[-1]["view"]["confirmation"]["request_number"]
    ticket_id = number.removeprefix("KL-")
    email = plan["answers"]["email"]
    asked = {"request_number": number, "email": email.upper()}

    status, found = api.post("/api/requests/status", asked)
    assert status == 200, found
    assert found["request_number"] == number
    assert found["state"] == "open"
    assert found["last_reply_at"] is None
    assert list(violations("request_status", found)) == []

    engineer = {"Content": "Please send the log file.", "ContentType": "text/plain"}
    rt_server.rest("POST", f"ticket/{ticket_id}/correspond", json=engineer)
    status, found = api.post("/api/requests/status", asked)
    assert found["state"] == "waiting_for_you"
    assert list(violations("request_status", found)) == []
    replied = [t for t in history(rt_server, ticket_id) if t["Type"] == "Correspond"][-1]
    assert found["last_reply_at"].replace("+00:00", "Z") == replied["Created"]

    added = {**asked, "text": "Here is what the log says: error 0x80070005."}
    status, body = api.post("/api/requests/information", added)
    assert status == 201, body
    last = [t for t in history(rt_server, ticket_id) if t["Type"] == "Correspond"][-1]
    parts = rt_server.rest("GET", f"transaction/{last['id']}/attachments")["items"]
    texts = [rt_server.rest("GET", f"attachment/{p['id']}")["Content"] for p in parts]
    assert any(b"error 0x80070005" in base64.b64decode(t) for t in texts)

    rt_server.rest("PUT", f"ticket/{ticket_id}", json={"Status": "resolved"})
    assert api.post("/api/requests/status", asked)[1]["state"] == "solved"
    rt_server.rest("PUT", f"ticket/{ticket_id}", json={"Status": "rejected"})
    assert api.post("/api/requests/status", asked)[1]["state"] == "closed"

    stranger = {"request_number": number, "email": "someone.else@example.org"}
    assert api.post("/api/requests/status", stranger)[0] == 404
    unknown = {"request_number": "KL-999999", "email": email}
    assert api.post("/api/requests/status", unknown)[0] == 404
    assert api.post("/api/requests/information", {**stranger, "text": "hi"})[0] == 404


def test_a_follow_up_through_the_page_reaches_rt(api: FlaskApi, rt_server: RtServer) -> None:
    """The follow-up step's effects: RT's status in the view, the addition as
    correspondence, and a solved ticket reopened."""
    plan, first = start_with_screenshot(api, "email")
    number = walk(api, plan, resume=first)[-1]["view"]["confirmation"]["request_number"]
    ticket_id = number.removeprefix("KL-")
    email = plan["answers"]["email"]
    engineer = {"Content": "Please send the log file.", "ContentType": "text/plain"}
    rt_server.rest("POST", f"ticket/{ticket_id}/correspond", json=engineer)

    def follow_up() -> dict[str, Any]:
        status, reply = api.post("/api/sessions", {"locale": "en"})
        assert status == 201
        reply = send(api, reply, {"type": "continue"})[1]
        reply = send(api, reply, {"type": "follow_up"})[1]
        answers = {"follow_up_number": number, "follow_up_email": email}
        status, reply = send(api, reply, {"type": "find_request", "answers": answers})
        assert status == 200, reply
        assert list(violations("view", reply["view"])) == []
        return reply

    found = follow_up()
    assert found["view"]["follow_up"]["request"]["state"] == "waiting_for_you"
    text = "The log says error 0x80070005."
    added = send(api, found, {"type": "add_information", "answers": {"follow_up_text": text}})
    assert added[1]["view"]["follow_up"]["status"] == "added"
    last = [t for t in history(rt_server, ticket_id) if t["Type"] == "Correspond"][-1]
    parts = rt_server.rest("GET", f"transaction/{last['id']}/attachments")["items"]
    texts = [rt_server.rest("GET", f"attachment/{p['id']}")["Content"] for p in parts]
    assert any(b"0x80070005" in base64.b64decode(t) for t in texts)

    rt_server.rest("PUT", f"ticket/{ticket_id}", json={"Status": "resolved"})
    solved = follow_up()
    assert solved["view"]["follow_up"]["can_reopen"] is True
    reopened = send(api, solved, {"type": "reopen"})[1]
    assert reopened["view"]["follow_up"]["status"] == "reopened"
    assert rt_server.rest("GET", f"ticket/{ticket_id}")["Status"] == "open"


def autoreply(rt: RtServer, state: str) -> None:
    switch = subprocess.run(
        [str(EXAMPLE / "rt" / "rt-autoreply"), str(rt.folder), state],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert switch.returncode == 0, switch.stderr


def test_rts_autoreply_can_be_the_registration_email_instead_never_beside_it(
    tmp_path: Path, rt_server: RtServer, workflow_file: Path, mail_sink: MailSink
) -> None:
    settings = rt_settings(tmp_path, rt_server, workflow_file, mail_sink.port, rt_autoreply="rt")
    api = FlaskApi(create_app(host=Host(settings)))
    autoreply(rt_server, "on")
    try:
        plan, first = start_with_screenshot(api, "email")
        number = walk(api, plan, resume=first)[-1]["view"]["confirmation"]["request_number"]
    finally:
        autoreply(rt_server, "off")
    tag = f"[{rt_server.name} #{number.removeprefix('KL-')}]"
    letters = [p.read_text("latin-1") for p in rt_server.outbox()]
    mine = [text for text in letters if tag in text]
    assert len(mine) == 1
    assert f"Subject: {tag} AutoReply:" in mine[0]
    assert f"To: {plan['answers']['email']}" in mine[0]
    assert mail_sink.letters == []  # the host sent none
