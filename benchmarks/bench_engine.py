"""The engine's performance budget: each figure beside a baseline measured in the same run.

Run with ``make bench``. Every figure is a median over many repetitions on this machine;
the budget column comes from the project's performance budget (docs/performance.md), and
the last column says whether the figure meets it. Nothing here is asserted: the table is
for people, and docs/performance.md records it with the machine it came from.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import NOW, QUESTION_ANSWERS, script, walk  # noqa: E402
from kl_contact import (  # noqa: E402
    Answer,
    ChooseChannel,
    Continue,
    DefinitionError,
    Engine,
    Event,
    JsonEngine,
    Limits,
    Next,
    Session,
    Workflow,
    default_workflow,
    dump_session,
    load_event,
    load_session,
    load_workflow,
    parse_workflow,
)
from kl_contact._convert import converter  # noqa: E402
from kl_contact.engine.transition import transition  # noqa: E402
from kl_contact.schemas import violations  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []


def _settle() -> None:
    """Before a timed round: collect what loading allocated, pause the collector, and give
    the processor away once, so that the round starts on a fresh time slice instead of
    being cut by the scheduler right after the (untimed, longer) loading."""
    gc.collect()
    gc.disable()
    time.sleep(0.001)


def median_seconds(action: Callable[[], object], repeat: int, inner: int = 1) -> float:
    """Median wall time of ``inner`` calls of ``action``, over ``repeat`` rounds, per call."""
    action()  # warm caches (validators, lookup tables) before measuring
    samples = []
    for _ in range(repeat):
        _settle()
        start = time.perf_counter()
        for _ in range(inner):
            action()
        took = time.perf_counter() - start
        gc.enable()
        samples.append(took / inner)
    return statistics.median(samples)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms"


def row(name: str, figure: str, baseline: str, ratio: str, budget: str, met: bool) -> None:
    ROWS.append((name, figure, baseline, ratio, f"{budget} {'✓' if met else '✗ (gap)'}"))


# --------------------------------------------------------------------------- import time


def import_seconds(statement: str) -> float:
    """Median over 10 fresh processes, with bytecode caches written and used as in production
    (PYTHONDONTWRITEBYTECODE would make only the project's own modules compile each time)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    command = [sys.executable, "-c", code]
    subprocess.run(command, capture_output=True, check=True, env=env)  # writes __pycache__
    runs = [
        float(subprocess.run(command, capture_output=True, check=True, env=env).stdout)
        for _ in range(10)
    ]
    return statistics.median(runs)


def bench_import() -> None:
    base = import_seconds("import attrs, cattrs, yaml")
    ours = import_seconds("import kl_contact")
    engine_path = import_seconds("from kl_contact import Engine, default_workflow")
    row(
        "  `from kl_contact import Engine, default_workflow` (fresh process)",
        ms(engine_path),
        f"{ms(base)} attrs+cattrs+yaml",
        f"{engine_path / base:.2f}x",
        "",
        True,
    )
    jsonschema_loaded = subprocess.run(
        [sys.executable, "-c", "import sys, kl_contact; print('jsonschema' in sys.modules)"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()
    row(
        "import kl_contact (fresh process, median of 10)",
        ms(ours),
        f"{ms(base)} attrs+cattrs+yaml",
        f"{ours / base:.2f}x",
        "≤ 1.15x",
        ours <= 1.15 * base,
    )
    row(
        "  jsonschema imported by `import kl_contact`",
        jsonschema_loaded,
        "",
        "",
        "False",
        jsonschema_loaded == "False",
    )


# --------------------------------------------------------------------------- engine step


def transitions_step() -> float:
    from transitions import Machine

    class Model:
        pass

    states = [f"s{i}" for i in range(10)]
    machine = Machine(model=Model(), states=states, initial="s0")
    for here, there in zip(states, states[1:] + states[:1], strict=True):
        machine.add_transition("advance", here, there)
    model = machine.model
    return median_seconds(lambda: model.advance(), 200, 200)  # type: ignore[attr-defined]


def statemachine_step() -> float:
    from statemachine import State, StateMachine

    states = {f"s{i}": State(initial=i == 0) for i in range(10)}
    names = list(states)
    advance = None
    for here, there in zip(names, names[1:] + names[:1], strict=True):
        step = states[here].to(states[there])
        advance = step if advance is None else advance | step
    Ten = type("Ten", (StateMachine,), {**states, "advance": advance})
    machine = Ten()
    return median_seconds(lambda: machine.send("advance"), 200, 50)


def attrs_floor(session: Session) -> float:
    """One constructor call of the session class: what any immutable step pays at least."""
    names = [field.name for field in attrs.fields(Session)]
    values = {name: getattr(session, name) for name in names}
    return median_seconds(lambda: Session(**values), 200, 200)


def fresh_median(session: Session, action: Callable[[Session], object], rounds: int) -> float:
    """Median time of ``action`` on a session loaded from JSON just before, every time.

    Each round loads ``INNER`` sessions from the session's JSON text (not timed) and times
    one call per loaded session, so nothing a previous iteration built can be reused. The
    garbage collector is paused while timing, as :mod:`timeit` does: otherwise a round pays
    for collecting what the loading allocated, in proportion to the sessions' size.
    """
    text = json.dumps(dump_session(session))
    action(converter.structure(json.loads(text), Session))  # warm the code paths
    samples = []
    for _ in range(rounds):
        loaded = [converter.structure(json.loads(text), Session) for _ in range(INNER)]
        _settle()
        start = time.perf_counter()
        for one in loaded:
            action(one)
        took = time.perf_counter() - start
        gc.enable()
        samples.append(took / INNER)
    return statistics.median(samples)


INNER = 50


def bench_steps(engine: Engine) -> dict[str, Any]:
    first = engine.start(session_id="bench", now=NOW, locale="en")
    on_channel = engine.handle(first.session, Continue(), NOW).session
    on_questions = walk(engine, "email", "en")[2].session
    answer = Answer({"subject": QUESTION_ANSWERS["en"]["subject"]})
    flow = engine.flow

    base = transitions_step()
    psm = statemachine_step()
    floor = attrs_floor(first.session)
    row("bare transition, `transitions`, 10 states", us(base), "", "1.00x", "baseline", True)
    row(
        "transition, python-statemachine, 10 states",
        us(psm),
        us(base),
        f"{psm / base:.2f}x",
        "baseline",
        True,
    )
    row(
        "one attrs constructor call of Session (floor)",
        us(floor),
        us(base),
        f"{floor / base:.2f}x",
        "floor",
        True,
    )
    with_view = (
        ("engine step with view: continue (self-service)", first.session, Continue()),
        ("engine step with view: choose_channel", on_channel, ChooseChannel("email")),
        ("engine step with view: answer (6 questions, 40 options)", on_questions, answer),
    )
    for name, session, event in with_view:
        value = fresh_median(session, lambda s, e=event: engine.handle(s, e, NOW), 200)  # type: ignore[misc]
        row(
            name,
            us(value),
            f"{us(base)} / floor {us(floor)}",
            f"{value / base:.2f}x / {value / floor:.1f}x",
            "< 25 µs, ≤ 3x transitions",
            value < 25e-6 and value <= 3 * base,
        )
    without_view = (
        ("engine step without view: continue", first.session, Continue(), 1),
        ("engine step without view: choose_channel", on_channel, ChooseChannel("email"), 1),
        ("engine step without view: answer", on_questions, answer, 2),
    )
    for name, session, event, budget in without_view:
        value = fresh_median(session, lambda s, e=event: transition(flow, s, e, NOW), 200)  # type: ignore[misc]
        row(
            name,
            us(value),
            f"{us(base)} / floor {us(floor)}",
            f"{value / base:.2f}x / {value / floor:.1f}x",
            f"≤ {budget}x transitions",
            value <= budget * base,
        )
    return {"on_questions": on_questions}


def _generated(steps: int) -> Workflow:
    """The default workflow with question steps added until it has ``steps`` steps."""
    text = resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_bytes()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    extra = steps - len(data["steps"])
    at = next(i for i, s in enumerate(data["steps"]) if s["kind"] == "channel_choice") + 1
    fillers = [
        {
            "id": f"filler_{i}",
            "kind": "questions",
            "title": {"ru": f"Шаг {i}", "en": f"Step {i}"},
            "questions": [
                {"id": f"note_{i}", "type": "text", "label": {"ru": "Заметка", "en": "Note"}},
                {
                    "id": f"detail_{i}",
                    "type": "text",
                    "label": {"ru": "Подробности", "en": "Details"},
                    "when": {"answer": f"note_{i}", "answered": True},
                },
            ],
        }
        for i in range(extra)
    ]
    data["steps"][at:at] = fillers
    limits = Limits(steps=steps + 10, questions=3 * steps + 100)
    return parse_workflow(json.dumps(data), limits=limits)


def bench_scale() -> None:
    """One step in the middle of a generated 1,000-step definition against a 10-step one.

    The two are timed in alternate rounds, so that a machine whose speed drifts during the
    run slows both alike, and the best round of each is compared: on shared cores a round
    that another process interrupts takes several times as long, whichever definition it
    times, and the best round is what the code itself costs. The medians are printed too.
    """
    cases = []
    for size in (10, 1000):
        engine = Engine(_generated(size))
        fillers = [s.id for s in engine.workflow.steps if s.id.startswith("filler_")]
        target = fillers[len(fillers) // 2]
        t = engine.start(session_id="scale", now=NOW, locale="en")
        t = engine.handle(t.session, Continue(), NOW)
        t = engine.handle(t.session, ChooseChannel("email"), NOW)
        while t.session.step != target:
            t = engine.handle(t.session, Next({}), NOW)
        event = Next({f"note_{target[7:]}": "a note"})
        cases.append((engine, json.dumps(dump_session(t.session)), event))
    small: list[float] = []
    large: list[float] = []
    for _ in range(100):
        for (engine, text, event), samples in zip(cases, (small, large), strict=True):
            loaded = [converter.structure(json.loads(text), Session) for _ in range(INNER)]
            _settle()
            start = time.perf_counter()
            for one in loaded:
                engine.handle(one, event, NOW)
            took = time.perf_counter() - start
            gc.enable()
            samples.append(took / INNER)
    ratio = min(large) / min(small)
    row(
        "step with view in the middle of a 1,000-step definition (best round)",
        us(min(large)),
        f"{us(min(small))} in a 10-step one",
        f"{ratio:.2f}x",
        "≤ 1.5x",
        ratio <= 1.5,
    )
    row(
        "  the same, median rounds",
        us(statistics.median(large)),
        f"{us(statistics.median(small))} in a 10-step one",
        f"{statistics.median(large) / statistics.median(small):.2f}x",
        "",
        True,
    )


# --------------------------------------------------------------------------- JSON, walk, session


def bench_json(engine: Engine, on_questions: Session) -> None:
    json_engine = JsonEngine(engine)
    later = on_questions.updated_at + timedelta(minutes=1)  # never before its last event
    request = json.loads(
        json.dumps(
            {
                "session": dump_session(on_questions),
                "event": {"type": "answer", "answers": {"subject": "The code is not accepted"}},
                "now": later.isoformat(),
            }
        )
    )

    def with_view_check() -> None:
        response = json_engine.handle(request)
        assert response["ok"], response["error"]
        assert not list(violations("view", response["transition"]["view"]))

    handle = median_seconds(lambda: json_engine.handle(request), 100, 5)
    checked = median_seconds(with_view_check, 100, 2)
    event_only = median_seconds(lambda: list(violations("event", request["event"])), 100, 20)
    engine_only = median_seconds(lambda: engine.handle(on_questions, Answer({}), later), 100, 20)
    row(
        "JsonEngine.handle (checks request, session, event)",
        us(handle),
        f"{us(engine_only)} engine alone",
        f"{handle / engine_only:.1f}x",
        "< 1 ms",
        handle < 1e-3,
    )
    row("  ... and the outgoing view checked too", us(checked), "", "", "< 1 ms", checked < 1e-3)
    row("  one event checked against event.schema.json", us(event_only), "", "", "", True)


def _wire_requests(engine: Engine) -> list[str]:
    """Every event of the default walk (the host's results too) as the ``handle`` request a
    JSON host receives: text, with the session as the host stored it."""
    requests: list[str] = []
    now = NOW
    transition = engine.start(session_id="s-1", now=now, locale="en")
    for user_event in script("email", "en"):
        now += timedelta(seconds=30)
        pending: list[tuple[Session, Event]] = [(transition.session, user_event)]
        while pending:
            session, event = pending.pop(0)
            request = {
                "session": dump_session(session),
                "event": converter.unstructure(event, Event),
                "now": now.isoformat(),
            }
            requests.append(json.dumps(request, ensure_ascii=False))
            transition = engine.handle(session, event, now)
            pending.extend((transition.session, e) for e in _results(transition))
    return requests


def _results(transition: Any) -> list[Event]:
    from conftest import receipt_for
    from kl_contact import ArticleMatch, ArticlesFound, SearchArticles, SubmitTicket, TicketAccepted

    events: list[Event] = []
    for effect in transition.effects:
        if isinstance(effect, SearchArticles):
            match = ArticleMatch(
                id="kb-1", title="An article", url="https://example.com/kb/1", score=1.0
            )
            events.append(ArticlesFound(effect.search_id, (match,)))
        elif isinstance(effect, SubmitTicket):
            events.append(TicketAccepted(effect.submission_id, receipt_for(effect.ticket.channel)))
    return events


def bench_wire_walk(engine: Engine) -> None:
    """`JsonEngine` per event of the default walk, each request arriving as JSON text and
    every check on: the request, the session and the event against their schemas."""
    from kl_contact import schemas

    wire = JsonEngine(engine)
    texts = _wire_requests(engine)
    loaded = [json.loads(text) for text in texts]
    objects = [(load_session(r["session"]), load_event(r["event"])) for r in loaded]
    now = NOW

    def over_json(trusted: bool = False) -> None:
        for text in texts:
            response = wire.handle(json.loads(text), trusted_session=trusted)
            assert response["ok"], response["error"]
            json.dumps(response, ensure_ascii=False)

    def engine_alone() -> None:
        for session, event in objects:
            engine.handle(session, event, now)

    count = len(texts)
    checked = median_seconds(over_json, 30) / count
    trusted = median_seconds(lambda: over_json(True), 30) / count
    bare = median_seconds(engine_alone, 30) / count
    compiled = schemas._passes_compiled
    schemas._passes_compiled = lambda name, document: False  # type: ignore[assignment]
    try:
        by_jsonschema = median_seconds(over_json, 10) / count
    finally:
        schemas._passes_compiled = compiled  # type: ignore[assignment]
    row(
        f"JsonEngine per event, default walk ({count} events), JSON text in and out,"
        " every check on",
        us(checked),
        f"{us(by_jsonschema)} jsonschema alone / {us(bare)} engine alone",
        f"{checked / by_jsonschema:.2f}x / {checked / bare:.1f}x",
        "< 250 µs",
        checked < 250e-6,
    )
    row(
        "  ... the session read from the host's own store (trusted_session=True)",
        us(trusted),
        us(checked),
        f"{trusted / checked:.2f}x",
        "",
        True,
    )


def bench_walk(engine: Engine) -> None:
    value = median_seconds(lambda: walk(engine, "email", "en"), 100, 5)
    row(
        "whole walk, start to confirmation (8 transitions)",
        us(value),
        "",
        "",
        "< 400 µs",
        value < 4e-4,
    )


def bench_session_round_trip(engine: Engine) -> None:
    transitions = walk(engine, "phone", "en")
    typical = transitions[5].session  # on the request step, before sending
    final = transitions[-1].session  # confirmed, ticket and receipt inside

    def round_trip(session: Session) -> Session:
        # what a host does with a session from its own store: text out, text back in
        text = json.dumps(dump_session(session), ensure_ascii=False)
        return load_session(json.loads(text), trusted=True)

    for name, session in (("typical (request step)", typical), ("confirmed (with ticket)", final)):
        value = median_seconds(lambda s=session: round_trip(s), 200, 10)  # type: ignore[misc]
        size = len(json.dumps(dump_session(session), ensure_ascii=False).encode("utf-8"))
        row(f"session to JSON and back, {name}", us(value), "", "", "< 100 µs", value < 1e-4)
        row(f"  session JSON size, {name}", f"{size:,} B", "", "", "< 4 KB", size < 4096)
    text = json.dumps(dump_session(final))
    checked = median_seconds(lambda: load_session(json.loads(text)), 100, 5)
    row("  load_session with the schema check (confirmed)", us(checked), "", "", "", True)


def bench_definition() -> None:
    text = resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_bytes()
    value = median_seconds(lambda: parse_workflow(text), 20)
    plain = median_seconds(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 20)
    loader = "C" if yaml.__with_libyaml__ else "pure Python"
    row(
        f"load + check the default definition ({loader} YAML loader)",
        ms(value),
        f"{ms(plain)} bare yaml.load",
        f"{value / plain:.1f}x",
        "< 30 ms",
        value < 0.03,
    )
    code = (
        "import time; from kl_contact import default_workflow; t = time.perf_counter(); "
        "default_workflow(); print(time.perf_counter() - t)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-c", code]
    runs = [
        float(subprocess.run(command, capture_output=True, check=True, env=env).stdout)
        for _ in range(10)
    ]
    first = statistics.median(runs)
    row(
        "default_workflow(), first call in a fresh process (median of 10, import apart)",
        ms(first),
        "",
        "",
        "< 40 ms",
        first < 0.04,
    )


def bench_session_memory(engine: Engine) -> None:
    count = 1000
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sessions = [walk(engine, "phone", "en", session_id=f"s-{i}")[5].session for i in range(count)]
    gc.collect()
    per = (tracemalloc.get_traced_memory()[0] - before) / count
    tracemalloc.stop()
    row(
        "memory per live session (request step, tracemalloc)",
        f"{per / 1024:.1f} KB",
        "",
        "",
        "< 10 KB",
        per < 10 * 1024,
    )
    del sessions


def bench_hostile_corpus() -> None:
    folder = ROOT / "tests" / "hostile" / "definitions"
    worst, worst_name = 0.0, ""
    for path in sorted(folder.iterdir()):
        start = time.perf_counter()
        with contextlib.suppress(DefinitionError):
            load_workflow(path)
        took = time.perf_counter() - start
        if took > worst:
            worst, worst_name = took, path.name
    big = "noise: [" + ", ".join(["a"] * 250_000) + "]\n"
    start = time.perf_counter()
    with contextlib.suppress(DefinitionError):
        parse_workflow(big)
    big_took = time.perf_counter() - start
    row(f"slowest hostile corpus refusal ({worst_name})", ms(worst), "", "", "< 1 s", worst < 1)
    row(
        "refusing a generated 1.2 MB, 250 000-node document",
        ms(big_took),
        "",
        "",
        "< 1 s",
        big_took < 1,
    )


def main() -> None:
    engine = Engine(default_workflow())
    bench_import()
    found = bench_steps(engine)
    bench_scale()
    bench_json(engine, found["on_questions"])
    bench_wire_walk(engine)
    bench_walk(engine)
    bench_session_round_trip(engine)
    bench_definition()
    bench_session_memory(engine)
    bench_hostile_corpus()
    cpu = platform.processor() or "cpu"
    with contextlib.suppress(OSError):
        names = [
            line for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line
        ]
        cpu = f"{names[0].split(':', 1)[1].strip()} x {len(names)}" if names else cpu
    print(f"machine: {cpu}, Python {platform.python_version()}, {platform.system()}")
    headers = ("figure", "value", "baseline (same run)", "ratio", "budget")
    widths = [max(len(str(r[i])) for r in (*ROWS, headers)) for i in range(5)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for r in ROWS:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
