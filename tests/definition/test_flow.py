"""Paths and diagrams: every path of the default workflow is walked through the engine, and
the diagrams parse back to the same steps and transitions."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import attrs
import pydot
import pytest

from conftest import NOW, receipt_for
from kl_contact import (
    AddInformation,
    Answer,
    ArticleHelped,
    ArticleMatch,
    ArticlesFound,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    FindRequest,
    FollowUp,
    FollowUpState,
    LookUpRequest,
    Next,
    Reopen,
    RequestFound,
    RequestStatus,
    SearchArticles,
    Send,
    SubmitTicket,
    TicketAccepted,
    Transition,
    default_workflow,
    parse_workflow,
)
from kl_contact.cli import main
from kl_contact.definition.diagram import to_dot, to_mermaid
from kl_contact.definition.flow import RATING_EVENTS, compile_flow
from kl_contact.definition.paths import FlowPath, answers_for, flow_paths, transitions
from kl_contact.engine.views import QuestionView

WORKFLOW = default_workflow()
PATHS = flow_paths(WORKFLOW)
TEXT = "The protection stops after the latest update every time"


def _fill(question: QuestionView, fixed: dict[str, Any]) -> Any:
    if question.id in fixed:
        return fixed[question.id]
    options = [o.id for o in question.options]
    values: dict[str, Any] = {
        "single_choice": options[0] if options else None,
        "multiple_choice": tuple(options[:1]),
        "text": TEXT[: question.max_length or len(TEXT)],
        "long_text": TEXT,
        "email": "jane.roe@example.org",
        "phone": "+44 20 7946 0958",
        "consent": True,
    }
    return values.get(question.type)


def _answer_all(engine: Engine, t: Transition, fixed: dict[str, Any]) -> Transition:
    """Answer every visible question, again as answers reveal more, until none is new."""
    given: dict[str, Any] = {}
    while True:
        new = {
            q.id: value
            for q in t.view.questions
            if q.id not in given and (value := _fill(q, fixed)) is not None
        }
        if not new:
            return t
        given.update(new)
        t = engine.handle(t.session, Answer(new), NOW)


def _walk(path: FlowPath, channel: str) -> list[Transition]:
    example = answers_for(WORKFLOW, path)
    assert example is not None, path.describe()
    engine = Engine(WORKFLOW)
    t = engine.start(session_id="p-1", now=NOW, locale=example.locale)
    seen = [t]
    for taken in path.taken:
        kind = t.view.kind
        now = NOW + timedelta(minutes=len(seen))
        if kind == "self_service":
            t = engine.handle(t.session, Continue(), now)
        elif kind == "channel_choice" and taken.kind == "follow_up":
            t = engine.handle(t.session, FollowUp(), now)
        elif kind == "channel_choice":
            t = engine.handle(t.session, ChooseChannel(example.channel or channel), now)
        elif kind == "follow_up":
            number = {"follow_up_number": "KL-7", "follow_up_email": "jane.roe@example.org"}
            t = engine.handle(t.session, FindRequest(number), now)
            (lookup,) = t.effects
            assert isinstance(lookup, LookUpRequest)
            adding = taken.trigger == "add_information"
            state = FollowUpState.WAITING_FOR_YOU if adding else FollowUpState.SOLVED
            t = engine.handle(
                t.session, RequestFound(lookup.lookup_id, RequestStatus("KL-7", state)), now
            )
            event = AddInformation({"follow_up_text": TEXT}) if adding else Reopen()
            t = engine.handle(t.session, event, now)
        elif kind in {"questions", "request"}:
            t = _answer_all(engine, t, dict(example.answers))
            t = engine.handle(t.session, Next({}) if kind == "questions" else Send({}), now)
        elif kind == "articles":
            event = ArticleHelped("kb-1") if taken.kind == "helped" else Escalate()
            t = engine.handle(t.session, event, now)
        seen.append(t)
        for effect in t.effects:
            if isinstance(effect, SearchArticles):
                match = ArticleMatch(id="kb-1", title="A", url="https://example.com/1", score=1.0)
                t = engine.handle(t.session, ArticlesFound(effect.search_id, (match,)), now)
            elif isinstance(effect, SubmitTicket):
                receipt = receipt_for(effect.ticket.channel)
                t = engine.handle(t.session, TicketAccepted(effect.submission_id, receipt), now)
        seen.append(t)
    return seen


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: "-".join(p.steps[2:]))
def test_every_path_of_the_default_workflow_walks_through_the_engine(
    path: FlowPath, channel: str
) -> None:
    seen = _walk(path, channel)
    steps = [t.session.step for t in seen]
    visited = [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s]
    assert tuple(visited) == path.steps
    final = seen[-1]
    assert final.view.kind == WORKFLOW.step(path.end).kind.value
    if path.end == "confirmation":
        assert final.session.status == "submitted"
        assert final.session.channel == channel
    elif path.end == "follow_up_done":
        assert final.session.status == "resolved"
        assert final.view.follow_up is not None
        assert final.view.follow_up.status in {"added", "reopened"}
    else:
        assert final.session.status == "resolved"
        assert final.session.submission is None


def test_default_workflow_paths_cover_every_transition_and_end() -> None:
    assert len(PATHS) == 5
    taken = {(t.source, t.target) for p in PATHS for t in p.taken}
    assert taken == {(t.source, t.target) for t in transitions(WORKFLOW)}
    assert {p.end for p in PATHS} == {"confirmation", "resolved", "follow_up_done"}
    following = [p for p in PATHS if "follow_up" in p.steps]
    assert [p.taken[-1].label for p in following] == ["information added", "reopened"]
    # every branch point says in words what takes each of its ways out
    assert all(b.label for p in PATHS for b in p.branches), [p.describe() for p in PATHS]
    # the route to the details skips the articles only for category "other"
    direct = next(p for p in PATHS if "articles" not in p.steps)
    example = answers_for(WORKFLOW, direct)
    assert example is not None
    assert example.answers == {"category": "other"}


LOOPING = """
  - id: loop_a
    kind: questions
    title: {en: A}
    next: loop_b
    questions:
      - id: again
        type: single_choice
        label: {en: "Again?"}
        options: [{id: "yes", label: {en: Y}}, {id: "no", label: {en: N}}]
  - id: loop_b
    kind: questions
    title: {en: B}
    routes:
      - {when: {answer: again, equals: "yes"}, to: loop_a}
      - {when: {all: [{answer: again, equals: "yes"}, {answer: again, equals: "no"}]}, to: end}
    questions:
      - {id: more, type: text, label: {en: More}}
