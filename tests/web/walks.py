"""Walking the web host's JSON API the way the page does, with the demo's answer scripts.

The scripts are the ones ``kl-contact demo`` ships (e-mail, chat, phone, an article that
helps, and a call back booked while the phone line is closed), so the web host is checked on
the same paths as the command line.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from kl_contact.cli.demo import load_script
from kl_contact.schemas import violations

JSON = dict[str, Any]

PATHS = ("email", "chat", "phone", "helped")


class Api(Protocol):
    """Something that sends JSON to the host and returns (status, JSON body)."""

    def get(self, path: str) -> tuple[int, JSON]: ...
    def post(self, path: str, body: Any) -> tuple[int, JSON]: ...


class FlaskApi:
    """The host in this process, through Flask's test client."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def get(self, path: str) -> tuple[int, JSON]:
        reply = self.client.get(path)
        return reply.status_code, reply.get_json()

    def tab(self, session_id: str, app: Any = None) -> FlaskApi:
        """Another client of the same browser for ``session_id`` (of ``app``, another
        worker, when given): it holds that session's capability cookie."""
        other = FlaskApi(app if app is not None else self.client.application)
        path = f"/api/sessions/{session_id}"
        cookie = self.client.get_cookie("kl_contact_owner", path=path)
        assert cookie is not None, "this client does not own the session"
        other.client.set_cookie("kl_contact_owner", cookie.value, path=path, httponly=True)
        return other

    def post(self, path: str, body: Any) -> tuple[int, JSON]:
        reply = self.client.post(path, json=body)
        return reply.status_code, reply.get_json()


class HttpApi:
    """A worker process over real HTTP on loopback, with a client's cookie jar.

    Give two of them the same ``jar`` to be one client talking to two workers; a fresh jar
    is another client, who holds no session's capability.
    """

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _send(self, request: urllib.request.Request) -> tuple[int, JSON]:
        try:
            with self._opener.open(request, timeout=30) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def get(self, path: str) -> tuple[int, JSON]:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, body: Any) -> tuple[int, JSON]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        return self._send(urllib.request.Request(self.base + path, data, headers))


def script(path: str) -> JSON:
    """The answers of one demo path: ``locale``, ``channel``, ``articles`` and ``answers``."""
    return load_script(path)


def scripted(view: JSON, plan: JSON) -> JSON:
    """The planned answers to the questions ``view`` shows."""
    own = {q["id"] for q in view["questions"]}
    return {qid: value for qid, value in plan["answers"].items() if qid in own}


def next_event(view: JSON, plan: JSON) -> JSON:
    """The event a user following ``plan`` sends on ``view`` to leave it."""
    kind = view["kind"]
    if kind == "self_service":
        return {"type": "continue"}
    if kind == "channel_choice":
        shown = next(c for c in view["channels"] if c["id"] == plan["channel"])
        if plan.get("callback") and shown.get("callback"):
            slots = shown["callback"]["slots"]
            slot = slots[min(plan["callback"], len(slots)) - 1]["id"]
            return {"type": "request_callback", "channel": plan["channel"], "slot": slot}
        return {"type": "choose_channel", "channel": plan["channel"]}
    if kind == "questions":
        return {"type": "next", "answers": scripted(view, plan)}
    if kind == "articles":
        matches = view["articles"]["matches"]
        if plan.get("articles") == "helped" and matches:
            return {"type": "article_helped", "article_id": matches[0]["id"]}
        return {"type": "escalate"}
    if kind == "request":
        return {"type": "send", "answers": scripted(view, plan)}
    raise AssertionError(f"nothing to send on a {kind} view")


def send(api: Api, reply: JSON, event: JSON) -> tuple[int, JSON]:
    """Post ``event`` at the version of ``reply``."""
    path = f"/api/sessions/{reply['session_id']}/events"
    return api.post(path, {"version": reply["version"], "event": event})


def walk(
    api: Api, plan: JSON, *, until: str | None = None, resume: JSON | None = None
) -> list[JSON]:
    """Every reply from the start to the end of the path (or to the first ``until`` view).

    Like a person at the page, it answers what a step shows and answers again while new
    questions appear (options and questions may depend on earlier answers), then moves on.
    ``resume`` continues from an earlier reply instead of starting a session.
    """
    if resume is None:
        status, reply = api.post("/api/sessions", {"locale": plan["locale"]})
        assert status == 201, reply
    else:
        reply = resume
    replies = [reply]
    for _ in range(30):
        view = reply["view"]
        if view["kind"] in {"confirmation", "resolved"} or view["kind"] == until:
            return replies
        given = scripted(view, plan)
        if "answer" in {a["type"] for a in view["actions"]} and given:
            status, reply = send(api, reply, {"type": "answer", "answers": given})
            assert status == 200, reply
            if scripted(reply["view"], plan).keys() != given.keys():
                replies.append(reply)
                continue  # the answers revealed more questions: answer those too
        status, reply = send(api, reply, next_event(reply["view"], plan))
        assert status == 200, reply
        assert not [i for i in reply["view"]["issues"] if i["severity"] == "error"], reply
        assert not list(violations("view", reply["view"]))
        replies.append(reply)
    raise AssertionError("the walk did not end")
