"""The web host's follow-up: a registered request looked up, added to and reopened over HTTP.

SQLite always; PostgreSQL when $KL_CONTACT_TEST_POSTGRES_URL names a server (the
``database_url`` fixture). Request Tracker's side runs in tests/web/test_rt.py's server when
RT is installed (``test_a_follow_up_through_the_page_reaches_rt``).
"""

from __future__ import annotations

from typing import Any

import pytest

from web.conftest import MailSink, need_module
from web.test_host import make_settings
from web.walks import FlaskApi, script, send, walk

need_module("flask")

from kl_contact_web.app import create_app  # noqa: E402
from kl_contact_web.follow_up_effects import FollowUpEffects  # noqa: E402
from kl_contact_web.host import Host  # noqa: E402

from kl_contact import AddToRequest, LookUpRequest, ReopenRequest  # noqa: E402
from kl_contact.schemas import violations  # noqa: E402

JSON = dict[str, Any]


@pytest.fixture
def host(database_url: str, mail_sink: MailSink) -> Host:
    return Host(make_settings(database_url, mail_sink.port))


@pytest.fixture
def api(host: Host) -> FlaskApi:
    return FlaskApi(create_app(host=host))


def registered(api: FlaskApi) -> tuple[str, str]:
    """A request filed through the page: its number and the address it was filed with."""
    plan = script("email")
    number = walk(api, plan)[-1]["view"]["confirmation"]["request_number"]
    return number, plan["answers"]["email"]


def on_follow_up(api: FlaskApi) -> JSON:
    status, reply = api.post("/api/sessions", {"locale": "en"})
    assert status == 201, reply
    status, reply = send(api, reply, {"type": "continue"})
    assert "follow_up" in [a["type"] for a in reply["view"]["actions"]]
    status, reply = send(api, reply, {"type": "follow_up"})
    assert status == 200, reply
    assert reply["view"]["kind"] == "follow_up"
    return reply


def find(api: FlaskApi, reply: JSON, number: str, email: str) -> JSON:
    answers = {"follow_up_number": number, "follow_up_email": email}
    status, found = send(api, reply, {"type": "find_request", "answers": answers})
    assert status == 200, found
    assert list(violations("view", found["view"])) == []
    return found


def test_a_registered_request_is_found_added_to_and_kept_once(api: FlaskApi, host: Host) -> None:
    number, email = registered(api)
    found = find(api, on_follow_up(api), number, email.upper())
    follow_up = found["view"]["follow_up"]
    assert follow_up["status"] == "found"
    assert follow_up["request"]["request_number"] == number
    assert follow_up["request"]["state"] == "open"
    assert follow_up["request"]["last_reply_at"] is None
    assert follow_up["can_add"] is True
    text = "The scan still stops at 40 % after the update."
    event = {"type": "add_information", "answers": {"follow_up_text": text}}
    status, done = send(api, found, event)
    assert status == 200, done
    assert (done["view"]["kind"], done["view"]["status"]) == ("resolved", "resolved")
    assert done["view"]["follow_up"]["status"] == "added"
    [addition] = host.storage.additions(number)
    assert (addition.kind, addition.text) == ("added", text)
    assert text not in repr(addition)
    # the same effect performed again (a retried request) is kept once
    effects = FollowUpEffects(host.storage, None, done["session_id"])
    effect = AddToRequest(addition.addition_id, number, email, text)
    effects.update(effect)
    assert len(host.storage.additions(number)) == 1


def test_a_wrong_address_and_an_unknown_number_get_the_same_answer(api: FlaskApi) -> None:
    number, email = registered(api)
    reply = on_follow_up(api)
    stranger = find(api, reply, number, "someone.else@example.org")
    unknown = find(api, stranger, "WEB-999999", email)
    for answer in (stranger, unknown):
        assert [i["code"] for i in answer["view"]["issues"]] == ["follow_up.not_found"]
        assert answer["view"]["follow_up"]["request"] is None
    assert unknown["view"]["follow_up"]["attempts_left"] == 3


def test_the_browser_may_not_answer_its_own_lookup(api: FlaskApi) -> None:
    number, _ = registered(api)
    looking = on_follow_up(api)
    fake = {
        "type": "request_found",
        "lookup_id": "x",
        "request": {"request_number": number, "state": "open"},
    }
    status, body = send(api, looking, fake)
    assert (status, body["error"]["code"]) == (403, "event.host_only")


def test_reopening_and_additions_check_the_owner(host: Host, api: FlaskApi) -> None:
    number, email = registered(api)
    effects = FollowUpEffects(host.storage, None, "s-x")
    lookup = LookUpRequest("s-x:lookup:1", number, email, "en")
    found = effects.look_up(lookup)
    assert found is not None
    assert found.request_number == number
    effects.update(ReopenRequest("s-x:reopen:2", number, email))
    assert [a.kind for a in host.storage.additions(number)] == ["reopened"]
    with pytest.raises(LookupError):
        effects.update(ReopenRequest("s-x:reopen:3", number, "someone.else@example.org"))
    assert effects.look_up(LookUpRequest("s-x:lookup:4", number, "a@b.example", "en")) is None
