"""The host's RT client when RT misbehaves, without a server: httpx's mock transport answers.

The tests against a real RT (test_rt.py) show the paths RT takes; these show the answers RT
gives rarely (errors, refusals, documents it should not send) and a claim another worker
never finishes, each ending in the typed "try again" with nothing created twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from web.conftest import need_module

need_module("flask")
httpx = need_module("httpx")

from kl_contact_web.helpdesk import HelpdeskUnavailable, RtHelpdesk, UnknownRequest  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402
from kl_contact_web.storage import Storage  # noqa: E402

from conftest import walk  # noqa: E402
from kl_contact import (  # noqa: E402
    Engine,
    default_workflow,
    dump_transition,
    idempotency_key,
    load_ticket,
)


class FakeRt:
    """Answers REST2 calls from a script: ``answers`` maps "METHOD path" to (status, body)."""

    def __init__(self, answers: dict[str, tuple[int, Any]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, Any]] = []

    def __call__(self, request: Any) -> Any:
        path = request.url.path.removeprefix("/REST/2.0/")
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, path, body))
        answer = self.answers.get(f"{request.method} {path}")
        if answer is None:
            return httpx.Response(404, json={"message": "not found"})
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer[0], json=answer[1])


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    store = Storage(f"sqlite:///{tmp_path / 'contact.sqlite3'}")
    store.create_schema()
    return store


def helpdesk(storage: Storage, rt: FakeRt, **settings: Any) -> RtHelpdesk:
    config = Settings(rt_url="http://rt.invalid", rt_token="1-2-3", rt_timeout=0.2, **settings)
    client = httpx.Client(base_url="http://rt.invalid/REST/2.0/", transport=httpx.MockTransport(rt))
    return RtHelpdesk(config, storage, default_workflow(), client=client, sleep=lambda _: None)


def submit_effect() -> dict[str, Any]:
    engine = Engine(default_workflow())
    effects = [e for t in walk(engine, "email", "en") for e in dump_transition(t)["effects"]]
    (effect,) = [e for e in effects if e["type"] == "submit_ticket"]
    document: dict[str, Any] = effect
    return document


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"message": "Internal Server Error"}),
        (401, {"message": "Unauthorized"}),
        (429, {"message": "slow down"}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_a_search_that_fails_is_a_retry_and_frees_the_claim(storage: Storage, answer: Any) -> None:
    rt = FakeRt({"GET tickets": answer})
    effect = submit_effect()
    event = helpdesk(storage, rt).submit(effect)
    assert event == {
        "type": "ticket_rejected",
        "submission_id": effect["submission_id"],
        "code": "unavailable",
    }
    assert [(m, p) for m, p, _ in rt.calls] == [("GET", "tickets")]  # nothing created
    key = idempotency_key(load_ticket(effect["ticket"]))
    assert storage.claim_submission(key, 10).state == "mine"  # free for the next attempt


def test_a_create_that_fails_keeps_the_claim_so_a_retry_cannot_race_it(storage: Storage) -> None:
    rt = FakeRt({"GET tickets": (200, {"items": []}), "POST ticket": httpx.ReadTimeout("slow")})
    effect = submit_effect()
    assert helpdesk(storage, rt).submit(effect)["type"] == "ticket_rejected"
    assert (
        storage.claim_submission(idempotency_key(load_ticket(effect["ticket"])), 10).state == "busy"
    )
    again = helpdesk(storage, rt).submit(effect)  # waits (no sleep here), then gives up
    assert again["type"] == "ticket_rejected"
    assert [m for m, _, _ in rt.calls].count("POST") == 1


def test_an_answer_rt_should_not_give_is_a_retry(storage: Storage) -> None:
    rt = FakeRt({"GET tickets": (200, {"items": []}), "POST ticket": (200, {"id": "x"})})
    assert helpdesk(storage, rt).submit(submit_effect())["type"] == "ticket_rejected"


def test_a_ticket_found_by_its_key_is_not_created_again(storage: Storage) -> None:
    rt = FakeRt({"GET tickets": (200, {"items": [{"id": "41"}, {"id": "40"}]})})
    effect = submit_effect()
    event = helpdesk(storage, rt).submit(effect)
    assert event["type"] == "ticket_accepted"
    assert event["receipt"]["request_number"] == "40"
    assert [m for m, _, _ in rt.calls] == ["GET"]
    assert helpdesk(storage, FakeRt({})).submit(effect)["receipt"]["request_number"] == "40"


def test_files_only_described_are_listed_not_attached(storage: Storage) -> None:
    rt = FakeRt({"GET tickets": (200, {"items": []}), "POST ticket": (201, {"id": "7"})})
    effect = submit_effect()
    described = {"name": "activation-error.png", "media_type": "image/png", "size": 9}
    uploaded_elsewhere = {**described, "name": "other.png", "digest": "sha256:" + "0" * 64}
    effect["ticket"]["attachments"] = [described, uploaded_elsewhere]
    event = helpdesk(storage, rt).submit(effect)
    assert event["receipt"]["request_number"] == "7"
    created = rt.calls[-1][2]
    assert "Attachments" not in created  # neither file's bytes were uploaded to this host
    assert "Files: activation-error.png, other.png" in created["Content"]


def test_a_request_is_only_shown_to_its_requestor(storage: Storage) -> None:
    ticket = {"Status": "stalled", "Requestor": [{"id": "sam@example.org"}]}
    rt = FakeRt({"GET ticket/5": (200, ticket), "GET ticket/5/history": (200, {"items": []})})
    desk = helpdesk(storage, rt)
    assert desk.status("5", " Sam@Example.org ").state.value == "waiting_for_you"
    for number, email in [("5", "eve@example.org"), ("6", "sam@example.org"), ("x", "a@b")]:
        with pytest.raises(UnknownRequest):
            desk.status(number, email)
    broken = FakeRt({"GET ticket/5": (200, ticket), "GET ticket/5/history": (200, ["?"])})
    with pytest.raises(HelpdeskUnavailable):
        helpdesk(storage, broken).status("5", "sam@example.org")


def test_the_token_never_shows(storage: Storage) -> None:
    desk = helpdesk(storage, FakeRt({}))
    assert "1-2-3" not in repr(desk) + repr(desk.settings)


def test_rt_needs_an_address_and_a_token(storage: Storage) -> None:
    with pytest.raises(ValueError, match="RT_TOKEN"):
        RtHelpdesk(Settings(rt_url="http://rt.invalid"), storage, default_workflow())
    with pytest.raises(ValueError, match="RT_AUTOREPLY"):
        Settings.from_env({"KL_CONTACT_WEB_RT_AUTOREPLY": "both"})
