"""Model-based test: random events, in any order, never break a session.

A hypothesis state machine drives the engine on the default workflow and on generated
definitions with valid and invalid events, out of order, repeated, going back, with stale
search results and duplicated receipts, and sometimes through the JSON entry point. After
every step it checks what a host relies on:

* nothing is raised but :class:`UsageError` for an event the step does not accept (and then
  the session the host holds is untouched);
* the session validates against ``session.schema.json`` and survives a JSON round trip;
* every answer the user gave to a question of the step they were on is still there, unless
  the definition's answer policy clears it (its question or option is hidden);
* a host result that is not awaited changes nothing; a ticket is submitted once;
* the view validates against ``view.schema.json``.

``make test`` runs a few hundred examples; ``make soak`` sets ``KL_STATEFUL_EXAMPLES`` to
many thousands.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import NOW
from kl_contact import (
    AddInformation,
    Answer,
    ArticleHelped,
    ArticleMatch,
    ArticleNotHelpful,
    ArticlesFailed,
    ArticlesFound,
    Attachment,
    Back,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Engine,
    EngineerContact,
    Escalate,
    EstimateWait,
    Event,
    FindRequest,
    FollowUp,
    FollowUpState,
    JsonEngine,
    LookUpRequest,
    Next,
    OpenArticle,
    Rate,
    Receipt,
    RecordFeedback,
    Reopen,
    RequestCallback,
    RequestFound,
    RequestNotFound,
    RequestStatus,
    SearchArticles,
    Send,
    SendRegistrationEmail,
    Session,
    SkipRating,
    SubmitTicket,
    TicketAccepted,
    TicketRejected,
    Transition,
    UsageError,
    WaitEstimated,
    default_workflow,
    dump_session,
    dump_transition,
    load_session,
    parse_workflow,
)
from kl_contact._convert import converter
from kl_contact.definition.model import StepKind
from kl_contact.engine.events import event_type
from kl_contact.engine.follow_up import asked
from kl_contact.engine.views import USER_ACTIONS
from kl_contact.questionnaire.answer_policy import apply_answer_policies
from kl_contact.schemas import violations

EXAMPLES = int(os.environ.get("KL_STATEFUL_EXAMPLES", "200"))
DOCUMENTED_USAGE_CODES = {
    "event.not_allowed",
    "channel.unknown",
    "locale.unknown",
    "follow_up.none",
}
HOST_EVENTS = (
    ArticlesFound,
    ArticlesFailed,
    TicketAccepted,
    TicketRejected,
    RequestFound,
    RequestNotFound,
)
VALID = yaml.safe_load((Path(__file__).parents[1] / "hostile" / "valid.yaml").read_text("utf-8"))

# --------------------------------------------------------------------------- definitions

ids = st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"])


@st.composite
def generated_definitions(draw: st.DrawFn) -> Engine:
    """A sound definition of random shape: questions of every type, conditions, channels,
    an optional articles step and routes."""
    doc = json.loads(json.dumps(VALID))
    channels = draw(st.lists(st.sampled_from(["email", "chat", "phone"]), min_size=1, unique=True))
    template = doc["channels"][0]
    doc["channels"] = [dict(template, id=c) for c in channels]
    counter = iter(range(10_000))
    choices: list[tuple[str, list[str]]] = []

    def question(kind: str) -> dict[str, Any]:
        qid = f"q{next(counter)}"
        q: dict[str, Any] = {"id": qid, "type": kind, "label": {"en": qid}}
        offered: list[str] = []
        q["required"] = draw(st.booleans())
        if kind in {"single_choice", "multiple_choice"}:
            options = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
            q["options"] = [{"id": o, "label": {"en": o}} for o in options]
            if choices and draw(st.booleans()):
                source, values = draw(st.sampled_from(choices))
                q["options"][-1]["when"] = {"answer": source, "equals": values[0]}
            if kind == "single_choice":
                offered = options
        if kind in {"text", "long_text"} and draw(st.booleans()):
            q["min_length"] = draw(st.integers(0, 5))
            q["max_length"] = draw(st.integers(5, 40))
        if choices and draw(st.integers(0, 3)) == 0:
            source, values = draw(st.sampled_from(choices))
            q["when"] = {"answer": source, "in": values[:1]}
        if draw(st.integers(0, 4)) == 0:
            q["when"] = {"channel": draw(st.sampled_from(channels))}
        if kind == "single_choice":
            choices.append((qid, offered))  # only later questions may depend on it
        return q

    kinds = st.sampled_from(
        ["text", "long_text", "single_choice", "multiple_choice", "consent", "phone", "info"]
    )
    ask = doc["steps"][2]
    ask["questions"] += [question(k) for k in draw(st.lists(kinds, max_size=4))]
    details = doc["steps"][3]
    extra = draw(st.lists(st.sampled_from(["long_text", "attachments", "consent"]), max_size=3))
    details["questions"] += [question(k) for k in extra]
    if draw(st.booleans()):
        doc["steps"].insert(
            3,
            {"id": "articles", "kind": "articles", "title": {"en": "Read"}, "on_helped": "ok"},
        )
        doc["steps"].append({"id": "ok", "kind": "resolved", "title": {"en": "Glad"}})
    if draw(st.booleans()):
        ask["routes"] = [{"when": {"answer": "topic", "equals": "other"}, "to": "details"}]
    if draw(st.booleans()):
        doc["locales"] = ["en", "ru"]
        _add_locale(doc, "ru")
    workflow = parse_workflow(yaml.safe_dump(doc, allow_unicode=True), source="<generated>")
    return Engine(workflow)


def _add_locale(node: Any, locale: str) -> None:
    if isinstance(node, dict):
        if set(node) == {"en"} and isinstance(node["en"], str):
            link = node["en"].startswith("https://")
            node[locale] = node["en"] + ("/ru" if link else " (ru)")
            return
        for value in node.values():
            _add_locale(value, locale)
    elif isinstance(node, list):
        for value in node:
            _add_locale(value, locale)


DEFAULT_ENGINE = Engine(default_workflow())
USER_EVENT_TYPES = list(USER_ACTIONS)

# --------------------------------------------------------------------------- answers

texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "   ",
            "jane@example.org",
            "+44 20 7946 0958",
            "<script>alert(1)</script>",
            "a\u202eb",
            "x" * 200,
            "line\nbreak",
        ]
    ),
)
attachments = st.builds(
    Attachment,
    name=st.sampled_from(["shot.png", "../etc/passwd", "a.exe", "CON", "x\u202egnp.exe"]),
    media_type=st.sampled_from(["image/png", "text/plain", "application/x-msdownload"]),
    size=st.integers(0, 30 * 2**20),
)


def wild_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        texts,
        st.booleans(),
        st.lists(ids, max_size=4).map(tuple),
        st.lists(attachments, max_size=3).map(tuple),
    )


def good_value(question: Any) -> Any:
    """An answer the view says is acceptable for ``question`` (a QuestionView)."""
    kind = question.type
    if kind == "single_choice":
        return question.options[0].id if question.options else None
    if kind == "multiple_choice":
        return (question.options[0].id,) if question.options else None
    if kind == "consent":
        return True
    if kind == "email":
        return "jane.roe@example.org"
    if kind == "phone":
        return "+44 20 7946 0958"
    if kind == "attachments":
        return ()
    if kind == "info":
        return None
    low = max(question.min_length or 0, 25 if kind == "long_text" else 5)
    high = question.max_length or 1000
    return ("w" * min(low, high)) or "w"


# --------------------------------------------------------------------------- the machine


class ContactMachine(RuleBasedStateMachine):
    """One session driven by random events; the model is what the user gave and was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = DEFAULT_ENGINE
        self.json_engine = JsonEngine(self.engine)
        self.now = NOW
        self.transition: Transition
        self.given: dict[str, Any] = {}
        self.effects: list[Any] = []
        self.submitted = 0
        self.registration_emails = 0
        self.feedback = 0
        self.checked: Session | None = None

    @initialize(engine=st.one_of(st.just(DEFAULT_ENGINE), generated_definitions()), data=st.data())
    def start(self, engine: Engine, data: st.DataObject) -> None:
        self.engine = engine
        self.json_engine = JsonEngine(engine)
        locale = data.draw(st.sampled_from(engine.workflow.locales))
        self.transition = engine.start(session_id="s-1", now=self.now, locale=locale)

    @property
    def session(self) -> Session:
        return self.transition.session

    # ------------------------------------------------------------------ applying events

    def apply(self, event: Event, via_json: bool = False) -> None:
        before = self.session
        self.now += timedelta(seconds=7)
        try:
            after = self.engine.handle(before, event, self.now)
        except UsageError as exc:
            refused = exc.code
        else:
            refused = None
        if refused is not None:
            assert refused in DOCUMENTED_USAGE_CODES
            if via_json:
                self._json_agrees(before, event, None)
            return
        if via_json:
            self._json_agrees(before, event, after)
        if isinstance(event, HOST_EVENTS) and self._stale(before, event):
            assert after.session == before, "a result nobody waits for changed the session"
        self._learn(before, event, after)
        self.transition = after

    def _json_agrees(self, before: Session, event: Event, after: Transition | None) -> None:
        request = {
            "session": dump_session(before),
            "event": converter.unstructure(event, Event),
            "now": self.now.isoformat(),
        }
        response = self.json_engine.handle(json.loads(json.dumps(request)))
        if after is None:
            assert response["ok"] is False
            assert response["session"] == request["session"]
        else:
            assert response == {"ok": True, "transition": dump_transition(after)}

    @staticmethod
    def _stale(session: Session, event: Event) -> bool:
        if isinstance(event, ArticlesFound | ArticlesFailed):
            awaited = session.articles.status == "loading"
            return not awaited or event.search_id != session.articles.search_id
        if isinstance(event, RequestFound | RequestNotFound):
            progress = session.follow_up
            return progress.status != "looking_up" or progress.lookup_id != event.lookup_id
        assert isinstance(event, TicketAccepted | TicketRejected)
        pending = session.submission
        return (
            session.status != "submitting" or pending is None or pending.id != event.submission_id
        )

    def _learn(self, before: Session, event: Event, after: Transition) -> None:
        if isinstance(event, Answer | Next | Send | FindRequest | AddInformation):
            table = self.engine.flow.steps[before.step]
            # a follow-up takes only what its phase asks (the number and e-mail, then the
            # addition); any other step takes answers to all its questions
            own = (
                asked(table, before.follow_up)
                if table.step.kind is StepKind.FOLLOW_UP
                else {q.id for q in table.step.questions}
            )
            self.given.update({k: v for k, v in event.answers.items() if k in own})
        # The definition's answer policies may clear what a hidden question held; nothing else
        # may go.
        session = after.session
        self.given = apply_answer_policies(
            self.engine.workflow, self.given, session.channel, session.locale
        )
        for effect in after.effects:
            self.effects.append(effect)
            if isinstance(effect, SendRegistrationEmail):
                self.registration_emails += 1
            if isinstance(effect, RecordFeedback):
                self.feedback += 1
        if before.status == "submitting" and after.session.status == "submitted":
            self.submitted += 1

    # ------------------------------------------------------------------ rules

    @rule(data=st.data(), via_json=st.integers(0, 9), pick=st.integers(0, 9))
    def user_event(self, data: st.DataObject, via_json: int, pick: int) -> None:
        """Mostly an event the step accepts, with good answers more often than not;
        sometimes any event at all."""
        allowed = self.engine.allowed_events(self.session)
        if allowed and pick < 8:
            etype = data.draw(st.sampled_from(allowed))
            good = data.draw(st.integers(0, 3)) > 0
        else:
            etype = data.draw(st.sampled_from(USER_EVENT_TYPES))
            good = False
        self.apply(self._event_of(etype, data, good=good), via_json == 0)

    @rule(helped=st.integers(0, 4))
    def user_who_knows_the_way(self, helped: int) -> None:
        """The primary action with good answers, and the host answering the newest effect."""
        event = _forward(self.transition, helped=helped == 0)
        if event is not None:
            self.apply(event)

    @rule(data=st.data(), via_json=st.integers(0, 9))
    def host_result(self, data: st.DataObject, via_json: int) -> None:
        """Answer any effect ever issued (the current one, a stale one, or again)."""
        if not self.effects:
            return
        awaited = SearchArticles | SubmitTicket | LookUpRequest
        latest = [e for e in self.effects if isinstance(e, awaited)][-1:]
        effect = data.draw(st.sampled_from(self.effects + latest * 3))
        if isinstance(effect, SearchArticles):
            match = ArticleMatch(
                id="kb-1", title="An article", url="https://kb.example/1", score=1.0
            )
            event: Event = data.draw(
                st.sampled_from(
                    [
                        ArticlesFound(effect.search_id, (match,)),
                        ArticlesFound(effect.search_id, ()),
                        ArticlesFailed(effect.search_id),
                    ]
                )
            )
        elif isinstance(effect, SubmitTicket):
            channel = data.draw(st.sampled_from([effect.ticket.channel, "elsewhere"]))
            number = data.draw(st.sampled_from(["INC-1", "INC-2", " "]))
            receipt = Receipt(number, channel, EngineerContact(email="support@example.com"))
            event = data.draw(
                st.sampled_from(
                    [
                        TicketAccepted(effect.submission_id, receipt),
                        TicketRejected(effect.submission_id, "unavailable"),
                    ]
                )
            )
        elif isinstance(effect, EstimateWait):
            minutes = data.draw(st.sampled_from([0, 5, 90]))
            event = WaitEstimated(effect.estimate_id, effect.channel, minutes)
        elif isinstance(effect, LookUpRequest):
            state = data.draw(st.sampled_from(list(FollowUpState)))
            found = RequestStatus(effect.request_number, state, last_reply_at=self.now)
            event = data.draw(
                st.sampled_from(
                    [
                        RequestFound(effect.lookup_id, found),
                        RequestNotFound(effect.lookup_id),
                        RequestNotFound(effect.lookup_id, "unavailable"),
                    ]
                )
            )
        else:
            return
        self.apply(event, via_json == 0)

    @rule(unknown=st.sampled_from(["s-1:search:99", "s-1:ticket:99", "other"]))
    def result_nobody_asked_for(self, unknown: str) -> None:
        receipt = Receipt("INC-9", self.session.channel or "email")
        self.apply(ArticlesFound(unknown, ()))
        self.apply(TicketAccepted(unknown, receipt))

    def _event_of(self, etype: str, data: st.DataObject, *, good: bool) -> Event:
        workflow = self.engine.workflow
        if etype == "continue":
            return Continue()
        if etype == "back":
            return Back()
        if etype == "escalate":
            return Escalate()
        if etype == "choose_channel":
            known = [c.id for c in workflow.channels]
            return ChooseChannel(data.draw(st.sampled_from([*known, *known, "pigeon"])))
        if etype == "change_locale":
            return ChangeLocale(data.draw(st.sampled_from([*workflow.locales, "xx"])))
        if etype == "request_callback":
            offered = [
                (c.id, s.id)
                for c in self.transition.view.channels
                if c.callback is not None
                for s in c.callback.slots
            ]
            made_up = [("phone", "20000101T0000Z"), ("phone", "soon"), ("email", "x")]
            channel, slot = data.draw(st.sampled_from([*offered, *offered, *made_up]))
            return RequestCallback(channel, slot)
        if etype == "follow_up":
            known = [c.id for c in workflow.channels]
            return FollowUp(data.draw(st.sampled_from([None, None, *known, "pigeon"])))
        if etype == "reopen":
            return Reopen()
        if etype == "skip_rating":
            return SkipRating()
        if etype == "rate":
            score = data.draw(st.integers(1, 5) if good else st.integers(-3, 9))
            return Rate(score, data.draw(st.one_of(st.none(), texts)))
        if etype in {"open_article", "article_helped", "article_not_helpful"}:
            article = data.draw(st.sampled_from(["kb-1", "kb-2"]))
            if etype == "open_article":
                return OpenArticle(article)
            if etype == "article_helped":
                return ArticleHelped(article)
            return ArticleNotHelpful(article, data.draw(st.one_of(st.none(), texts)))
        answers = self._answers(data, good=good)
        kinds = {
            "answer": Answer,
            "next": Next,
            "send": Send,
            "find_request": FindRequest,
            "add_information": AddInformation,
        }
        return kinds[etype](answers)

    def _answers(self, data: st.DataObject, *, good: bool) -> dict[str, Any]:
        visible = self.transition.view.questions
        if good:
            values = {q.id: good_value(q) for q in visible}
            return {k: v for k, v in values.items() if v is not None}
        known = [q.id for q in self.engine.workflow.questions().values()]
        keys = st.sampled_from([*known, "nonexistent"]) if known else st.just("nonexistent")
        return data.draw(st.dictionaries(keys, wild_value(), max_size=4))

    def teardown(self) -> None:
        if not hasattr(self, "transition"):
            return
        event(f"ended on a {self.transition.view.kind} step, {self.session.status}")

    # ------------------------------------------------------------------ invariants

    @invariant()
    def session_and_view_are_valid_and_round_trip(self) -> None:
        if self.session is self.checked:
            return  # unchanged since the last check (the event was refused)
        self.checked = self.session
        document = dump_session(self.session)
        assert [(v.path, v.message) for v in violations("session", document)] == []
        assert load_session(json.loads(json.dumps(document))) == self.session
        view = converter.unstructure(self.engine.view(self.session))
        assert [(v.path, v.message) for v in violations("view", view)] == []
        assert view == converter.unstructure(self.transition.view)

    @invariant()
    def nothing_the_user_gave_is_lost(self) -> None:
        for question, value in self.given.items():
            assert self.session.answers.get(question) == value

    @invariant()
    def a_ticket_is_submitted_once(self) -> None:
        assert self.submitted <= 1
        assert self.registration_emails == self.submitted
        if self.submitted:
            assert self.session.status == "submitted"
            assert self.session.request_number is not None
            assert set(self.engine.allowed_events(self.session)) <= {"rate", "skip_rating"}

    @invariant()
    def each_end_is_rated_once_and_each_score_recorded(self) -> None:
        steps = [rating.step for rating in self.session.ratings]
        assert len(steps) == len(set(steps))
        assert all(self.engine.workflow.step(step).rating is not None for step in steps)
        assert self.feedback == sum(1 for r in self.session.ratings if r.score is not None)
        assert all(r.score is None or 1 <= r.score <= 5 for r in self.session.ratings)

    @invariant()
    def history_names_event_types_only(self) -> None:
        for entry in self.session.history:
            assert entry.event in {event_type(e) for e in _SAMPLE_EVENTS}


