"""The ``demo`` command: walk the workflow from self-service to the request number.

Article search is answered by the built-in matcher over the shipped sample catalog, and
tickets by :class:`DemoSupportBackend`, a stand-in for a real support backend that hands
out deterministic request numbers. Both are demo parts of the command line, not of the
library's core.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import attrs
import yaml

from kl_contact.articles.catalog import sample_catalog, sample_vocabulary
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.cli.render import render_view
from kl_contact.definition.model import Workflow
from kl_contact.driver import Driver, search_with
from kl_contact.engine.effects import SendRegistrationEmail
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import (
    ArticleHelped,
    ChooseChannel,
    Continue,
    Escalate,
    Event,
    Next,
    Send,
)
from kl_contact.errors import UsageError
from kl_contact.ticket.model import AnswerValue, Attachment, EngineerContact, Receipt, Ticket
from kl_contact.wire import dump_transition

__all__ = ["DEMO_SCRIPTS", "DemoSupportBackend", "load_script", "run_script"]

DEMO_SCRIPTS = ("email", "chat", "phone", "helped")
"""The example answer files shipped with the command (``kl_contact/cli/examples``)."""

DEMO_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@attrs.define
class DemoSupportBackend:
    """A stand-in support backend: numbers requests ``DEMO-000001``, ``DEMO-000002``, ..."""

    counter: int = 0

    def submit(self, ticket: Ticket) -> Receipt:
        """Register ``ticket`` and return a receipt with the demo contacts for its channel."""
        self.counter += 1
        number = f"DEMO-{self.counter:06d}"
        contact = EngineerContact(email="support-demo@example.com")
        if ticket.channel == "chat":
            contact = EngineerContact(chat_url=f"https://chat.example.com/support/{number}")
        elif ticket.channel == "phone":
            contact = EngineerContact(phone="+74950000000", phone_display="+7 495 000-00-00")
        return Receipt(
            request_number=number, channel=ticket.channel, contact=contact, reply_within_hours=24
        )


def load_script(name_or_path: str) -> dict[str, Any]:
    """An answers file: a shipped example by name, or a YAML file by path."""
    if name_or_path in DEMO_SCRIPTS:
        data = (
            resources.files("kl_contact.cli")
            .joinpath("examples", f"{name_or_path}.yaml")
            .read_text("utf-8")
        )
    else:
        data = Path(name_or_path).read_text(encoding="utf-8")
    loaded = yaml.safe_load(data)
    if not isinstance(loaded, dict):
        raise UsageError("an answers file is a mapping", code="answers.invalid")
    return loaded


def _coerce(value: Any) -> AnswerValue:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return tuple(Attachment(**v) for v in value)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return str(value)


def _step_answers(
    workflow: Workflow, transition: Transition, answers: Mapping[str, Any]
) -> dict[str, AnswerValue]:
    own = {q.id for q in workflow.step(transition.view.step).questions}
    return {qid: _coerce(value) for qid, value in answers.items() if qid in own}


def run_script(
    workflow: Workflow,
    script: Mapping[str, Any],
    *,
    session_id: str,
    backend: DemoSupportBackend,
    out: TextIO,
    locale: str | None = None,
    channel: str | None = None,
    quiet: bool = False,
    ask: Callable[[Transition], Event] | None = None,
) -> Transition:
    """Walk the workflow with the answers of ``script``; print each screen to ``out``."""
    locale = locale or script.get("locale")
    channel = channel or script.get("channel", "email")
    answers: Mapping[str, Any] = script.get("answers", {})
    helped = script.get("articles") == "helped"
    notes: list[str] = []

    def notify(effect: SendRegistrationEmail) -> None:
        notes.append(
            f"(registration e-mail for {effect.receipt.request_number} handed to the host)"
        )

    matcher = Bm25Matcher.for_workflow(sample_catalog(), workflow, vocabulary=sample_vocabulary())
    driver = Driver(
        Engine(workflow), search=search_with(matcher), submit=backend.submit, notify=notify
    )
    now = DEMO_NOW
    transition = driver.start(session_id=session_id, now=now, locale=locale)
    for _ in range(32):
        view = transition.view
        if not quiet:
            print(render_view(view), file=out)
            print(file=out)
        if view.kind in {"confirmation", "resolved"}:
            break
        blocked = any(i.severity == "error" for i in view.issues) or any(
            q.issues for q in view.questions
        )
        if blocked and ask is None:
            raise UsageError(
                f"the answers file does not complete step {view.step!r}",
                code="answers.incomplete",
            )
        event: Event
        if ask is not None and view.kind in {"questions", "request", "channel_choice"}:
            event = ask(transition)
        elif view.kind == "self_service":
            event = Continue()
        elif view.kind == "channel_choice":
            event = ChooseChannel(channel)
        elif view.kind == "questions":
            event = Next(_step_answers(workflow, transition, answers))
        elif view.kind == "articles":
            matches = view.articles.matches if view.articles else ()
            event = ArticleHelped(matches[0].id) if helped and matches else Escalate()
        else:
            event = Send(_step_answers(workflow, transition, answers))
        now += timedelta(minutes=1)
        transition = driver.handle(transition.session, event, now)
    for note in notes:
        if not quiet:
            print(note, file=out)
    return transition


def print_json(transition: Transition, out: TextIO) -> None:
    """The transition as JSON (``transition.schema.json``)."""
    json.dump(dump_transition(transition), out, ensure_ascii=False, indent=2)
    out.write("\n")


def interactive(
    transition: Transition, *, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> Event:
    """Ask the questions of the current view on a terminal."""
    view = transition.view
    if view.kind == "channel_choice":
        ids = [c.id for c in view.channels]
        while True:
            out.write(f"channel ({'/'.join(ids)}): ")
            out.flush()
            choice = stdin.readline().strip()
            if choice in ids:
                return ChooseChannel(choice)
    given: dict[str, AnswerValue] = {}
    for question in view.questions:
        if question.type in {"info", "attachments"}:
            continue
        current = question.value
        hint = (
            f" [{current}]"
            if isinstance(current, str)
            and question.type not in {"email", "phone", "text", "long_text"}
            else ""
        )
        out.write(f"{question.label}{hint}: ")
        out.flush()
        raw = stdin.readline().rstrip("\n")
        if question.type == "consent":
            given[question.id] = raw.strip().lower() in {"y", "yes", "д", "да", "1", "true"}
        elif question.type == "multiple_choice":
            given[question.id] = tuple(part.strip() for part in raw.split(",") if part.strip())
        elif raw or current is None:
            given[question.id] = raw
    return Send(given) if view.kind == "request" else Next(given)
