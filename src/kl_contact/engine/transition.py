"""The transition: ``transition(flow, session, event, now) -> (session, effects)``.

Everything that decides how a session moves lives in this module, and "where next" is a
lookup in the compiled flow's table (:mod:`kl_contact.definition.flow`), never decided
here. The function is pure: no I/O, no clock, no random number, no state kept between
calls. The time comes in as ``now`` and identifiers are derived from the session id and a
counter, so the same inputs always give the same outputs. What a frontend shows is the
presenter's business (:mod:`kl_contact.engine.present`), the ticket the builder's
(:mod:`kl_contact.ticket.build`).

Rules:

* a user's mistake never raises: it is kept in the session as issues, and every answer the
  user typed is kept;
* an event the current step does not accept raises :class:`~kl_contact.errors.UsageError`
  naming the step, the event and the allowed events;
* results of effects that are no longer awaited (a stale search, a second receipt) change
  nothing;
* a step costs in proportion to the current step: conditions read only the answers the
  step's table names, answer policies look only at what the change may hide, and the new
  session is built by one constructor call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from kl_contact._replace import replace, replacer
from kl_contact._text import link_allowed, localize
from kl_contact.articles.model import ArticleQuery
from kl_contact.channels.callback import offered_slots, slot_start
from kl_contact.channels.receipt_fields import missing_receipt_fields, receipt_fields
from kl_contact.channels.status import closed_issue, statuses
from kl_contact.definition.conditions import ConditionContext
from kl_contact.definition.flow import HOST_EVENTS, Flow, StepTable
from kl_contact.definition.model import QuestionType, Role, StepKind
from kl_contact.engine import follow_up
from kl_contact.engine.effects import (
    Effect,
    EstimateWait,
    Feedback,
    RecordFeedback,
    SearchArticles,
    SendRegistrationEmail,
    SubmitTicket,
)
from kl_contact.engine.events import (
    EVENT_TYPES,
    MAX_WAIT_MINUTES,
    AddInformation,
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
    FindRequest,
    FollowUp,
    Next,
    OpenArticle,
    Rate,
    Reopen,
    RequestCallback,
    RequestFound,
    RequestNotFound,
    Send,
    SkipRating,
    TicketAccepted,
    TicketRejected,
    WaitEstimated,
)
from kl_contact.engine.fit import misfit
from kl_contact.engine.migration import migrate_session
from kl_contact.engine.prefill import locked_questions
from kl_contact.engine.present import allowed_events
from kl_contact.engine.session import (
    MAX_HISTORY,
    ArticleFeedback,
    ArticlesState,
    CallbackBooking,
    HistoryEntry,
    Rating,
    Session,
    Submission,
    Waits,
)
from kl_contact.errors import UsageError, ValidationIssue
from kl_contact.limits import DEFAULT_LIMITS, Limits
from kl_contact.messages import Localizer
from kl_contact.questionnaire.answer_policy import clear_hidden
from kl_contact.questionnaire.fields import phone_region
from kl_contact.questionnaire.validation import issue_in_locale, validate_answer
from kl_contact.ticket.build import answers_by_role, build_ticket, visible_along
from kl_contact.ticket.model import (
    AnswerValue,
    Receipt,
    Ticket,
    TicketArticles,
    TicketCallback,
    WorkflowRef,
)
from kl_contact.ticket.receipts import receipt_problems

__all__ = [
    "aware",
    "check_session",
    "entered",
    "moved_with_context",
    "session_ticket",
    "transition",
    "workflow_ref",
]

_copy_session = replacer(Session)
_NO_WAITS = Waits()
_WAITING = frozenset({StepKind.CHANNEL_CHOICE, StepKind.CONFIRMATION})
_ASKING = frozenset({StepKind.QUESTIONS, StepKind.REQUEST, StepKind.FOLLOW_UP})


def aware(now: datetime) -> datetime:
    """``now``, or :class:`UsageError` (``time.naive``) when it has no time zone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError("now must be a timezone-aware datetime", code="time.naive")
    return now


def workflow_ref(flow: Flow) -> WorkflowRef:
    """The reference a session records of ``flow``'s definition."""
    workflow = flow.workflow
    return WorkflowRef(workflow.id, workflow.version, workflow.digest)


