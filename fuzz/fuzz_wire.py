"""Fuzz the JSON entry point: any session and event documents give a response document.

``JsonEngine.handle`` must never raise: a malformed or foreign document, or an event the
step does not accept, is an error response that carries the session unchanged. Inputs are
built three ways from the fuzzer's bytes: a raw JSON request; a real session (taken at each
step of the example walks) with a fuzzed event; a real session with one value replaced and a
real event. Run with ``make fuzz`` or ``python fuzz/fuzz_wire.py -max_total_time=60``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import atheris
from _run import ROOT, run

with atheris.instrument_imports(include=["kl_contact"]):
    from kl_contact import Engine, JsonEngine, default_workflow

sys.path.insert(0, str(ROOT / "tests"))
from conftest import NOW, receipt_for, script, walk
from kl_contact import ArticlesFound, Event, TicketAccepted, dump_session
from kl_contact._convert import converter
from kl_contact.schemas import violations
from kl_contact.wire import WIRE_ERRORS

ENGINE = JsonEngine(Engine(default_workflow()))
SESSIONS: list[dict[str, Any]] = []
EVENTS: list[dict[str, Any]] = [{"type": "back"}, {"type": "change_locale", "locale": "ru"}]
for _channel in ("email", "chat", "phone"):
    SESSIONS += [dump_session(t.session) for t in walk(ENGINE.engine, _channel, "en")]
    _events: list[Event] = [
        *script(_channel, "en"),
        ArticlesFound("s-1:search:1"),
        TicketAccepted("s-1:ticket:2", receipt_for(_channel)),
    ]
    EVENTS += [converter.unstructure(e, Event) for e in _events]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(node))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def _value(fdp: atheris.FuzzedDataProvider) -> Any:
    kind = fdp.ConsumeIntInRange(0, 6)
    if kind == 0:
        return fdp.ConsumeUnicode(40)
    if kind == 1:
        return fdp.ConsumeInt(8)
    if kind == 2:
        return fdp.ConsumeBool()
    if kind == 3:
        return None
    if kind == 4:
        return [fdp.ConsumeUnicode(10) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    if kind == 5:
        return {fdp.ConsumeUnicode(8): fdp.ConsumeUnicode(8)}
    return fdp.ConsumeFloat()


def _json(fdp: atheris.FuzzedDataProvider) -> Any:
    try:
        return json.loads(fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 400)))
    except ValueError:
        return None


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 3)
    session = SESSIONS[fdp.ConsumeIntInRange(0, len(SESSIONS) - 1)]
    now = NOW.isoformat()
    if mode == 0:
        request = _json(fdp)
    elif mode == 1:
        request = {"session": session, "event": _json(fdp), "now": now}
    elif mode == 2:
        leaves = _leaves(session)
        path = leaves[fdp.ConsumeIntInRange(0, len(leaves) - 1)]
        event = EVENTS[fdp.ConsumeIntInRange(0, len(EVENTS) - 1)]
        request = {"session": _replace(session, path, _value(fdp)), "event": event, "now": now}
    else:
        response = ENGINE.start(_json(fdp))
        assert isinstance(response["ok"], bool)
        return
    response = ENGINE.handle(request)
    assert isinstance(response["ok"], bool)
    if not response["ok"]:
        assert response["error"]["code"] in WIRE_ERRORS
        sent = request.get("session") if isinstance(request, dict) else None
        valid = sent is not None and not list(violations("session", sent))
        assert response["session"] is (sent if valid else None)
    assert not list(violations("wire", response))


def main() -> None:
    run(test_one_input, [])


if __name__ == "__main__":
    main()