_SAMPLE_EVENTS: tuple[Event, ...] = (
    Continue(),
    ChooseChannel("x"),
    Answer(),
    Next(),
    Back(),
    ArticlesFound("x"),
    ArticlesFailed("x"),
    OpenArticle("x"),
    ArticleHelped("x"),
    ArticleNotHelpful("x"),
    Escalate(),
    Send(),
    TicketAccepted("x", Receipt("x", "x")),
    TicketRejected("x"),
    ChangeLocale("x"),
    RequestCallback("x", "x"),
    WaitEstimated("x", "x", 0),
    FollowUp(),
    FindRequest(),
    AddInformation(),
    Reopen(),
    RequestFound("x", RequestStatus("x", FollowUpState.OPEN)),
    RequestNotFound("x"),
    Rate(5),
    SkipRating(),
)

ContactMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[
        p for p in Phase if p is not Phase.shrink or os.environ.get("KL_STATEFUL_SHRINK") != "0"
    ],
)
TestContactMachine = ContactMachine.TestCase


def _forward(transition: Transition, *, helped: bool) -> Event | None:
    """What a user who knows the way (and a working host) does next."""
    session, view = transition.session, transition.view
    for effect in transition.effects:
        if isinstance(effect, SearchArticles):
            return ArticlesFound(effect.search_id, ())
        if isinstance(effect, SubmitTicket):
            contact = EngineerContact(email="support@example.com")
            return TicketAccepted(
                effect.submission_id, Receipt("INC-1", effect.ticket.channel, contact)
            )
        if isinstance(effect, LookUpRequest):
            found = RequestStatus(effect.request_number, FollowUpState.OPEN)
            return RequestFound(effect.lookup_id, found)
    if view.kind == "articles" and helped:
        return ArticleHelped("kb-1")
    primary = [a.type for a in view.actions if a.primary]
    if not primary or session.status == "submitting":
        return None
    answers = {q.id: good_value(q) for q in view.questions}
    answers = {k: v for k, v in answers.items() if v is not None}
    channel = view.channels[0].id if view.channels else "email"
    return {
        "continue": Continue(),
        "choose_channel": ChooseChannel(channel),
        "next": Next(answers),
        "send": Send(answers),
        "escalate": Escalate(),
        "find_request": FindRequest(answers),
        "add_information": AddInformation(answers),
        "reopen": Reopen(),
    }[primary[0]]