def check_session(flow: Flow, session: Session) -> None:
    """Raise :class:`UsageError` (``session.misfit``) when ``session`` cannot belong to
    ``flow``: an unknown step, channel or locale, or a status its step cannot have."""
    problem = misfit(session, flow)
    if problem is not None:
        raise UsageError(problem, code="session.misfit")


class _Draft:
    """The session being built by one transition: the changes over the one handed in.

    It lives for one call of :func:`transition` and is never shared; the new session is
    made from it by one constructor call.
    """

    __slots__ = ("base", "changes", "effects", "flow", "limits", "seen")

    def __init__(self, flow: Flow, base: Session, limits: Limits = DEFAULT_LIMITS) -> None:
        self.flow = flow
        self.base = base
        self.limits = limits
        self.changes: dict[str, Any] = {}
        self.effects: tuple[Effect, ...] = ()
        self.seen: tuple[str, object, str | None, str, ConditionContext] | None = None
        """The last context built: its step, the answers, channel and locale it read."""

    def get(self, name: str) -> Any:
        changes = self.changes
        return changes[name] if name in changes else getattr(self.base, name)

    def build(self) -> Session:
        return _copy_session(self.base, self.changes)

    def localizer(self) -> Localizer:
        workflow = self.flow.workflow
        return Localizer(self.get("locale"), workflow.default_locale, workflow.messages)

    def context(self, step: str) -> ConditionContext:
        answers, channel, locale = self.get("answers"), self.get("channel"), self.get("locale")
        ctx = self.flow.step_context(step, answers, channel, locale)
        self.seen = (step, answers, channel, locale, ctx)
        return ctx

    def final_context(self, session: Session) -> ConditionContext | None:
        """The context of ``session``'s step when this draft built it from the very answers,
        channel and locale ``session`` holds (answers are never changed in place)."""
        seen = self.seen
        if seen is None:
            return None
        step, answers, channel, locale, ctx = seen
        if (
            step == session.step
            and answers is session.answers
            and channel == session.channel
            and locale == session.locale
        ):
            return ctx
        return None

    def clear(self, changed: tuple[str, ...]) -> None:
        """Apply the answer policies to what ``changed`` may hide."""
        clearing = self.flow.clearing_after(changed)
        if clearing:
            answers = self.get("answers")
            kept = clear_hidden(
                self.flow, clearing, answers, self.get("channel"), self.get("locale")
            )
            if kept is not answers:
                self.changes["answers"] = kept

    def record(self, table: StepTable, given: Mapping[str, AnswerValue]) -> list[ValidationIssue]:
        """Keep the answers in ``given`` to the questions the step asks now (applying the
        answer policies to what they may hide); the issues of what was not taken: a
        read-only prefilled answer sent with another value (an error: it stays what the
        host sent) and answers to questions the step does not ask (warnings)."""
        own = table.question_ids
        if table.step.kind is StepKind.FOLLOW_UP:
            own = follow_up.asked(table, self.base.follow_up)
        base = self.base
        locked = locked_questions(self.flow, base.prefilled, base.answers)
        unknown = [qid for qid in given if qid not in own]
        refused = [
            qid
            for qid, value in given.items()
            if qid in locked and qid in own and value != base.answers.get(qid)
        ]
        noted: list[ValidationIssue] = []
        if unknown or refused:  # the messages are worded only when there is something to say
            loc = self.localizer()
            noted = [loc.issue("answer.read_only", ("answers", qid)) for qid in refused] + [
                loc.issue("answer.unknown_question", ("answers", qid), severity="warning")
                for qid in unknown
            ]
        mine = {qid: value for qid, value in given.items() if qid in own and qid not in locked}
        if mine:
            answers = dict(base.answers)
            answers.update(mine)
            self.changes["answers"] = answers
            self.clear(tuple(mine))
            if base.prefilled or base.prefill_issues:
                _after_prefill(self, mine)
        return noted

    def validate(
        self, table: StepTable, only: Collection[str] | None = None
    ) -> list[ValidationIssue]:
        """The issues of the step's visible questions (of those in ``only``, when given)."""
        workflow = self.flow.workflow
        locale = self.get("locale")
        answers = self.get("answers")
        ctx = self.context(table.id)
        loc = self.localizer()
        region = phone_region(workflow.phone_region, locale)
        issues: list[ValidationIssue] = []
        for question, when in table.questions:
            if (only is None or question.id in only) and when(ctx):
                issues += validate_answer(question, answers.get(question.id), ctx, loc, region)
        return issues

    def advance(self, table: StepTable, event: str) -> None:
        """Leave ``table``'s step the way its table says for ``event``."""
        target = table.fixed_target(event)
        if target is None:
            target = table.target(event, self.context(table.id))
        assert target is not None  # every way out ends in a default (checked by the loader)
        self.enter(target)

    def enter(self, target: str, *, push: bool = True) -> None:
        """Stand on step ``target``; an articles step asks for a search."""
        changes = self.changes
        if push:
            changes["trail"] = (*self.get("trail"), self.get("step"))
        changes["step"] = target
        changes["issues"] = ()
        kind = self.flow.steps[target].step.kind
        if kind in _WAITING:
            self.ask_waits(kind)
        if kind is StepKind.ARTICLES:
            sequence = self.get("sequence") + 1
            search_id = f"{self.base.id}:search:{sequence}"
            changes["sequence"] = sequence
            changes["articles"] = replace(
                self.get("articles"), status="loading", search_id=search_id, matches=()
            )
            settings = self.flow.workflow.articles
            search = SearchArticles(
                search_id=search_id,
                query=self.query(),
                limit=settings.limit,
                min_score=settings.min_score,
            )
            self.effects = (*self.effects, search)

    def ask_waits(self, kind: StepKind) -> None:
        """Ask the host for the expected wait on the open channels that estimate it: every
        one on a channel choice, the chosen one on a confirmation. Earlier waits go."""
        flow = self.flow
        estimating = flow.estimating
        if kind is StepKind.CONFIRMATION:
            estimating = tuple(c for c in estimating if c == self.get("channel"))
        asked: tuple[str, ...] = ()
        if estimating:
            base = self.base  # no event changes the region or the time zone
            status = statuses(flow.workflow, self.get("updated_at"), base.region, base.time_zone)
            asked = tuple(c for c in estimating if status[c].open)
        if not asked:
            if self.get("waits") != _NO_WAITS:
                self.changes["waits"] = _NO_WAITS
            return
        # one showing per revision at most: the revision tells the showings apart
        estimate_id = f"{self.base.id}:wait:{self.get('revision')}"
        self.changes["waits"] = Waits(estimate_id=estimate_id, asked=asked)
        asks = tuple(EstimateWait(estimate_id=estimate_id, channel=c) for c in asked)
        self.effects = (*self.effects, *asks)

    def query(self) -> ArticleQuery:
        answers = self.get("answers")
        shown, _ = visible_along(
            self.flow,
            (*self.get("trail"), self.get("step")),
            answers,
            self.get("channel"),
            self.get("locale"),
        )
        roles = answers_by_role(shown, answers)
        texts = [roles.get(Role.SUBJECT), roles.get(Role.DESCRIPTION)]
        texts += [
            answers.get(q.id) for q in shown if q.type is QuestionType.TEXT and q.role is None
        ]
        return ArticleQuery(
            locale=self.get("locale"),
            text=" ".join(t for t in texts if isinstance(t, str) and t.strip()),
            product=_str_or_none(roles.get(Role.PRODUCT)),
            category=_str_or_none(roles.get(Role.CATEGORY)),
            platform=_str_or_none(roles.get(Role.PLATFORM)),
            channel=self.get("channel"),
        )


