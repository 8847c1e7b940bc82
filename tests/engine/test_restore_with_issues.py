"""A session that carries validation issues survives its JSON round trip.

Hosts store the session after every event, including one that left issues on the step (a
missing answer); reading it back must give the same session, or the user's next request fails.
"""

from __future__ import annotations

import json

from conftest import NOW, QUESTION_ANSWERS
from kl_contact import ChooseChannel, Continue, Engine, Next, dump_session, load_session


def test_a_session_with_issues_is_restored_unchanged(engine: Engine) -> None:
    t = engine.start(session_id="s-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    t = engine.handle(t.session, Next({**QUESTION_ANSWERS["en"], "subject": "no"}), NOW)
    assert t.session.issues, "the short subject should leave an issue on the step"
    assert any(len(issue.path) == 2 for issue in t.session.issues)
    restored = load_session(json.loads(json.dumps(dump_session(t.session))))
    assert restored == t.session
    assert engine.view(restored) == t.view
