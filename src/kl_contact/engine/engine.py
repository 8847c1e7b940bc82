"""The transition function: (definition, session, event, now) -> (session, view, effects).

Everything that decides how a session moves lives in this module, and it reads the
workflow definition as data. It performs no I/O, reads no clock and draws no random
number: the time comes in as ``now`` and identifiers are derived from the session id and a
counter, so the same inputs always give the same outputs.

Rules:

* a user's mistake never raises: it is kept in the session as issues and shown in the view,
  and every answer the user typed is kept;
* an event the current step does not accept raises :class:`~kl_contact.errors.UsageError`;
* results of effects that are no longer awaited (a stale search, a second receipt) change
  nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from kl_contact._text import link_allowed, localize
from kl_contact.articles.model import ArticleQuery
from kl_contact.channels.hours import zone
from kl_contact.channels.instructions import build_instructions
from kl_contact.channels.status import closed_issue, statuses
from kl_contact.definition.conditions import ConditionContext, evaluate
from kl_contact.definition.model import (
    TERMINAL_KINDS,
    Question,
    QuestionType,
    Role,
    Step,
    StepKind,
    Workflow,
)
from kl_contact.engine.effects import Effect, SearchArticles, SendRegistrationEmail, SubmitTicket
from kl_contact.engine.events import (
    Answer,
    ArticleHelped,
    ArticleNotHelpful,
    ArticlesFailed,
    ArticlesFound,
    Back,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Escalate,
    Event,
    Next,
    OpenArticle,
    Send,
    TicketAccepted,
    TicketRejected,
    event_type,
)
from kl_contact.engine.fit import misfit
from kl_contact.engine.migration import Migration, VersionPolicy, migrate_session
from kl_contact.engine.session import (
    MAX_HISTORY,
    ArticleFeedback,
    HistoryEntry,
    Session,
    Submission,
)
from kl_contact.engine.views import (
    Action,
    ArticlesView,
    AttachmentRules,
    ChannelView,
    ConfirmationView,
    LinkView,
    OptionView,
    Progress,
    QuestionView,
    ResourceView,
    View,
)
from kl_contact.errors import UsageError, ValidationIssue
from kl_contact.limits import DEFAULT_LIMITS, Limits, event_problem
from kl_contact.questionnaire.answer_policy import apply_answer_policies, visible_answers
from kl_contact.questionnaire.fields import normalise_answer, phone_region
from kl_contact.questionnaire.messages import message
from kl_contact.questionnaire.validation import (
    Localizer,
    is_answered,
    is_required,
    validate_step,
    visible_questions,
)
from kl_contact.ticket.model import (
    AnswerValue,
    Attachment,
    ContactDetails,
    Ticket,
    TicketAnswer,
    TicketArticles,
    WorkflowRef,
)
from kl_contact.ticket.receipts import receipt_problems

__all__ = ["Engine", "Transition"]

_USER_EVENTS_BY_KIND: dict[StepKind, tuple[str, ...]] = {
    StepKind.SELF_SERVICE: ("continue",),
    StepKind.CHANNEL_CHOICE: ("choose_channel",),
    StepKind.QUESTIONS: ("answer", "next"),
    StepKind.ARTICLES: ("open_article", "article_helped", "article_not_helpful", "escalate"),
    StepKind.REQUEST: ("answer", "send"),
    StepKind.CONFIRMATION: (),
    StepKind.RESOLVED: (),
}
_HOST_EVENTS = frozenset(
    {"articles_found", "articles_failed", "ticket_accepted", "ticket_rejected"}
)
_BACK_LABEL = {"ru": "Назад", "en": "Back"}


@attrs.frozen
class Transition:
    """The result of one step of the engine: the new session, what to show, what to do."""

    session: Session
    view: View
    effects: tuple[Effect, ...] = ()


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError("now must be a timezone-aware datetime", code="time.naive")
    return now


class Engine:
    """Runs sessions of one workflow definition.

    The engine holds only the definition and lookup tables derived from it; sessions are
    values passed in and returned, so one engine serves any number of them concurrently.

    >>> from datetime import datetime, timezone
    >>> from kl_contact import Engine, default_workflow
    >>> engine = Engine(default_workflow())
    >>> first = engine.start(session_id="s-1", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> first.view.kind
    'self_service'
    """

    def __init__(self, workflow: Workflow, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.workflow = workflow
        self.limits = limits
        """How much one event may carry (:func:`~kl_contact.limits.event_problem`)."""
        self._steps = {step.id: step for step in workflow.steps}
        self._index = {step.id: index for index, step in enumerate(workflow.steps)}
        self._questions: dict[str, Question] = workflow.questions()
        self._step_of: dict[str, str] = {q.id: s.id for s in workflow.steps for q in s.questions}
        self._ref = WorkflowRef(workflow.id, workflow.version, workflow.digest)
        self._channels = {channel.id for channel in workflow.channels}
        self._kinds = {step.id: step.kind for step in workflow.steps}
        self._last_context: tuple[object, tuple[str | None, str], ConditionContext] = (
            object(),
            (None, ""),
            ConditionContext(answers={}, channel=None, locale=""),
        )
        # Localised once per locale, so that building a view does no lookup it did before.
        self._option_views = {
            (q.id, locale): tuple(
                (o.when, OptionView(id=o.id, label=_tr(o.label, locale, workflow)))
                for o in q.options
            )
            for q in self._questions.values()
            for locale in workflow.locales
        }
        self._resource_views = {
            locale: tuple(
                ResourceView(
                    id=r.id,
                    kind=r.kind,
                    title=_tr(r.title, locale, workflow),
                    description=_tr(r.description, locale, workflow),
                    url=_tr(r.url, locale, workflow),
                )
                for r in workflow.self_service
            )
            for locale in workflow.locales
        }

    # ------------------------------------------------------------------ public API

    def start(
        self,
        *,
        session_id: str,
        now: datetime,
        locale: str | None = None,
        time_zone: str | None = None,
        region: str | None = None,
    ) -> Transition:
        """A new session on the first step, in ``locale`` (default: the definition's).

        ``time_zone`` (IANA) is where opening times are shown; ``region`` picks regional
        support hours.
        """
        _aware(now)
        if time_zone is not None:
            try:
                zone(time_zone)
            except ValueError:
                raise UsageError("unknown time zone", code="time_zone.unknown") from None
        locale = locale or self.workflow.default_locale
        if locale not in self.workflow.locales:
            raise UsageError(
                "the locale is not declared by the workflow",
                code="locale.unknown",
                params={"locale": locale},
            )
        if not session_id:
            raise UsageError("session_id must not be empty", code="session.no_id")
        session = Session(
            id=session_id,
            workflow=self._ref,
            locale=locale,
            step=self.workflow.start.id,
            created_at=now,
            updated_at=now,
            time_zone=time_zone,
            region=region,
        )
        return self._enter(session, self.workflow.start, now, push=False)

    def handle(self, session: Session, event: Event, now: datetime) -> Transition:
        """Apply ``event`` to ``session`` at ``now``."""
        _aware(now)
        too_big = event_problem(getattr(event, "answers", None), self.limits)
        if too_big is not None:
            raise UsageError(too_big[1], code=too_big[0])
        if session.workflow != self._ref:
            migrate_session(self, session)  # raises: resume() migrates, if the host wants
        self.check_session(session)
        etype = event_type(event)
        if etype not in _HOST_EVENTS and etype not in self.allowed_events(session):
            raise UsageError(
                f"event {etype!r} is not accepted on step {session.step!r} ({session.status})",
                code="event.not_allowed",
            )
        if self._is_stale(session, event):
            return self._stay(session)
        session = self._record(session, etype, now)
        match event:
            case Continue():
                return self._advance(session, now)
            case ChooseChannel(channel):
                return self._choose_channel(session, channel, now)
            case Answer(answers):
                return self._answer(session, answers, now, advance=False)
            case Next(answers):
                return self._answer(session, answers, now, advance=True)
            case Send(answers):
                return self._answer(session, answers, now, advance=True)
            case Back():
                return self._back(session, now)
            case ArticlesFound(_, found):
                # a host's search may hand back any string as a link: only plain links reach
                # the view, and an article that has none is not suggested
                matches = tuple(m for m in found if link_allowed(m.url))
                shown = session.articles.shown + tuple(
                    m.id for m in matches if m.id not in session.articles.shown
                )
                articles = attrs.evolve(
                    session.articles, status="ready", matches=tuple(matches), shown=shown
                )
                return self._stay(attrs.evolve(session, articles=articles))
            case ArticlesFailed():
                articles = attrs.evolve(session.articles, status="failed", matches=())
                return self._stay(attrs.evolve(session, articles=articles))
            case OpenArticle(article_id):
                opened = session.articles.opened
                if article_id not in opened:
                    opened = (*opened, article_id)
                return self._stay(
                    attrs.evolve(session, articles=attrs.evolve(session.articles, opened=opened))
                )
            case ArticleNotHelpful(article_id, reason):
                feedback = tuple(f for f in session.articles.feedback if f.article_id != article_id)
                feedback += (ArticleFeedback(article_id, helpful=False, reason=reason),)
                return self._stay(
                    attrs.evolve(
                        session, articles=attrs.evolve(session.articles, feedback=feedback)
                    )
                )
            case ArticleHelped(article_id):
                step = self._steps[session.step]
                feedback = tuple(f for f in session.articles.feedback if f.article_id != article_id)
                feedback += (ArticleFeedback(article_id, helpful=True),)
                articles = attrs.evolve(session.articles, helped=article_id, feedback=feedback)
                session = attrs.evolve(session, articles=articles, status="resolved")
                assert step.on_helped is not None  # checked by the loader
                return self._enter(session, self._steps[step.on_helped], now)
            case Escalate():
                session = attrs.evolve(
                    session, articles=attrs.evolve(session.articles, escalated=True)
                )
                return self._advance(session, now)
            case TicketAccepted(submission_id, receipt):
                return self._accepted(session, submission_id, receipt, now)
            case TicketRejected(_, code):
                submission = session.submission
                assert submission is not None  # not stale, so a submission is pending
                loc = self._localizer(session)
                issue = loc.issue("ticket.rejected", (), {"reason": code})
                session = attrs.evolve(
                    session,
                    status="active",
                    submission=attrs.evolve(submission, status="rejected", rejection=code),
                    issues=(issue,),
                )
                return self._stay(session)
            case ChangeLocale(locale):
                if locale not in self.workflow.locales:
                    raise UsageError(
                        "the locale is not declared",
                        code="locale.unknown",
                        params={"locale": locale},
                    )
                session = self._with_policies(attrs.evolve(session, locale=locale))
                step = self._steps[session.step]
                if session.issues and step.kind in {StepKind.QUESTIONS, StepKind.REQUEST}:
                    session = attrs.evolve(session, issues=tuple(self._validate(session, step)))
                else:
                    session = attrs.evolve(session, issues=())
                return self._stay(session)
        raise AssertionError(f"unhandled event {etype}")  # pragma: no cover

    def check_session(self, session: Session) -> None:
        """Raise :class:`UsageError` (``session.misfit``) when ``session`` cannot belong to
        this workflow: an unknown step, channel or locale, or a status its step cannot have."""
        problem = misfit(session, self._kinds, self._channels, self.workflow.locales)
        if problem is not None:
            raise UsageError(problem, code="session.misfit")

    def resume(
        self,
        session: Session,
        now: datetime,
        *,
        on_version_change: VersionPolicy | str = VersionPolicy.REFUSE,
    ) -> tuple[Transition, Migration]:
        """Take up a stored session, migrating it to this definition's version if the host
        allows it (see :mod:`kl_contact.engine.migration`); returns the view and the record.
        """
        _aware(now)
        migration = migrate_session(self, session, on_version_change=on_version_change)
        moved = migration.session
        if migration.step_to != migration.step_from:
            return self._enter(moved, self._steps[moved.step], now, push=False), migration
        return self._stay(moved), migration

    @staticmethod
    def _is_stale(session: Session, event: Event) -> bool:
        """Whether a host event answers an effect that is no longer awaited."""
        if isinstance(event, ArticlesFound | ArticlesFailed):
            state = session.articles
            return state.search_id != event.search_id or state.status != "loading"
        if isinstance(event, TicketAccepted | TicketRejected):
            pending = session.submission
            return (
                pending is None
                or pending.id != event.submission_id
                or session.status != "submitting"
            )
        return False

    def allowed_events(self, session: Session) -> tuple[str, ...]:
        """The user event types the current step accepts now."""
        if session.status == "submitting":
            return ()
        step = self._steps[session.step]
        events = _USER_EVENTS_BY_KIND[step.kind]
        if step.kind in TERMINAL_KINDS or session.status != "active":
            return events
        back = ("back",) if session.trail else ()
        return (*events, *back, "change_locale")

    def view(self, session: Session) -> View:
        """The view of the session's current step."""
        step = self._steps[session.step]
        locale = session.locale
        fallback = self.workflow.default_locale

        def tr(text: Mapping[str, str] | None) -> str | None:
            return localize(text, locale, fallback) if text is not None else None

        ctx = self._context(session)
        issues_by_question: dict[str, list[ValidationIssue]] = {}
        step_issues: list[ValidationIssue] = []
        for issue in session.issues:
            qid = issue.question
            if qid is not None:
                issues_by_question.setdefault(qid, []).append(issue)
            else:
                step_issues.append(issue)

        questions: list[QuestionView] = []
        if step.kind in {StepKind.QUESTIONS, StepKind.REQUEST}:
            for question in visible_questions(step, ctx):
                questions.append(
                    self._question_view(
                        question, session, ctx, issues_by_question.get(question.id, [])
                    )
                )

        view = View(
            session_id=session.id,
            workflow=self.workflow.id,
            step=step.id,
            kind=step.kind.value,
            status=session.status,
            locale=locale,
            locales=self.workflow.locales,
            title=tr(step.title) or "",
            text=tr(step.text),
            progress=Progress(index=self._index[step.id] + 1, total=len(self.workflow.steps)),
            channel=session.channel,
            actions=self._actions(session, step),
            issues=tuple(step_issues),
            questions=tuple(questions),
        )
        if step.kind is StepKind.SELF_SERVICE:
            view = attrs.evolve(view, resources=self._resource_views[locale])
        elif step.kind is StepKind.CHANNEL_CHOICE:
            page = self.workflow.contacts_page
            status = statuses(self.workflow, session)
            view = attrs.evolve(
                view,
                contacts_page=LinkView(title=tr(page.title) or "", url=tr(page.url) or ""),
                channels=tuple(
                    ChannelView(
                        id=c.id,
                        title=tr(c.title) or "",
                        description=tr(c.description) or "",
                        button=tr(c.button) or "",
                        **attrs.asdict(status[c.id], recurse=False, filter=_status_field),
                    )
                    for c in self.workflow.channels
                ),
            )
        elif step.kind is StepKind.ARTICLES:
            state = session.articles
            view = attrs.evolve(
                view,
                articles=ArticlesView(
                    status=state.status,
                    matches=state.matches,
                    opened=state.opened,
                    not_helpful=tuple(f.article_id for f in state.feedback if not f.helpful),
                ),
            )
            if state.status == "failed":
                loc = self._localizer(session)
                view = attrs.evolve(
                    view,
                    issues=(*view.issues, loc.issue("articles.failed", (), severity="warning")),
                )
        elif (
            step.kind is StepKind.CONFIRMATION and session.submission and session.submission.receipt
        ):
            receipt = session.submission.receipt
            email = session.submission.ticket.contact.email
            view = attrs.evolve(
                view,
                confirmation=ConfirmationView(
                    request_number=receipt.request_number,
                    channel=receipt.channel,
                    instructions=build_instructions(self.workflow, receipt, email, locale),
                ),
            )
        return view

    # ------------------------------------------------------------------ internals

    def _record(self, session: Session, etype: str, now: datetime) -> Session:
        entry = HistoryEntry(at=now, event=etype, step=session.step)
        history = (*session.history, entry)[-MAX_HISTORY:]
        return attrs.evolve(session, history=history, updated_at=now)

    def _context(self, session: Session) -> ConditionContext:
        # One step reads the context several times for the same answers: the last one is
        # kept, keyed by the answers object itself (held here, so its identity is not reused).
        last = self._last_context
        if last[0] is session.answers and last[1] == (session.channel, session.locale):
            return last[2]
        answers = visible_answers(self.workflow, session.answers, session.channel, session.locale)
        ctx = ConditionContext(answers=answers, channel=session.channel, locale=session.locale)
        self._last_context = (session.answers, (session.channel, session.locale), ctx)
        return ctx

    def _with_policies(self, session: Session) -> Session:
        """The session after the definition's answer policies (see answer_policy.py)."""
        answers = apply_answer_policies(
            self.workflow, session.answers, session.channel, session.locale
        )
        return session if answers == session.answers else attrs.evolve(session, answers=answers)

    def _localizer(self, session: Session) -> Localizer:
        return Localizer(session.locale, self.workflow.default_locale, self.workflow.messages)

    def _stay(self, session: Session, effects: tuple[Effect, ...] = ()) -> Transition:
        return Transition(session=session, view=self.view(session), effects=effects)

    def _question_view(
        self,
        question: Question,
        session: Session,
        ctx: ConditionContext,
        issues: list[ValidationIssue],
    ) -> QuestionView:
        locale, fallback = session.locale, self.workflow.default_locale

        def tr(text: Mapping[str, str] | None) -> str | None:
            return localize(text, locale, fallback) if text is not None else None

        rules = None
        if question.type is QuestionType.ATTACHMENTS and question.attachments is not None:
            policy = question.attachments
            rules = AttachmentRules(
                media_types=policy.media_types,
                extensions=policy.extensions,
                max_size=policy.max_size,
                max_count=policy.max_count,
                max_total_size=policy.max_total_size,
            )
        return QuestionView(
            id=question.id,
            type=question.type.value,
            label=tr(question.label) or "",
            required=is_required(question, ctx),
            help=tr(question.help),
            placeholder=tr(question.placeholder),
            role=question.role.value if question.role else None,
            options=tuple(
                view
                for when, view in self._option_views[(question.id, locale)]
                if when is None or evaluate(when, ctx)
            ),
            value=session.answers.get(question.id),
            issues=tuple(issues),
            min_length=question.min_length,
            max_length=question.max_length,
            min_selected=question.min_selected,
            max_selected=question.max_selected,
            attachments=rules,
        )

    def _actions(self, session: Session, step: Step) -> tuple[Action, ...]:
        locale, fallback = session.locale, self.workflow.default_locale
        button = localize(step.button, locale, fallback) if step.button else None
        labels: dict[str, str | None] = {
            "continue": button,
            "next": button,
            "send": button,
            "escalate": button,
            "back": localize(_BACK_LABEL, locale, "en"),
        }
        primary = {"continue", "next", "send", "escalate", "choose_channel"}
        return tuple(
            Action(type=etype, label=labels.get(etype), primary=etype in primary)
            for etype in self.allowed_events(session)
            if etype != "change_locale"
        )

    def next_step(self, session: Session) -> Step:
        """Where the session goes from its step when the user goes on: routes, then next."""
        return self._next_step(session, self._steps[session.step])

    def _next_step(self, session: Session, step: Step) -> Step:
        ctx = self._context(session)
        for route in step.routes:
            if evaluate(route.when, ctx):
                return self._steps[route.to]
        assert step.next is not None  # every non-terminal step has one (checked by the loader)
        return self._steps[step.next]

    def _advance(self, session: Session, now: datetime) -> Transition:
        step = self._steps[session.step]
        return self._enter(session, self._next_step(session, step), now)

    def _enter(
        self, session: Session, step: Step, now: datetime, *, push: bool = True
    ) -> Transition:
        trail = (*session.trail, session.step) if push else session.trail
        session = attrs.evolve(session, step=step.id, trail=trail, issues=())
        effects: tuple[Effect, ...] = ()
        if step.kind is StepKind.ARTICLES:
            sequence = session.sequence + 1
            search_id = f"{session.id}:search:{sequence}"
            session = attrs.evolve(
                session,
                sequence=sequence,
                articles=attrs.evolve(
                    session.articles, status="loading", search_id=search_id, matches=()
                ),
            )
            effects = (
                SearchArticles(
                    search_id=search_id,
                    query=self._query(session),
                    limit=self.workflow.articles.limit,
                    min_score=self.workflow.articles.min_score,
                ),
            )
        return Transition(session=session, view=self.view(session), effects=effects)

    def _choose_channel(self, session: Session, channel: str, now: datetime) -> Transition:
        if channel not in self._channels:
            raise UsageError(
                "the channel is not declared", code="channel.unknown", params={"channel": channel}
            )
        closed = closed_issue(self.workflow, session, channel, self._localizer(session))
        if closed is not None:
            return self._stay(attrs.evolve(session, issues=(closed,)))
        return self._advance(self._with_policies(attrs.evolve(session, channel=channel)), now)

    def _back(self, session: Session, now: datetime) -> Transition:
        previous = session.trail[-1]
        session = attrs.evolve(
            session, step=previous, trail=session.trail[:-1], issues=(), status="active"
        )
        return self._stay(session)

    def _validate(self, session: Session, step: Step) -> list[ValidationIssue]:
        region = phone_region(self.workflow.phone_region, session.locale)
        return validate_step(
            step, session.answers, self._context(session), self._localizer(session), region
        )

    def _answer(
        self, session: Session, given: Mapping[str, AnswerValue], now: datetime, *, advance: bool
    ) -> Transition:
        step = self._steps[session.step]
        own = {q.id for q in step.questions}
        loc = self._localizer(session)
        unknown = [
            loc.issue("answer.unknown_question", ("answers", qid), severity="warning")
            for qid in given
            if qid not in own
        ]
        answers = dict(session.answers)
        answers.update({qid: value for qid, value in given.items() if qid in own})
        session = self._with_policies(attrs.evolve(session, answers=answers))
        issues = self._validate(session, step)
        if not advance:
            touched = [i for i in issues if i.question in given and i.code != "answer.required"]
            return self._stay(attrs.evolve(session, issues=tuple(touched + unknown)))
        blocking = [i for i in issues if i.severity == "error"]
        if blocking:
            return self._stay(attrs.evolve(session, issues=tuple(issues + unknown)))
        if step.kind is StepKind.REQUEST:
            return self._submit(session, now)
        return self._advance(session, now)

    def _query(self, session: Session) -> ArticleQuery:
        roles = self._answers_by_role(session)
        texts = [roles.get(Role.SUBJECT), roles.get(Role.DESCRIPTION)]
        for question in self._visible_all(session):
            if question.type is QuestionType.TEXT and question.role is None:
                texts.append(session.answers.get(question.id))
        return ArticleQuery(
            locale=session.locale,
            text=" ".join(t for t in texts if isinstance(t, str) and t.strip()),
            product=_str_or_none(roles.get(Role.PRODUCT)),
            category=_str_or_none(roles.get(Role.CATEGORY)),
            platform=_str_or_none(roles.get(Role.PLATFORM)),
            channel=session.channel,
        )

    def _visible_all(self, session: Session) -> list[Question]:
        """Every question the user could see on the steps they went through, in order."""
        ctx = self._context(session)
        went_through = {*session.trail, session.step}
        out: list[Question] = []
        for step in self.workflow.steps:
            if step.id in went_through:
                out.extend(visible_questions(step, ctx))
        return out

    def _answers_by_role(self, session: Session) -> dict[Role, AnswerValue]:
        out: dict[Role, AnswerValue] = {}
        for question in self._visible_all(session):
            value = session.answers.get(question.id)
            if question.role is not None and value is not None and is_answered(value):
                out.setdefault(question.role, value)
        return out

    def build_ticket(self, session: Session, ticket_id: str, now: datetime) -> Ticket:
        """The ticket the session would send now: visible answers only, labels localised."""
        locale, fallback = session.locale, self.workflow.default_locale
        ctx = self._context(session)
        region = phone_region(self.workflow.phone_region, locale)
        roles = self._answers_by_role(session)
        answers: list[TicketAnswer] = []
        for question in self._visible_all(session):
            value = session.answers.get(question.id)
            if value is None or question.type is QuestionType.INFO or not is_answered(value):
                continue
            value = normalise_answer(question.type, value, region)
            answers.append(
                TicketAnswer(
                    question=question.id,
                    label=localize(question.label, locale, fallback),
                    type=question.type.value,
                    value=value,
                    display=self._display(question, value, ctx, locale),
                )
            )
        by_id = {a.question: a for a in answers}
        subject = _str_or_none(roles.get(Role.SUBJECT))
        if subject is None:
            parts = [
                by_id[q.id].display
                for q in self._visible_all(session)
                if q.role in {Role.PRODUCT, Role.CATEGORY} and q.id in by_id
            ]
            subject = " / ".join(parts)
        files = roles.get(Role.ATTACHMENTS)
        attachments = (
            tuple(f for f in files if isinstance(f, Attachment)) if isinstance(files, tuple) else ()
        )
        state = session.articles
        email = _str_or_none(roles.get(Role.CONTACT_EMAIL)) or ""
        phone = _str_or_none(roles.get(Role.CONTACT_PHONE))
        return Ticket(
            id=ticket_id,
            session_id=session.id,
            workflow=session.workflow,
            channel=session.channel or "",
            locale=locale,
            created_at=now,
            subject=subject.strip(),
            description=(_str_or_none(roles.get(Role.DESCRIPTION)) or "").strip(),
            contact=ContactDetails(
                email=normalise_answer(QuestionType.EMAIL, email, region),
                name=_strip(_str_or_none(roles.get(Role.CONTACT_NAME))),
                phone=normalise_answer(QuestionType.PHONE, phone, region) if phone else None,
                language=_str_or_none(roles.get(Role.CONTACT_LANGUAGE)) or locale,
            ),
            product=_str_or_none(roles.get(Role.PRODUCT)),
            category=_str_or_none(roles.get(Role.CATEGORY)),
            platform=_str_or_none(roles.get(Role.PLATFORM)),
            answers=tuple(answers),
            attachments=attachments,
            articles=TicketArticles(
                shown=state.shown,
                opened=state.opened,
                not_helpful=tuple(f.article_id for f in state.feedback if not f.helpful),
                escalated=state.escalated,
            ),
        )

    def _display(
        self, question: Question, value: AnswerValue, ctx: ConditionContext, locale: str
    ) -> str:
        fallback = self.workflow.default_locale
        labels = {o.id: localize(o.label, locale, fallback) for o in question.options}
        if isinstance(value, bool):
            return message(
                "answer.yes" if value else "answer.no", locale, fallback, overrides=_YES_NO
            )
        if isinstance(value, str):
            return labels.get(value, value) if question.options else value
        return ", ".join(labels.get(v, v) if isinstance(v, str) else v.name for v in value)

    def _submit(self, session: Session, now: datetime) -> Transition:
        sequence = session.sequence + 1
        submission_id = f"{session.id}:ticket:{sequence}"
        ticket = self.build_ticket(session, submission_id, now)
        session = attrs.evolve(
            session,
            sequence=sequence,
            status="submitting",
            submission=Submission(id=submission_id, ticket=ticket),
            issues=(),
        )
        return self._stay(session, (SubmitTicket(submission_id=submission_id, ticket=ticket),))

    def _accepted(
        self, session: Session, submission_id: str, receipt: object, now: datetime
    ) -> Transition:
        from kl_contact.ticket.model import Receipt

        assert isinstance(receipt, Receipt)
        submission = session.submission
        assert submission is not None  # not stale, so a submission is pending
        loc = self._localizer(session)
        problems = receipt_problems(receipt, session.channel)
        if problems:
            issues = tuple(loc.issue(code, ()) for code in problems)
            return self._stay(attrs.evolve(session, issues=issues))
        submission = attrs.evolve(submission, status="accepted", receipt=receipt)
        session = attrs.evolve(session, status="submitted", submission=submission)
        step = self._steps[session.step]
        transition = self._enter(session, self._next_step(session, step), now)
        effect = SendRegistrationEmail(
            submission_id=submission_id,
            locale=session.locale,
            ticket=submission.ticket,
            receipt=receipt,
        )
        return attrs.evolve(transition, effects=(*transition.effects, effect))


def _tr(text: Mapping[str, str], locale: str, workflow: Workflow) -> str:
    return localize(text, locale, workflow.default_locale)


def _status_field(field: attrs.Attribute[object], _: object) -> bool:
    return field.name != "channel"


_YES_NO = {"answer.yes": {"ru": "да", "en": "yes"}, "answer.no": {"ru": "нет", "en": "no"}}


def _str_or_none(value: AnswerValue | None) -> str | None:
    return value if isinstance(value, str) else None


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None