def _str_or_none(value: AnswerValue | None) -> str | None:
    return value if isinstance(value, str) else None


def _ticket(flow: Flow, get: Callable[[str], Any], ticket_id: str, now: datetime) -> Ticket:
    state: ArticlesState = get("articles")
    booking: CallbackBooking | None = get("callback")
    callback = None
    if booking is not None and booking.channel == get("channel"):
        callback = TicketCallback(booking.starts_at, booking.ends_at, booking.time_zone)
    return build_ticket(
        flow,
        ticket_id=ticket_id,
        session_id=get("id"),
        workflow=get("workflow"),
        passed=(*get("trail"), get("step")),
        answers=get("answers"),
        channel=get("channel"),
        locale=get("locale"),
        articles=TicketArticles(
            shown=state.shown,
            opened=state.opened,
            not_helpful=tuple(f.article_id for f in state.feedback if not f.helpful),
            escalated=state.escalated,
        ),
        now=now,
        callback=callback,
        prefilled=get("prefilled"),
    )


def session_ticket(flow: Flow, session: Session, ticket_id: str, now: datetime) -> Ticket:
    """The ticket ``session`` would send now (see :func:`kl_contact.ticket.build.build_ticket`)."""
    return _ticket(flow, functools.partial(getattr, session), ticket_id, now)