def test_a_user_who_knows_the_way_reaches_both_ends() -> None:
    """The machine's guide is not stuck: it reaches the confirmation and the resolved end."""
    ends = set()
    for helped in (False, True):
        transition = DEFAULT_ENGINE.start(session_id="s-1", now=NOW, locale="en")
        now: datetime = NOW
        while (event := _forward(transition, helped=helped)) is not None:
            now += timedelta(seconds=1)
            transition = DEFAULT_ENGINE.handle(transition.session, event, now)
        ends.add((transition.view.kind, transition.session.status))
    assert ends == {("confirmation", "submitted"), ("resolved", "resolved")}


def test_a_session_with_an_issue_about_one_attachment_round_trips() -> None:
    """Found by the machine: an issue path holding a list index could not be read back."""
    transition = DEFAULT_ENGINE.start(session_id="s-1", now=NOW, locale="en")
    while transition.view.kind != "request":
        event = _forward(transition, helped=False)
        assert event is not None
        transition = DEFAULT_ENGINE.handle(transition.session, event, NOW)
    bad = (Attachment(name="../x.png", media_type="image/png", size=10),)
    transition = DEFAULT_ENGINE.handle(transition.session, Answer({"screenshots": bad}), NOW)
    assert [i.path for i in transition.session.issues] == [("answers", "screenshots", 0)]
    document = json.loads(json.dumps(dump_session(transition.session)))
    assert load_session(document) == transition.session
