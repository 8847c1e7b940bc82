"""How much one event may carry: refused before any other work, in the Python API and the wire.

The wire schema caps each part of an event, but its caps multiply (1000 answers of 1000
items of 100,000 characters), and validating a huge event costs time in proportion to it.
:func:`kl_contact.limits.event_problem` counts what an event carries and stops at the first
breach, so the engine and the JSON entry point refuse an oversized event with a ``limit.*``
code before validating, normalising or storing any of it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import NOW, on_request_step
from kl_contact import Engine, JsonEngine, Limits, Send, UsageError, default_workflow, dump_session
from kl_contact.limits import DEFAULT_LIMITS, event_problem

SMALL = Limits(answers=4, answer_items=3, event_values=8, event_text=40)

answer_value = st.one_of(
    st.text(max_size=20),
    st.booleans(),
    st.lists(st.text(max_size=8), max_size=5),
)


def _breaches(answers: dict[str, Any], limits: Limits) -> set[str]:
    """Every limit the answers cross, counted all at once (a model of the check)."""
    lists = [v for v in answers.values() if isinstance(v, list)]
    text = sum(len(k) for k in answers) + sum(
        len(v) for v in answers.values() if isinstance(v, str)
    )
    text += sum(len(item) for v in lists for item in v)
    crossed = {
        "limit.answers": len(answers) > limits.answers,
        "limit.answer_items": any(len(v) > limits.answer_items for v in lists),
        "limit.event_values": len(answers) + sum(len(v) for v in lists) > limits.event_values,
        "limit.event_text": text > limits.event_text,
    }
    return {code for code, over in crossed.items() if over}


@given(st.dictionaries(st.text(max_size=6), answer_value, max_size=6))
def test_an_event_is_refused_exactly_when_it_exceeds_a_limit(answers: dict[str, Any]) -> None:
    found = event_problem(answers, SMALL)
    crossed = _breaches(answers, SMALL)
    if not crossed:
        assert found is None
    else:
        assert found is not None
        assert found[0] in crossed  # several may be crossed: it names one that really is


# Cyrillic only: the messages are English, so any of these letters in one came from the input
SECRETS = st.text(alphabet=st.characters(min_codepoint=0x430, max_codepoint=0x44F), min_size=1)


@given(SECRETS)
def test_a_refusal_never_repeats_what_was_sent(secret: str) -> None:
    for answers in (
        {secret: [secret] * 5},
        {f"{secret}{n}": secret for n in range(5)},
        {"q": secret * 50},
    ):
        problem = event_problem(answers, SMALL)
        assert problem is not None
        assert not set(problem[0] + problem[1]) & set(secret)


def _request_step() -> tuple[Engine, Any]:
    engine = Engine(default_workflow())
    return engine, on_request_step(engine, "email").session


HUGE = {
    "attachments": [
        {"name": f"f{n}.png", "media_type": "image/png", "size": 1} for n in range(100_000)
    ]
}


def test_the_python_api_refuses_an_oversized_event_before_any_work() -> None:
    engine, session = _request_step()
    with pytest.raises(UsageError) as refused:
        engine.handle(session, Send(HUGE), NOW)  # type: ignore[arg-type]
    assert refused.value.code == "limit.answer_items"
    tight = Engine(default_workflow(), limits=Limits(answers=2))
    with pytest.raises(UsageError) as too_many:
        tight.handle(session, Send({"a": "1", "b": "2", "c": "3"}), NOW)
    assert too_many.value.code == "limit.answers"


def test_the_wire_refuses_an_oversized_event_and_keeps_the_session() -> None:
    engine, session = _request_step()
    document = dump_session(session)
    reply = JsonEngine(engine).handle(
        {"session": document, "event": {"type": "send", "answers": HUGE}, "now": NOW.isoformat()}
    )
    assert reply["ok"] is False
    assert reply["error"]["code"] == "limit.answer_items"
    assert reply["session"] == document


def test_the_default_limits_match_the_wire_schema_ceilings() -> None:
    from kl_contact.schemas import load_schema

    answers = load_schema("common")["$defs"]["answers"]
    assert answers["maxProperties"] == DEFAULT_LIMITS.answers
    lists = [v for v in load_schema("common")["$defs"]["answerValue"]["anyOf"] if "maxItems" in v]
    assert {v["maxItems"] for v in lists} == {DEFAULT_LIMITS.answer_items}