def entered(flow: Flow, session: Session) -> tuple[Session, tuple[Effect, ...]]:
    """``session`` standing on its step as if it had just come there (a new or migrated
    session): an articles step asks for its search."""
    draft = _Draft(flow, session)
    draft.enter(session.step, push=False)
    return draft.build(), draft.effects


def _is_stale(session: Session, event: Event) -> bool:
    """Whether a host event answers an effect that is no longer awaited."""
    if isinstance(event, ArticlesFound | ArticlesFailed):
        state = session.articles
        return state.search_id != event.search_id or state.status != "loading"
    if isinstance(event, RequestFound | RequestNotFound):
        return follow_up.is_stale(session, event.lookup_id)
    if isinstance(event, TicketAccepted | TicketRejected):
        pending = session.submission
        return (
            pending is None or pending.id != event.submission_id or session.status != "submitting"
        )
    if isinstance(event, WaitEstimated):
        waits = session.waits
        minutes = event.wait_minutes
        return (
            waits.estimate_id != event.estimate_id
            or event.channel not in waits.asked
            or isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 0 <= minutes <= MAX_WAIT_MINUTES
        )
    return False


def transition(
    flow: Flow,
    session: Session,
    event: Event,
    now: datetime,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Session, tuple[Effect, ...]]:
    """Apply ``event`` to ``session`` at ``now``: the new session and the effects to run.

    ``limits`` bounds what a user may send (the comment of a rating: ``comment_length``).
    Raises :class:`UsageError` for a naive ``now``, a session that does not fit ``flow``
    (or was recorded on another version of it), and an event the step does not accept.
    """
    moved, effects, _ = moved_with_context(flow, session, event, now, limits=limits)
    return moved, effects


def moved_with_context(
    flow: Flow,
    session: Session,
    event: Event,
    now: datetime,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Session, tuple[Effect, ...], ConditionContext | None]:
    """:func:`transition`, and the context of the new session's step when the transition
    built it already (the presenter reads it instead of building it again), else None."""
    aware(now)
    ref = session.workflow
    workflow = flow.workflow
    if ref.digest != workflow.digest or ref.id != workflow.id or ref.version != workflow.version:
        migrate_session(flow, session)  # raises: Engine.resume migrates, if the host wants
    check_session(flow, session)
    etype = EVENT_TYPES[type(event)]
    table = flow.steps[session.step]
    if etype not in HOST_EVENTS:
        allowed = allowed_events(table, session)
        if etype not in allowed:
            raise UsageError(
                f"event {etype!r} is not accepted on step {session.step!r} ({session.status})",
                code="event.not_allowed",
                step=session.step,
                event=etype,
                allowed=allowed,
            )
    elif _is_stale(session, event):
        return session, (), None
    draft = _Draft(flow, session, limits)
    history = session.history
    entry = HistoryEntry(at=now, event=etype, step=session.step)
    draft.changes["history"] = (
        (*history, entry) if len(history) < MAX_HISTORY else (*history, entry)[-MAX_HISTORY:]
    )
    draft.changes["updated_at"] = now
    draft.changes["revision"] = session.revision + 1
    _HANDLERS[type(event)](draft, table, event, now)
    moved = draft.build()
    return moved, draft.effects, draft.final_context(moved)


def _continue(draft: _Draft, table: StepTable, event: Continue, now: datetime) -> None:
    draft.advance(table, "continue")


def _choose(draft: _Draft, table: StepTable, event: ChooseChannel, now: datetime) -> None:
    _choose_channel(draft, table, event.channel, now)


def _record(draft: _Draft, table: StepTable, event: Answer, now: datetime) -> None:
    _answer(draft, table, event.answers, now, advance=False)


def _go_on(draft: _Draft, table: StepTable, event: Next | Send, now: datetime) -> None:
    _answer(draft, table, event.answers, now, advance=True)


