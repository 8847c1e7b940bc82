"""Routing: the priority and queue a request gets from the answers the user was shown."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import pytest

from conftest import DETAILS, NOW
from kl_contact import (
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    JsonEngine,
    Next,
    Send,
    SubmitTicket,
    Ticket,
)
from kl_contact.definition.flow import Flow, compile_flow
from kl_contact.definition.lint import lint_text
from kl_contact.definition.loader import parse_workflow
from kl_contact.schemas import violations
from kl_contact.ticket.build import build_ticket
from kl_contact.ticket.model import TicketArticles, TicketRouting, WorkflowRef
from kl_contact.wire import dump_session

DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def _ticket(engine: Engine, category: str) -> Ticket:
    now = NOW
    t = engine.start(session_id="r-1", now=now, locale="en")
    answers = {
        "product": "plus",
        "platform": "windows",
        "category": category,
        "subject": "Something is wrong",
    }
    for event in (Continue(), ChooseChannel("email"), Next(answers), Escalate(), Send(DETAILS)):
        now += timedelta(seconds=30)
        t = engine.handle(t.session, event, now)
    [submit] = [e for e in t.effects if isinstance(e, SubmitTicket)]
    return submit.ticket


@pytest.mark.parametrize(
    ("category", "priority", "queue", "rule"),
    [
        ("infection", "urgent", "threats", "infection"),
        ("scan", "high", "threats", "detected_threats"),
        ("false_positive", "high", "threats", "detected_threats"),
        ("activation", "normal", "licensing", "licence_and_purchase"),
        ("update", "normal", "general", None),  # no rule holds: the default
    ],
)
def test_the_default_workflow_routes_by_category(
    engine: Engine, category: str, priority: str, queue: str, rule: str | None
) -> None:
    routing = _ticket(engine, category).routing
    assert routing is not None
    assert (routing.priority, routing.queue, routing.rule) == (priority, queue, rule)


ROUTED_BY_A_DEPENDENT_QUESTION = DEFAULT_TEXT.replace(
    "    - id: infection\n      when: {answer: category, equals: infection}\n",
    "    - id: infection\n      when: {answer: web_component, equals: firewall}\n",
    1,
)
"""The first rule reads a question shown only for the web protection category."""


def _routing_of(flow: Flow, passed: list[str], answers: dict[str, object]) -> TicketRouting:
    ticket = build_ticket(
        flow,
        ticket_id="t-1",
        session_id="s-1",
        workflow=WorkflowRef("home-support", 1, "sha256:x"),
        passed=passed,
        answers={**DETAILS, **answers},  # type: ignore[dict-item]
        channel="email",
        locale="en",
        articles=TicketArticles(),
        now=NOW,
    )
    assert ticket.routing is not None
    return ticket.routing


def test_a_rule_reads_only_answers_the_user_was_shown() -> None:
    flow = compile_flow(parse_workflow(ROUTED_BY_A_DEPENDENT_QUESTION, "routed.yaml"))
    steps = [step.id for step in flow.workflow.steps]
    shown = {"category": "web_protection", "web_component": "firewall"}
    assert _routing_of(flow, steps, shown).rule == "infection"
    # the same answer kept while its question is hidden (another category) routes nothing
    hidden = {"category": "update", "web_component": "firewall"}
    assert _routing_of(flow, steps, hidden).rule is None
    # nor does an answer on a step the user did not pass this time (Back, another route)
    skipped = [step for step in steps if step != "question"]
    assert _routing_of(flow, skipped, shown).rule is None


def test_a_workflow_without_routing_gives_tickets_none_and_the_wire_null() -> None:
    text = (
        DEFAULT_TEXT[: DEFAULT_TEXT.index("# Which queue")]
        + DEFAULT_TEXT[DEFAULT_TEXT.index("steps:\n") :]
    )
    engine = Engine(parse_workflow(text, "plain.yaml"))
    assert _ticket(engine, "infection").routing is None


def test_the_ticket_on_the_wire_carries_routing_valid_against_its_schema(engine: Engine) -> None:
    wire = JsonEngine(engine)
    now = NOW
    t = engine.start(session_id="r-3", now=now, locale="en")
    answers = {
        "product": "plus",
        "platform": "windows",
        "category": "infection",
        "subject": "Something is wrong",
    }
    for event in (Continue(), ChooseChannel("email"), Next(answers), Escalate()):
        now += timedelta(seconds=30)
        t = engine.handle(t.session, event, now)
    response = wire.handle(
        {
            "session": dump_session(t.session),
            "event": {"type": "send", "answers": dict(DETAILS)},
            "now": (now + timedelta(seconds=30)).isoformat(),
        }
    )
    assert response["ok"], response
    [submit] = [e for e in response["transition"]["effects"] if e["type"] == "submit_ticket"]
    assert submit["ticket"]["routing"] == {
        "priority": "urgent",
        "queue": "threats",
        "rule": "infection",
    }
    assert not list(violations("ticket", submit["ticket"]))
    broken = {**submit["ticket"], "routing": {**submit["ticket"]["routing"], "priority": "asap"}}
    assert list(violations("ticket", broken))


@pytest.mark.parametrize(
    ("old", "new", "code", "path"),
    [
        (
            "default: {queue: general, priority: normal}",
            "default: {queue: genral, priority: normal}",
            "routing.unknown_queue",
            ("routing", "default", "queue"),
        ),
        (
            "      priority: urgent\n      queue: threats\n",
            "      priority: urgent\n      queue: virus\n",
            "routing.unknown_queue",
            ("routing", "rules", 0, "queue"),
        ),
        (
            "when: {answer: category, equals: infection}",
            "when: {answer: category, equals: infected}",
            "ref.unknown_option",
            ("routing", "rules", 0, "when", "equals"),
        ),
        (
            "when: {answer: category, equals: infection}",
            "when: {answer: kategory, equals: infection}",
            "ref.unknown_question",
            ("routing", "rules", 0, "when", "answer"),
        ),
    ],
)
def test_lint_names_the_place_of_a_routing_mistake(
    old: str, new: str, code: str, path: tuple[object, ...]
) -> None:
    assert old in DEFAULT_TEXT
    findings = lint_text(DEFAULT_TEXT.replace(old, new, 1), "routed.yaml")
    [finding] = [f for f in findings if f.severity == "error"]
    assert (finding.code, finding.path) == (code, path)
    line = DEFAULT_TEXT.splitlines().index(
        next(x for x in DEFAULT_TEXT.splitlines() if old.splitlines()[-1].strip() in x)
    )
    assert abs(finding.line - (line + 1)) <= 2
    assert "genral" not in finding.message
    assert "virus" not in finding.message