"""


def test_a_loop_is_listed_once_and_an_impossible_branch_has_no_answers() -> None:
    from test_lint import minimal

    workflow = parse_workflow(minimal(LOOPING))
    paths = flow_paths(workflow)
    through = [p for p in paths if "loop_a" in p.steps]
    assert through
    assert all(len(set(p.steps)) == len(p.steps) for p in paths)
    impossible = [
        p for p in through if any(t.kind == "route" and t.target == "end" for t in p.taken)
    ]
    assert impossible
    assert all(answers_for(workflow, p) is None for p in impossible)


# ------------------------------------------------------------------ diagrams

_NODE = re.compile(r'^    ([a-z][a-z0-9_-]*)(\["([^"]*)"\]|\(\["([^"]*)"\]\))$')
_EDGE = re.compile(r'^    ([a-z][a-z0-9_-]*) -->(?:\|"([^"]*)"\|)? ([a-z][a-z0-9_-]*)$')


def parse_mermaid(text: str) -> tuple[dict[str, tuple[str, bool]], list[tuple[str, str, str]]]:
    """A strict parser of the Mermaid subset the diagram uses; anything else fails."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, tuple[str, bool]] = {}
    edges: list[tuple[str, str, str]] = []
    for line in lines[1:]:
        if node := _NODE.match(line):
            assert node.group(1) not in nodes, line
            rounded = node.group(4) is not None
            nodes[node.group(1)] = (node.group(4) if rounded else node.group(3), rounded)
        elif edge := _EDGE.match(line):
            assert edge.group(1) in nodes, line
            assert edge.group(3) in nodes, line
            label = (edge.group(2) or "").replace("#quot;", '"').replace("#amp;", "&")
            edges.append((edge.group(1), edge.group(3), label))
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")
    return nodes, edges