def _back(draft: _Draft, table: StepTable, event: Back, now: datetime) -> None:
    trail = draft.base.trail
    draft.changes.update(step=trail[-1], trail=trail[:-1], issues=(), status="active")
    kind = draft.flow.steps[trail[-1]].step.kind
    if kind is StepKind.CHANNEL_CHOICE:  # the waits are asked for again, as on entering
        draft.ask_waits(kind)


def _found(draft: _Draft, table: StepTable, event: ArticlesFound, now: datetime) -> None:
    state = draft.base.articles
    # a host's search may hand back any string as a link: only plain links reach the view,
    # and an article that has none is not suggested
    matches = tuple(m for m in event.matches if link_allowed(m.url))
    shown = state.shown + tuple(m.id for m in matches if m.id not in state.shown)
    draft.changes["articles"] = replace(state, status="ready", matches=matches, shown=shown)


def _failed(draft: _Draft, table: StepTable, event: ArticlesFailed, now: datetime) -> None:
    draft.changes["articles"] = replace(draft.base.articles, status="failed", matches=())


def _opened(draft: _Draft, table: StepTable, event: OpenArticle, now: datetime) -> None:
    state = draft.base.articles
    if event.article_id not in state.opened:
        draft.changes["articles"] = replace(state, opened=(*state.opened, event.article_id))


def _not_helpful(draft: _Draft, table: StepTable, event: ArticleNotHelpful, now: datetime) -> None:
    verdict = ArticleFeedback(event.article_id, helpful=False, reason=event.reason)
    draft.changes["articles"] = _with_feedback(draft.base.articles, verdict)


def _helped(draft: _Draft, table: StepTable, event: ArticleHelped, now: datetime) -> None:
    verdict = ArticleFeedback(event.article_id, helpful=True)
    articles = _with_feedback(draft.base.articles, verdict)
    draft.changes["articles"] = replace(articles, helped=event.article_id)
    draft.changes["status"] = "resolved"
    draft.advance(table, "article_helped")


def _escalate(draft: _Draft, table: StepTable, event: Escalate, now: datetime) -> None:
    draft.changes["articles"] = replace(draft.base.articles, escalated=True)
    draft.advance(table, "escalate")


def _rejected(draft: _Draft, table: StepTable, event: TicketRejected, now: datetime) -> None:
    submission = draft.base.submission
    assert submission is not None  # not stale, so a submission is pending
    issue = draft.localizer().issue("ticket.rejected", (), {"reason": event.code})
    draft.changes.update(
        status="active",
        submission=replace(submission, status="rejected", rejection=event.code),
        issues=(issue,),
    )


def _locale(draft: _Draft, table: StepTable, event: ChangeLocale, now: datetime) -> None:
    if event.locale not in draft.flow.workflow.locales:
        raise UsageError(
            "the locale is not declared", code="locale.unknown", params={"locale": event.locale}
        )
    draft.changes["locale"] = event.locale
    draft.clear(("@locale",))
    if table.step.kind in _ASKING:  # the same issues, worded anew: nothing is checked again
        issues = draft.base.issues
        draft.changes["issues"] = tuple(
            issue_in_locale(draft.flow, i, event.locale) for i in issues
        )
    else:
        # A closed channel's issue names channels and an opening time in words of the old
        # locale: it is found again, for the same channel at this moment, in the new one.
        session, found = draft.base, []
        for issue in draft.base.issues:
            channel = issue.params.get("channel_id") if issue.code == "channel.closed" else None
            if isinstance(channel, str) and channel in draft.flow.channels:
                again = closed_issue(
                    draft.flow.workflow, channel, now, session.region, session.time_zone,
                    event.locale,
                )  # fmt: skip
                if again is not None:
                    found.append(again)
            elif (
                issue.code.startswith("callback.")
                and isinstance(channel_id := issue.params.get("channel_id"), str)
                and channel_id in draft.flow.channels
            ):
                found.append(_callback_issue(draft.flow, issue.code, channel_id, event.locale))
        draft.changes["issues"] = tuple(found)


def _ticket_accepted(draft: _Draft, table: StepTable, event: TicketAccepted, now: datetime) -> None:
    _accepted(draft, table, event.submission_id, event.receipt)


def _wait(draft: _Draft, table: StepTable, event: WaitEstimated, now: datetime) -> None:
    waits = draft.base.waits
    minutes = {**waits.minutes, event.channel: event.wait_minutes}
    draft.changes["waits"] = replace(waits, minutes=minutes)


