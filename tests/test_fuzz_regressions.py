"""Inputs the fuzzers (fuzz/) found that crashed the library, kept as regression tests.

A forged or outdated session document matches the schema but names a step, channel or
status the workflow cannot have; the engine used to fail half-way through with KeyError or
AssertionError. Now the JSON entry point answers with ``session.misfit`` and the session
unchanged, and the Python API raises UsageError.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import NOW, walk
from kl_contact import Back, Engine, JsonEngine, UsageError, dump_session


def _forged(engine: Engine, **changes: Any) -> dict[str, Any]:
    document = dump_session(walk(engine, "email", "en")[3].session)  # on the articles step
    document.update(changes)
    return document


@pytest.mark.parametrize(
    "changes",
    [
        {"trail": ["self_service", ""]},  # found by fuzz_wire: Back to a step that is not there
        {"step": "removed_step"},
        {"channel": "pigeon"},
        {"locale": "de"},
        {"status": "submitting"},
        {"status": "submitted"},
        {"status": "resolved"},
        {"step": "confirmation"},
    ],
)
def test_a_session_that_cannot_belong_to_the_workflow_is_refused(
    engine: Engine, changes: dict[str, Any]
) -> None:
    document = _forged(engine, **changes)
    request = {"session": document, "event": {"type": "back"}, "now": NOW.isoformat()}
    response = JsonEngine(engine).handle(request)
    assert response["ok"] is False
    assert response["error"]["code"] == "session.misfit"
    assert response["session"] is document
    with pytest.raises(UsageError) as excinfo:
        JsonEngine(engine).view(document)
    assert excinfo.value.code == "session.misfit"


def test_a_sound_session_still_goes_back(engine: Engine) -> None:
    document = _forged(engine)
    response = JsonEngine(engine).handle(
        {"session": document, "event": {"type": "back"}, "now": document["updated_at"]}
    )
    assert response["ok"] is True
    assert response["transition"]["view"]["kind"] == "questions"
    session = walk(engine, "email", "en")[3].session
    assert engine.handle(session, Back(), NOW).view.kind == "questions"


def test_a_confirmed_session_whose_receipt_names_no_channel_is_refused(engine: Engine) -> None:
    """Found by fuzz_wire: the confirmation's instructions looked the channel up and failed."""
    document = dump_session(walk(engine, "chat", "en")[-1].session)
    document["submission"]["receipt"]["channel"] = ""
    request = {"session": document, "event": {"type": "back"}, "now": NOW.isoformat()}
    response = JsonEngine(engine).handle(request)
    assert (response["ok"], response["error"]["code"]) == (False, "session.misfit")
    assert response["session"] is document