def _expected_edges() -> list[tuple[str, str, str]]:
    return [(t.source, t.target, t.label) for t in transitions(WORKFLOW)]


def test_mermaid_diagram_parses_back_to_the_flow() -> None:
    nodes, edges = parse_mermaid(to_mermaid(WORKFLOW))
    assert list(nodes) == [s.id for s in WORKFLOW.steps]
    rounded_nodes = {n for n, (_, rounded) in nodes.items() if rounded}
    assert rounded_nodes == {"confirmation", "resolved", "follow_up_done"}
    assert edges == _expected_edges()
    assert ("question", "details", "category = other") in edges


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of pyparsing
def test_dot_diagram_parses_back_with_pydot() -> None:
    graphs = pydot.graph_from_dot_data(to_dot(WORKFLOW))
    assert graphs is not None
    assert len(graphs) == 1
    graph = graphs[0]
    names = [n.get_name().strip('"') for n in graph.get_nodes()]
    assert [n for n in names if n not in {"node", "edge"}] == [s.id for s in WORKFLOW.steps]
    edges = [
        (e.get_source().strip('"'), e.get_destination().strip('"'), (e.get("label") or '""')[1:-1])
        for e in graph.get_edges()
    ]
    assert edges == _expected_edges()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_labels_with_quotes_survive_both_formats() -> None:
    from test_lint import minimal

    text = minimal(
        """
  - id: odd
    kind: questions
    title: {en: Odd}
    routes:
      - {when: {answer: pick, equals: "say \\"hi\\" & go"}, to: end}
    questions:
      - {id: pick, type: text, label: {en: Pick}}
"""
    )
    workflow = parse_workflow(text)
    _, edges = parse_mermaid(to_mermaid(workflow))
    assert ("odd", "end", 'pick = say "hi" & go') in edges
    graph = pydot.graph_from_dot_data(to_dot(workflow))[0]  # type: ignore[index]
    labels = [e.get("label") for e in graph.get_edges()]
    assert '"pick = say \\"hi\\" & go"' in labels


def test_every_move_the_transition_makes_is_an_edge_of_the_diagram_and_back() -> None:
    """The diagram's edges and the steps the engine really moves between are read from the
    one compiled table: walking every path through the engine must use only drawn edges,
    and together the walks must use every edge the diagram draws."""
    _, drawn = parse_mermaid(to_mermaid(WORKFLOW))
    edges = {(source, target) for source, target, _ in drawn}
    flow = compile_flow(WORKFLOW)
    assert edges == flow.edges()
    by_event = {
        (m.source, m.target) for t in flow.steps.values() for ms in t.moves.values() for m in ms
    }
    assert by_event == edges
    moved: set[tuple[str, str]] = set()
    for path in PATHS:
        steps = [t.session.step for t in _walk(path, "email")]
        moved |= {(a, b) for a, b in itertools.pairwise(steps) if a != b}
    assert moved <= edges, moved - edges
    assert moved == edges


def test_the_transition_takes_the_first_way_out_the_table_lists() -> None:
    flow = compile_flow(WORKFLOW)
    table = flow.steps["question"]
    engine = Engine(WORKFLOW)
    for category, expected in (("other", "details"), ("activation", "articles")):
        ctx = flow.step_context("question", {"category": category}, "email", "en")
        assert table.target("next", ctx) == expected
        session = next(t.session for t in _walk(PATHS[0], "email") if t.session.step == "question")
        session = attrs.evolve(session, answers={})
        shown = Transition(session, engine.view(session))
        t = _answer_all(engine, shown, {"category": category})
        moved = engine.handle(t.session, Next({}), NOW)
        assert moved.session.step == expected