def _callback_issue(flow: Flow, code: str, channel: str, locale: str) -> ValidationIssue:
    """A refused callback's issue, in ``locale``: the channel's title in its words."""
    workflow = flow.workflow
    loc = Localizer(locale, workflow.default_locale, workflow.messages)
    if code != "callback.unavailable":
        return loc.issue(code, ("slot",), {"channel_id": channel})
    title = localize(workflow.channel(channel).title, locale, workflow.default_locale)
    return loc.issue(code, ("channel",), {"channel": title, "channel_id": channel})


def _request_callback(
    draft: _Draft, table: StepTable, event: RequestCallback, now: datetime
) -> None:
    flow = draft.flow
    channel = event.channel
    if channel not in flow.channels:
        raise UsageError(
            "the channel is not declared", code="channel.unknown", params={"channel": channel}
        )
    session = draft.base
    slots = offered_slots(flow.workflow, channel, now, session.region, session.time_zone)
    chosen = next((slot for slot in slots if slot.id == event.slot), None)
    if chosen is None:
        if not slots:
            code = "callback.unavailable"
        else:
            start = slot_start(event.slot)
            passed = start is not None and start <= now
            code = "callback.slot_passed" if passed else "callback.slot_unknown"
        draft.changes["issues"] = (_callback_issue(flow, code, channel, session.locale),)
        return
    zone = getattr(chosen.starts_at.tzinfo, "key", None) or "UTC"
    draft.changes["callback"] = CallbackBooking(
        channel=channel,
        slot=chosen.id,
        starts_at=chosen.starts_at,
        ends_at=chosen.ends_at,
        time_zone=zone,
    )
    draft.changes["channel"] = channel
    draft.clear(("@channel",))
    draft.advance(table, "choose_channel")


SCORES = range(1, 6)
"""The scores a rating takes: 1 (not helped at all) to 5 (fully helped)."""


def _rate(draft: _Draft, table: StepTable, event: Rate, now: datetime) -> None:
    loc = draft.localizer()
    score = event.score
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        params = {"min": SCORES.start, "max": SCORES.stop - 1}
        draft.changes["issues"] = (loc.issue("rating.out_of_range", ("score",), params),)
        return
    comment = event.comment.strip() if isinstance(event.comment, str) else None
    limit = draft.limits.comment_length
    if comment is not None and len(comment) > limit:
        issue = loc.issue("rating.comment_too_long", ("comment",), {"max": limit})
        draft.changes["issues"] = (issue,)
        return
    session = draft.base
    rating = Rating(step=table.id, at=now, score=score, comment=comment or None)
    draft.changes.update(ratings=(*session.ratings, rating), issues=())
    feedback = Feedback(
        session_id=session.id,
        workflow=session.workflow.id,
        step=table.id,
        score=score,
        at=now,
        locale=session.locale,
        channel=session.channel,
        article_id=session.articles.helped,
        request_number=session.request_number,
        comment=rating.comment,
    )
    draft.effects = (RecordFeedback(feedback),)


def _skip_rating(draft: _Draft, table: StepTable, event: SkipRating, now: datetime) -> None:
    rating = Rating(step=table.id, at=now)
    draft.changes.update(ratings=(*draft.base.ratings, rating), issues=())


_Handler = Callable[[_Draft, StepTable, Any, datetime], None]

_HANDLERS: Mapping[type[Event], _Handler] = {
    Continue: _continue,
    ChooseChannel: _choose,
    Answer: _record,
    Next: _go_on,
    Send: _go_on,
    Back: _back,
    ArticlesFound: _found,
    ArticlesFailed: _failed,
    OpenArticle: _opened,
    ArticleNotHelpful: _not_helpful,
    ArticleHelped: _helped,
    Escalate: _escalate,
    TicketAccepted: _ticket_accepted,
    TicketRejected: _rejected,
    ChangeLocale: _locale,
    RequestCallback: _request_callback,
    WaitEstimated: _wait,
    FollowUp: follow_up.follow_up,
    FindRequest: follow_up.find_request,
    AddInformation: follow_up.add_information,
    Reopen: follow_up.reopen,
    RequestFound: follow_up.request_found,
    RequestNotFound: follow_up.request_not_found,
    Rate: _rate,
    SkipRating: _skip_rating,
}
"""What each event does to the draft: one small function per event class."""


