"""The ``demo`` command: walk the workflow from self-service to the request number.

Article search is answered by the built-in matcher over the shipped sample catalog, and
tickets by :class:`DemoSupportBackend`, a stand-in for a real support backend that hands
out deterministic request numbers and knows one earlier request to follow up. Both are
demo parts of the command line, not of the library's core.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import attrs

from kl_contact.articles.catalog import sample_catalog, sample_vocabulary
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.cli.errors import CommandError, from_os_error
from kl_contact.cli.render import render_header, render_view
from kl_contact.definition.document import load_yaml
from kl_contact.definition.model import Workflow
from kl_contact.definition.suggestions import did_you_mean
from kl_contact.driver import Driver, search_with
from kl_contact.engine.effects import (
    AddToRequest,
    Feedback,
    LookUpRequest,
    ReopenRequest,
    SendRegistrationEmail,
)
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import (
    AddInformation,
    ArticleHelped,
    ChooseChannel,
    Continue,
    Escalate,
    Event,
    FindRequest,
    FollowUp,
    Next,
    Rate,
    Reopen,
    Send,
)
from kl_contact.engine.session import Session
from kl_contact.errors import DefinitionError
from kl_contact.ticket.model import AnswerValue, Attachment, EngineerContact, Receipt, Ticket
from kl_contact.ticket.status import FollowUpState, RequestStatus
from kl_contact.wire import dump_transition

__all__ = ["DEMO_SCRIPTS", "Ask", "DemoSupportBackend", "load_script", "run_script"]

DEMO_SCRIPTS = ("email", "chat", "phone", "helped", "in-product", "follow_up")
"""The example answer files shipped with the command (``kl_contact/cli/examples``)."""

DEMO_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

SCRIPT_KEYS = ("locale", "channel", "articles", "prefill", "follow_up", "answers", "rating")
"""The keys of an answers file."""

Ask = Callable[[Transition, Callable[[Session, Event], Transition]], Sequence[Event]]
"""The person at the screen: the events they choose for a transition's view, given a way to
try an event on a session without recording it (for checks as they type)."""


def _earlier_requests() -> dict[str, tuple[str, RequestStatus]]:
    replied = DEMO_NOW - timedelta(hours=3)
    status = RequestStatus("DEMO-000100", FollowUpState.WAITING_FOR_YOU, replied, replied)
    return {"DEMO-000100": ("jane.roe@example.org", status)}


@attrs.define
class DemoSupportBackend:
    """A stand-in support backend: numbers requests ``DEMO-000001``, ``DEMO-000002``, ...,
    and knows request ``DEMO-000100`` of ``jane.roe@example.org``, which waits for the user."""

    counter: int = 0
    requests: dict[str, tuple[str, RequestStatus]] = attrs.field(factory=_earlier_requests)
    """Request number -> the e-mail it was registered for, and its status."""
    updates: list[str] = attrs.field(factory=list)
    """What was done to requests: ``added DEMO-000100``, ``reopened ...``."""

    def look_up(self, effect: LookUpRequest) -> RequestStatus | None:
        """The request, when it was registered for that e-mail (case aside); else None."""
        known = self.requests.get(effect.request_number)
        if known is None or known[0].casefold() != effect.email.casefold():
            return None
        return known[1]

    def update(self, effect: AddToRequest | ReopenRequest) -> None:
        """Keep what was added to a request, or that it was reopened."""
        what = "added to" if isinstance(effect, AddToRequest) else "reopened"
        self.updates.append(f"{what} {effect.request_number}")

    def submit(self, ticket: Ticket) -> Receipt:
        """Register ``ticket`` and return a receipt with the demo contacts for its channel."""
        self.counter += 1
        number = f"DEMO-{self.counter:06d}"
        contact = EngineerContact(email="support-demo@example.com")
        if ticket.channel == "chat":
            contact = EngineerContact(chat_url=f"https://chat.example.com/support/{number}")
        elif ticket.channel == "phone":
            contact = EngineerContact(phone="+74950000000", phone_display="+7 495 000-00-00")
        receipt = Receipt(
            request_number=number, channel=ticket.channel, contact=contact, reply_within_hours=24
        )
        status = RequestStatus(number, FollowUpState.OPEN, None, DEMO_NOW)
        self.requests[number] = (ticket.contact.email, status)
        return receipt


def load_script(name_or_path: str) -> dict[str, Any]:
    """An answers file: a shipped example by name, or a YAML file by path.

    Any problem with the file raises :class:`~kl_contact.cli.errors.CommandError`.
    """
    hint = f"name a YAML answers file or one of the examples: {', '.join(DEMO_SCRIPTS)}"
    if name_or_path in DEMO_SCRIPTS:
        data = (
            resources.files("kl_contact.cli").joinpath("examples", f"{name_or_path}.yaml")
        ).read_bytes()
    else:
        try:
            data = Path(name_or_path).read_bytes()
        except OSError as exc:
            error = from_os_error(exc, name_or_path, "answers file")
            raise CommandError(error.code, error.message, hint) from None
    try:
        loaded = load_yaml(data, name_or_path).data
    except DefinitionError as exc:
        raise CommandError(
            "answers.syntax", f"{exc.location}: {exc.message}", "fix the YAML at this place"
        ) from None
    if not isinstance(loaded, dict):
        raise CommandError("answers.invalid", f"{name_or_path}: an answers file is a mapping", hint)
    for key, value in loaded.items():
        if key not in SCRIPT_KEYS:
            known = did_you_mean(str(key), SCRIPT_KEYS, f"the keys are {', '.join(SCRIPT_KEYS)}")
            raise CommandError(
                "answers.unknown_key", f"{name_or_path}: unknown key {str(key)[:40]!r}", str(known)
            )
        if key == "rating" and (isinstance(value, bool) or value not in _SCORES):
            raise CommandError(
                "answers.invalid",
                f"{name_or_path}: 'rating' is a score from 1 to 5",
                "write the score the user gives at the end, e.g. 'rating: 5'",
            )
        if key in {"answers", "prefill"} and not isinstance(value, dict):
            raise CommandError(
                "answers.invalid",
                f"{name_or_path}: {key!r} is a mapping of question ids to answers",
                f"write each answer as 'question_id: value' under {key}:",
            )
    return loaded


_SCORES = (1, 2, 3, 4, 5)


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
    # a read-only prefilled answer is the program's: the user does not send it again
    fixed = {q.id for q in transition.view.questions if q.read_only}
    return {
        qid: _coerce(value) for qid, value in answers.items() if qid in own and qid not in fixed
    }


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
    ask: Ask | None = None,
) -> Transition:
    """Walk the workflow with the answers of ``script``; print each screen to ``out``.

    The script's ``prefill`` is what the user's own program knows, handed to the start as
    the host would. With ``ask`` the person at the terminal chooses instead of the script.
    """
    locale = locale or script.get("locale")
    channel = channel or script.get("channel", "email")
    answers: Mapping[str, Any] = script.get("answers", {})
    helped = script.get("articles") == "helped"
    following = bool(script.get("follow_up"))
    notes: list[str] = []

    def notify(effect: SendRegistrationEmail) -> None:
        notes.append(
            f"(registration e-mail for {effect.receipt.request_number} handed to the host)"
        )

    def update(effect: AddToRequest | ReopenRequest) -> None:
        backend.update(effect)
        if isinstance(effect, AddToRequest):
            files = len(effect.attachments)
            notes.append(
                f"(text and {files} file(s) for {effect.request_number} handed to the host)"
            )
        else:
            notes.append(f"(reopening of {effect.request_number} handed to the host)")

    def record(feedback: Feedback) -> None:
        notes.append(f"(rating {feedback.score} of 5 on {feedback.step!r} handed to the host)")

    matcher = Bm25Matcher.for_workflow(sample_catalog(), workflow, vocabulary=sample_vocabulary())
    engine = Engine(workflow)
    driver = Driver(
        engine,
        search=search_with(matcher),
        submit=backend.submit,
        notify=notify,
        record=record,
        look_up=backend.look_up,
        update=update,
    )
    score = script.get("rating")
    now = DEMO_NOW

    def preview(session: Session, event: Event) -> Transition:
        return engine.handle(session, event, now)

    prefill = {qid: _coerce(value) for qid, value in script.get("prefill", {}).items()}
    transition = driver.start(session_id=session_id, now=now, locale=locale, prefill=prefill)
    for _ in range(32 if ask is None else 10_000):
        view = transition.view
        done = view.kind in {"confirmation", "resolved"}
        if not quiet:
            print(render_header(view) if ask and not done else render_view(view), file=out)
            print(file=out, flush=True)
        if done and ask is None and isinstance(score, int) and "rate" in view.action_types:
            now += timedelta(minutes=1)
            transition = driver.handle(transition.session, Rate(score), now)
            continue
        if done:
            break
        if ask is None:
            _check_complete(view)
        events: Sequence[Event]
        if ask is not None:
            events = ask(transition, preview)
        else:
            events = [_scripted(workflow, transition, channel, answers, helped, following)]
        for event in events:
            now += timedelta(minutes=1)
            transition = driver.handle(transition.session, event, now)
    for note in notes:
        if not quiet:
            print(note, file=out)
    return transition


def _check_complete(view: Any) -> None:
    problems = [
        f"{q.id} ({', '.join(i.code for i in q.issues)})" for q in view.questions if q.issues
    ]
    problems += [i.code for i in view.issues if i.severity == "error" and i.question is None]
    if problems:
        raise CommandError(
            "answers.incomplete",
            f"the answers do not complete step {view.step!r}: {'; '.join(problems)}",
            "add or fix these answers in the answers file",
            status=1,
        )


def _scripted(
    workflow: Workflow,
    transition: Transition,
    channel: str,
    answers: Mapping[str, Any],
    helped: bool,
    following: bool = False,
) -> Event:
    """The event an answers file gives for the current view."""
    view = transition.view
    if view.kind == "self_service":
        return Continue()
    if view.kind == "channel_choice":
        return FollowUp(channel) if following else ChooseChannel(channel)
    if view.kind == "follow_up":
        given = _step_answers(workflow, transition, answers)
        if "reopen" in view.action_types:
            return Reopen()
        if "add_information" in view.action_types:
            return AddInformation(given)
        return FindRequest(given)
    if view.kind == "questions":
        return Next(_step_answers(workflow, transition, answers))
    if view.kind == "articles":
        matches = view.articles.matches if view.articles else ()
        return ArticleHelped(matches[0].id) if helped and matches else Escalate()
    return Send(_step_answers(workflow, transition, answers))


def print_json(transition: Transition, out: TextIO) -> None:
    """The transition as JSON (``transition.schema.json``)."""
    json.dump(dump_transition(transition), out, ensure_ascii=False, indent=2)
    out.write("\n")