def test_cli_graph_and_paths(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--format", "mermaid"]) == 0
    assert capsys.readouterr().out == to_mermaid(WORKFLOW)
    assert main(["graph", "--format", "dot"]) == 0
    assert capsys.readouterr().out == to_dot(WORKFLOW)
    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    assert out.count("\npath ") + out.startswith("path ") == len(PATHS)
    assert "at question: category = other -> details" in out
    assert "for example: category=other" in out


def test_docs_show_the_default_workflow_diagram_as_drawn() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "definition.md").read_text("utf-8")
    block = re.search(r"```mermaid\n(.*?)```", page, re.S)
    assert block is not None
    assert block.group(1) == to_mermaid(WORKFLOW)


def test_each_transition_says_how_it_is_taken() -> None:
    from conftest import DEFINITIONS

    workflow = parse_workflow((DEFINITIONS / "skipped-step.yaml").read_bytes())
    kinds = {(t.source, t.target): t.kind for t in transitions(workflow)}
    assert kinds[("triage", "device")] == "route"
    assert kinds[("triage", "software")] == "next"
    assert kinds[("device", "articles")] == "next"


def test_an_end_that_asks_a_rating_takes_rate_and_skip_and_has_no_way_out() -> None:
    flow = compile_flow(default_workflow())
    for step in ("confirmation", "resolved"):
        table = flow.steps[step]
        assert table.terminal
        assert table.step.rating is not None
        assert table.events == table.active == table.active_back == RATING_EVENTS
        assert table.moves == {}
    assert all(table.step.rating is None for table in flow.steps.values() if not table.terminal)


def test_a_channel_choice_leaves_for_each_follow_up_step_on_the_follow_up_event() -> None:
    from importlib import resources

    text = resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text()
    own = text.replace("  follow_up: follow_up\n", "", 1).replace(
        "  - id: email\n", "  - id: email\n    follow_up: follow_up\n", 1
    )
    assert parse_workflow(own).follow_up_step("email") == "follow_up"
    for workflow in (default_workflow(), parse_workflow(own)):  # the contacts page's, a channel's
        moves = [t for t in transitions(workflow) if t.kind == "follow_up"]
        assert [(t.source, t.target, t.event, t.trigger) for t in moves] == [
            ("channel", "follow_up", "follow_up", "follow_up")
        ]


def test_the_flow_knows_which_channels_offer_a_call_back() -> None:
    from kl_contact.definition.flow import compile_flow

    assert compile_flow(default_workflow()).callbacks == frozenset({"phone"})


def test_a_change_may_clear_the_answers_that_read_it_listed_in_asking_order() -> None:
    from conftest import DEFINITIONS

    flow = compile_flow(parse_workflow((DEFINITIONS / "hidden-options.yaml").read_bytes()))
    # a changed answer may lose an option of its own, so it is listed too
    assert flow.clearing_after(("plan",)) == ("plan", "kind", "extras", "detail", "why_q")
    assert flow.clearing_after(("plan", "kind")) == ("plan", "kind", "extras", "detail", "why_q")
    assert flow.clearing_after(("detail", "extras")) == ("extras", "detail", "why_q")


TWO_STEPS = """  - id: first
    kind: questions
    title: {en: First}
    questions:
      - id: plan
        type: single_choice
        label: {en: Plan}
        options: [{id: x, label: {en: X}}, {id: y, label: {en: Y}}]
  - id: second
    kind: questions
    title: {en: Second}
    routes:
      - when: {answer: plan, equals: x}
        to: request
    next: third
    questions:
      - {id: note, type: text, label: {en: Note}}
  - id: third
    kind: questions
    title: {en: Third}
    questions:
      - {id: more, type: text, label: {en: More}}
"""


def test_a_route_reads_the_answer_of_an_earlier_step() -> None:
    from conftest import minimal

    flow = compile_flow(parse_workflow(minimal(TWO_STEPS)))
    second = flow.steps["second"]
    for plan, target in (("x", "request"), ("y", "third")):
        ctx = flow.step_context("second", {"plan": plan, "note": "n"}, "email", "en")
        assert second.target("next", ctx) == target