def _with_feedback(state: ArticlesState, feedback: ArticleFeedback) -> ArticlesState:
    kept = tuple(f for f in state.feedback if f.article_id != feedback.article_id)
    return replace(state, feedback=(*kept, feedback))


def _choose_channel(draft: _Draft, table: StepTable, channel: str, now: datetime) -> None:
    workflow = draft.flow.workflow
    if channel not in draft.flow.channels:
        raise UsageError(
            "the channel is not declared", code="channel.unknown", params={"channel": channel}
        )
    session = draft.base
    closed = closed_issue(workflow, channel, now, session.region, session.time_zone, session.locale)
    if closed is not None:
        draft.changes["issues"] = (closed,)
        return
    draft.changes["channel"] = channel
    if session.callback is not None:  # the channel is chosen to use it now: no call back
        draft.changes["callback"] = None
    draft.clear(("@channel",))
    draft.advance(table, "choose_channel")


def _answer(
    draft: _Draft,
    table: StepTable,
    given: Mapping[str, AnswerValue],
    now: datetime,
    *,
    advance: bool,
) -> None:
    noted = draft.record(table, given)
    if not advance:  # only the answers given are checked: their issues are the ones shown
        issues = draft.validate(table, only=given)
        touched = [i for i in issues if i.code != "answer.required"]
        draft.changes["issues"] = tuple(touched + noted)
        return
    issues = draft.validate(table)
    if any(i.severity == "error" for i in issues + noted):
        draft.changes["issues"] = tuple(issues + noted)
        return
    if table.step.kind is StepKind.REQUEST:
        _submit(draft, now)
        return
    draft.advance(table, "next")


def _after_prefill(draft: _Draft, mine: Mapping[str, AnswerValue]) -> None:
    """What the user's answers ``mine`` leave of the prefill: a question answered anew is
    no longer prefilled nor has its prefill issue, and neither has one whose answer an
    answer policy dropped."""
    base, answers = draft.base, draft.get("answers")
    kept = tuple(
        qid
        for qid in base.prefilled
        if qid in answers and (qid not in mine or base.answers.get(qid) == mine[qid])
    )
    if kept != base.prefilled:
        draft.changes["prefilled"] = kept
    issues = tuple(i for i in base.prefill_issues if i.question not in mine)
    if issues != base.prefill_issues:
        draft.changes["prefill_issues"] = issues


def _submit(draft: _Draft, now: datetime) -> None:
    booking = draft.base.callback
    if booking is not None and booking.starts_at <= now:  # the call would come too late
        issue = _callback_issue(
            draft.flow, "callback.slot_passed", booking.channel, draft.get("locale")
        )
        draft.changes["issues"] = (replace(issue, path=("callback",)),)
        return
    sequence = draft.base.sequence + 1
    submission_id = f"{draft.base.id}:ticket:{sequence}"
    ticket = _ticket(draft.flow, draft.get, submission_id, now)
    draft.changes.update(
        sequence=sequence,
        status="submitting",
        submission=Submission(id=submission_id, ticket=ticket),
        issues=(),
    )
    needs = receipt_fields(
        draft.flow.workflow, draft.get("channel"), callback=ticket.callback is not None
    )
    draft.effects = (
        SubmitTicket(submission_id=submission_id, ticket=ticket, receipt_fields=needs),
    )


def _accepted(draft: _Draft, table: StepTable, submission_id: str, receipt: Receipt) -> None:
    session = draft.base
    submission = session.submission
    assert submission is not None  # not stale, so a submission is pending
    problems = receipt_problems(receipt, session.channel) or missing_receipt_fields(
        draft.flow.workflow, receipt, callback=submission.ticket.callback is not None
    )
    if problems:
        loc = draft.localizer()
        draft.changes["issues"] = tuple(loc.issue(code, ()) for code in problems)
        return
    submission = replace(submission, status="accepted", receipt=receipt)
    draft.changes["status"] = "submitted"
    draft.changes["submission"] = submission
    draft.advance(table, "ticket_accepted")
    email = SendRegistrationEmail(
        submission_id=submission_id,
        locale=session.locale,
        ticket=submission.ticket,
        receipt=receipt,
    )
    draft.effects = (*draft.effects, email)
