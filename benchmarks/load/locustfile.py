"""The users of `make load`: each walks whole contact sessions through the host's HTTP API.

A user starts a session, answers what each step shows with one of the demo's scripts (every
channel, in both locales, taken in turn), and goes on to the confirmation. Each event goes
to the next worker in ``KL_LOAD_WORKERS`` (space-separated base addresses), so a session
continues on any worker. Users never share a session. Each confirmed session is written as
one JSON line to ``KL_LOAD_RECORD`` (its id, what was sent, the request number shown), for
the runner to check against the database and the letters afterwards.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from web.walks import next_event, script, scripted

JSON = dict[str, Any]

WORKERS = os.environ.get("KL_LOAD_WORKERS", "http://127.0.0.1:8000").split()
RECORD = os.environ.get("KL_LOAD_RECORD", "load-sessions.jsonl")
PLANS = [
    {**script(channel), "locale": locale}
    for channel in ("email", "chat", "phone")
    for locale in ("en", "ru")
]
_turns = itertools.count()


class ContactUser(HttpUser):
    """One person after another at the contact page, with no pause between clicks."""

    host = WORKERS[0]

    def _post(self, path: str, body: JSON, name: str) -> JSON | None:
        base = WORKERS[next(_turns) % len(WORKERS)]
        with self.client.post(base + path, json=body, name=name, catch_response=True) as reply:
            if reply.status_code not in (200, 201):
                reply.failure(f"HTTP {reply.status_code}")
                return None
            document: JSON = reply.json()
            if document["view"]["issues"] and any(
                issue["severity"] == "error" for issue in document["view"]["issues"]
            ):
                reply.failure("the view shows an error")
                return None
            return document

    @task
    def walk(self) -> None:
        plan = copy.deepcopy(PLANS[next(_turns) % len(PLANS)])
        plan["answers"]["email"] = f"load-{uuid.uuid4().hex}@example.com"
        reply = self._post("/api/sessions", {"locale": plan["locale"]}, "start")
        sent: JSON = {}
        for _ in range(30):
            if reply is None:
                return
            view = reply["view"]
            if view["kind"] == "confirmation":
                break
            given = scripted(view, plan)
            path = f"/api/sessions/{reply['session_id']}/events"
            if "answer" in {a["type"] for a in view["actions"]} and given:
                answered = self._post(
                    path,
                    {"version": reply["version"], "event": {"type": "answer", "answers": given}},
                    "answer",
                )
                if answered is None:
                    return
                reply = answered
                if scripted(reply["view"], plan).keys() != given.keys():
                    continue  # more questions appeared: answer those too
            event = next_event(reply["view"], plan)
            sent.update(event.get("answers", {}))
            reply = self._post(path, {"version": reply["version"], "event": event}, event["type"])
        else:
            return
        if reply is None:
            return
        line = {
            "session_id": reply["session_id"],
            "channel": plan["channel"],
            "locale": plan["locale"],
            "request_number": reply["view"]["confirmation"]["request_number"],
            "sent": sent,
        }
        with open(RECORD, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
