"""The presenter: ``present(flow, session) -> View``, what a frontend renders, read-only.

The presenter never changes a session and decides nothing about the flow: it reads the
compiled flow and the session. What does not depend on the session (titles, texts, option
and resource views, a question's view before it is answered, the actions of each status)
is built once per definition and locale, so a view costs in proportion to what the current
step shows. Opening hours come from :func:`kl_contact.channels.status.statuses`, which
computes each channel once per minute.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Literal, cast

import attrs

from kl_contact._text import localize
from kl_contact.channels.callback import CallbackSlot, offered_slots, slot_label
from kl_contact.channels.instructions import build_instructions
from kl_contact.channels.status import statuses
from kl_contact.definition.answers import AnswerValue
from kl_contact.definition.conditions import (
    AnswerIn,
    ConditionContext,
    Predicate,
    compile_condition,
)
from kl_contact.definition.flow import Flow, StepTable
from kl_contact.definition.model import Question, QuestionType, StepKind, Workflow
from kl_contact.engine.follow_up import (
    PHASE_EVENTS,
    asked,
    follow_up_events,
    follow_up_view,
    phase,
)
from kl_contact.engine.prefill import locked_questions
from kl_contact.engine.session import Session
from kl_contact.engine.views import (
    Action,
    ActionField,
    ActionType,
    ArticlesView,
    AttachmentRules,
    CallbackView,
    ChannelView,
    ConfirmationView,
    LinkView,
    OptionView,
    Progress,
    QuestionView,
    RatingView,
    ResourceView,
    View,
    text_direction,
)
from kl_contact.errors import ValidationIssue
from kl_contact.limits import DEFAULT_LIMITS, Limits
from kl_contact.messages import Localizer, message
from kl_contact.questionnaire.validation import issue_in_locale

__all__ = ["allowed_events", "present"]

_PRIMARY = frozenset(
    {"continue", "next", "send", "escalate", "choose_channel", "find_request", "add_information"}
    | {"reopen"}
)
_STAYS = frozenset(
    {"answer", "open_article", "article_not_helpful", "change_locale", "rate", "skip_rating"}
)
_ANSWERS = (ActionField("answers", "/questions", required=False),)
_ARTICLE = (ActionField("article_id", "/articles/matches/*/id"),)
_FIELDS: Mapping[str, tuple[ActionField, ...]] = {
    "choose_channel": (ActionField("channel", "/channels/*/id"),),
    "answer": _ANSWERS,
    "next": _ANSWERS,
    "send": _ANSWERS,
    "open_article": _ARTICLE,
    "article_helped": _ARTICLE,
    "article_not_helpful": (*_ARTICLE, ActionField("reason", None, required=False)),
    "change_locale": (ActionField("locale", "/locales/*"),),
    "request_callback": (
        ActionField("channel", "/channels/*/id"),
        ActionField("slot", "/channels/*/callback/slots/*/id"),
    ),
    "follow_up": (ActionField("channel", "/channels/*/id", required=False),),
    "find_request": _ANSWERS,
    "add_information": _ANSWERS,
    "rate": (
        ActionField("score", "/rating/scores/*"),
        ActionField("comment", None, required=False),
    ),
}
"""Each user event's fields and the view path each value comes from."""
_ASKING = frozenset({StepKind.QUESTIONS, StepKind.REQUEST})
_LABELLED = ("follow_up", "find_request", "add_information", "reopen")
"""Actions labelled from the message catalog (``action.<type>``)."""
_SHAPES = 64
"""How many unanswered views of one dynamic question are kept (by their conditions' outcome)."""
_MINUTES = 64
"""How many channel lists of a channel choice are kept per locale before they are dropped."""


def allowed_events(table: StepTable, session: Session) -> tuple[str, ...]:
    """The user event types ``session`` may send on its step now."""
    if session.status == "submitting":
        return ()
    if table.terminal and session.rating(table.id) is not None:
        return ()  # rated or skipped: the question is not asked again
    if session.status != "active":
        return table.events
    if table.step.kind is StepKind.FOLLOW_UP:
        return follow_up_events(session)
    return table.active_back if session.trail else table.active


@attrs.frozen
class _QuestionScene:
    """One question in one locale: its view before any answer, and what may change it."""

    question: Question
    blank: QuestionView
    options: tuple[tuple[Predicate | None, tuple[OptionView, ...]], ...]
    """Runs of options that share one condition, in the question's order."""
    required_when: Predicate | None
    dynamic: bool
    parent: str | None = None
    """The one question whose answer alone picks the shown options (dependent lists)."""
    by_parent: Mapping[object, QuestionView] = attrs.field(factory=dict)
    """The unanswered view for each answer ``parent`` can have, built once."""
    shapes: dict[tuple[bool, ...], QuestionView] = attrs.field(factory=dict, eq=False)
    """The unanswered view for each outcome of the conditions (of each run of options, then
    of ``required_when``), kept as they are met: a few per question (at most
    :data:`_SHAPES`), and never anything the user typed."""


@attrs.frozen
class _StepScene:
    """One step in one locale: everything of its view that the session does not change."""

    title: str
    text: str | None
    progress: Progress
    actions: Mapping[str, tuple[Action, ...]]
    questions: tuple[tuple[Predicate, _QuestionScene], ...]
    rating: RatingView | None = None
    """The rating question before it is answered, on an end step that asks one."""


@attrs.frozen
class _Scene:
    """A definition's static view parts in one locale."""

    steps: Mapping[str, _StepScene]
    resources: tuple[ResourceView, ...]
    contacts_page: LinkView
    channels: tuple[tuple[str, str, str, str], ...]
    dir: Literal["ltr", "rtl"]
    """The locale's text direction."""
    channel_views: dict[tuple[object, ...], tuple[ChannelView, ...]] = attrs.field(
        factory=dict, eq=False
    )
    """The channel choice's channels for each minute, region, time zone and set of known
    waits met, when no callback is offered: at most :data:`_MINUTES` of them, and never
    anything the user typed."""


def _actions(
    table: StepTable, events: tuple[str, ...], button: str | None, catalog: Mapping[str, str]
) -> tuple[Action, ...]:
    labels: dict[str, str | None] = {
        **catalog,
        "continue": button,
        "next": button,
        "send": button,
        "escalate": button,
        **({"find_request": button} if button else {}),
    }
    return tuple(
        Action(
            type=cast(ActionType, etype),
            label=labels.get(etype),
            primary=etype in _PRIMARY,
            fields=_FIELDS.get(etype, ()),
            stays=etype in _STAYS,
        )
        for etype in events
    )


def _parent_of(question: Question, flow: Flow) -> str | None:
    """The single-choice question whose answer alone decides which options show, if any."""
    if question.required_when is not None and not question.required:
        return None
    parents = {o.when.question for o in question.options if isinstance(o.when, AnswerIn)}
    if len(parents) != 1 or any(
        o.when is not None and not isinstance(o.when, AnswerIn) for o in question.options
    ):
        return None
    parent = flow.questions.get(next(iter(parents)))
    if parent is None or parent.type is not QuestionType.SINGLE_CHOICE:
        return None
    return parent.id


def _question_scene(question: Question, locale: str, fallback: str, flow: Flow) -> _QuestionScene:
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
    runs: list[tuple[object, list[OptionView]]] = []
    for option in question.options:
        view = OptionView(id=option.id, label=localize(option.label, locale, fallback))
        if runs and runs[-1][0] == option.when:
            runs[-1][1].append(view)
        else:
            runs.append((option.when, [view]))
    options = tuple(
        (compile_condition(when) if when is not None else None, tuple(views))  # type: ignore[arg-type]
        for when, views in runs
    )
    blank = QuestionView(
        id=question.id,
        type=question.type.value,
        label=tr(question.label) or "",
        required=question.required,
        help=tr(question.help),
        placeholder=tr(question.placeholder),
        role=question.role.value if question.role else None,
        options=tuple(view for when, views in options if when is None for view in views),
        min_length=question.min_length,
        max_length=question.max_length,
        min_selected=question.min_selected,
        max_selected=question.max_selected,
        attachments=rules,
        pattern=question.pattern,
    )
    required_when = None
    if not question.required and question.required_when is not None:
        required_when = compile_condition(question.required_when)
    dynamic = required_when is not None or any(when is not None for when, _ in options)
    scene = _QuestionScene(question, blank, options, required_when, dynamic)
    parent = _parent_of(question, flow) if dynamic else None
    if parent is None:
        return scene
    by_parent: dict[object, QuestionView] = {}
    for value in (None, *(o.id for o in flow.questions[parent].options)):
        ctx = ConditionContext(
            answers={} if value is None else {parent: value}, channel=None, locale=locale
        )
        by_parent[value] = _built(scene, None, ctx, None)
    return attrs.evolve(scene, parent=parent, by_parent=by_parent)


@functools.lru_cache(maxsize=32)
def _scene(flow: Flow, locale: str) -> _Scene:
    """The static view parts of ``flow`` in ``locale`` (built once: a flow never changes)."""
    workflow = flow.workflow
    fallback = workflow.default_locale

    def tr(text: Mapping[str, str]) -> str:
        return localize(text, locale, fallback)

    labels = {
        etype: message(f"action.{etype}", locale, fallback, overrides=workflow.messages)
        for etype in ("back", *_LABELLED)
    }
    total = len(workflow.steps)
    steps: dict[str, _StepScene] = {}
    for table in flow.steps.values():
        step = table.step
        button = tr(step.button) if step.button else None
        variants: dict[str, tuple[str, ...]] = {
            "submitting": (),
            "rated": (),
            "ended": table.events,
            "active": (*table.events, "change_locale"),
            "active_back": (*table.events, "back", "change_locale"),
        }
        if step.kind is StepKind.FOLLOW_UP:
            for name, events in PHASE_EVENTS.items():
                variants[name] = (*events, "change_locale") if events else ()
                variants[f"{name}_back"] = (*events, "back", "change_locale") if events else ()
        else:
            variants["ended"] = table.events
        steps[step.id] = _StepScene(
            title=tr(step.title),
            text=tr(step.text) if step.text is not None else None,
            progress=Progress(index=table.index + 1, total=total),
            actions={k: _actions(table, v, button, labels) for k, v in variants.items()},
            questions=tuple(
                (when, _question_scene(q, locale, fallback, flow)) for q, when in table.questions
            ),
            rating=_rating_scene(table, locale, fallback, flow),
        )
    page = workflow.contacts_page
    return _Scene(
        steps=steps,
        resources=tuple(
            ResourceView(
                id=r.id,
                kind=r.kind,
                title=tr(r.title),
                description=tr(r.description),
                url=tr(r.url),
            )
            for r in workflow.self_service
        ),
        contacts_page=LinkView(title=tr(page.title), url=tr(page.url)),
        channels=tuple(
            (c.id, tr(c.title), tr(c.description), tr(c.button)) for c in workflow.channels
        ),
        dir=text_direction(locale),
    )


def _rating_scene(table: StepTable, locale: str, fallback: str, flow: Flow) -> RatingView | None:
    prompt = table.step.rating
    if prompt is None or not table.terminal:
        return None
    overrides = flow.workflow.messages

    def text(given: Mapping[str, str] | None, code: str) -> str:
        if given is not None:
            return localize(given, locale, fallback)
        return message(code, locale, fallback, overrides=overrides)

    return RatingView(
        title=text(prompt.title, "rating.title"),
        comment_label=text(prompt.comment_label, "rating.comment"),
        comment_max_length=DEFAULT_LIMITS.comment_length,
    )


def _variant(table: StepTable, session: Session) -> str:
    if session.status == "submitting":
        return "submitting"
    if table.terminal and session.rating(table.id) is not None:
        return "rated"
    if table.terminal or session.status != "active":
        return "ended"
    if table.step.kind is StepKind.FOLLOW_UP:
        name = phase(session.follow_up)
        return f"{name}_back" if session.trail else name
    return "active_back" if session.trail else "active"


def _question_view(
    scene: _QuestionScene,
    session: Session,
    ctx: ConditionContext,
    issues: list[ValidationIssue] | None,
    locked: frozenset[str],
) -> QuestionView:
    qid = scene.question.id
    value = session.answers.get(qid)
    if value is not None and qid in session.prefilled:
        return _built(scene, value, ctx, issues, prefilled=True, read_only=qid in locked)
    if value is None and not issues:
        if not scene.dynamic:
            return scene.blank
        if scene.parent is not None:
            chosen = ctx.answers.get(scene.parent)
            if chosen is None or isinstance(chosen, str):
                shown = scene.by_parent.get(chosen)
                if shown is not None:
                    return shown
        outcome = tuple(when is None or when(ctx) for when, _ in scene.options)
        if scene.required_when is not None:
            outcome += (scene.required_when(ctx),)
        shown = scene.shapes.get(outcome)
        if shown is None:
            shown = _built(scene, None, ctx, None)
            if len(scene.shapes) < _SHAPES:
                scene.shapes[outcome] = shown
        return shown
    return _built(scene, value, ctx, issues)


def _built(
    scene: _QuestionScene,
    value: AnswerValue | None,
    ctx: ConditionContext,
    issues: list[ValidationIssue] | None,
    *,
    prefilled: bool = False,
    read_only: bool = False,
) -> QuestionView:
    blank = scene.blank
    options = blank.options
    required = blank.required
    if scene.dynamic:
        options = tuple(
            view for when, views in scene.options if when is None or when(ctx) for view in views
        )
        if scene.required_when is not None:
            required = scene.required_when(ctx)
    return QuestionView(
        id=blank.id,
        type=blank.type,
        label=blank.label,
        required=required,
        help=blank.help,
        placeholder=blank.placeholder,
        role=blank.role,
        options=options,
        value=value,
        issues=tuple(issues or ()),
        min_length=blank.min_length,
        max_length=blank.max_length,
        min_selected=blank.min_selected,
        max_selected=blank.max_selected,
        attachments=blank.attachments,
        pattern=blank.pattern,
        prefilled=prefilled,
        read_only=read_only,
    )


def _callback_view(flow: Flow, session: Session, channel: str, title: str) -> CallbackView | None:
    """The call back ``channel``'s closed line offers now, or ``None`` without slots."""
    workflow = flow.workflow
    slots = offered_slots(workflow, channel, session.updated_at, session.region, session.time_zone)
    if not slots:
        return None
    shown = slots[0].starts_at.tzinfo
    return _slots_view(workflow, session.locale, title, slots, getattr(shown, "key", str(shown)))


@functools.lru_cache(maxsize=64)
def _slots_view(
    workflow: Workflow, locale: str, title: str, slots: tuple[CallbackSlot, ...], zone: str
) -> CallbackView:
    """The callback view of ``slots`` in ``locale`` (kept: the slots change once a minute).

    ``zone`` names the time zone the slots are shown in: slots of the same instants compare
    equal whatever zone they are written in, and their labels differ.
    """
    messages, fallback = workflow.messages, workflow.default_locale
    question = QuestionView(
        id="slot",
        type=QuestionType.SINGLE_CHOICE.value,
        label=message("callback.slot", locale, fallback, overrides=messages),
        required=True,
        options=tuple(OptionView(id=s.id, label=slot_label(s, locale)) for s in slots),
    )
    text = message("callback.offer", locale, fallback, {"channel": title}, overrides=messages)
    return CallbackView(text=text, question=question, slots=slots)


def _issues_of(
    qid: str,
    by_question: Mapping[str, list[ValidationIssue]],
    from_prefill: Mapping[str, list[ValidationIssue]],
) -> list[ValidationIssue] | None:
    own = by_question.get(qid)
    extra = from_prefill.get(qid)
    if extra is None:
        return own
    return extra if own is None else own + extra


def _channels(flow: Flow, scene: _Scene, session: Session) -> tuple[ChannelView, ...]:
    """The channels of a channel choice at the session's last event, open or closed.

    Every channel's status is the same for each instant of one minute, so the list is built
    once per minute, region, time zone and set of known waits, unless a call back is offered
    (its slots and booking belong to the session)."""
    status = statuses(flow.workflow, session.updated_at, session.region, session.time_zone)
    callbacks = flow.callbacks
    offering = any(cid in callbacks and not status[cid].open for cid in status)
    waits = session.waits.minutes
    minute = int(session.updated_at.timestamp()) // 60
    key = (minute, session.region, session.time_zone, *sorted(waits.items()))
    if not offering:
        known = scene.channel_views.get(key)
        if known is not None:
            return known
    channels = tuple(
        ChannelView(
            id=cid,
            title=title,
            description=description,
            button=button,
            open=status[cid].open,
            choosable=status[cid].choosable,
            opens_at=status[cid].opens_at,
            closes_at=status[cid].closes_at,
            suggest=status[cid].suggest,
            callback=_callback_view(flow, session, cid, title)
            if cid in callbacks and not status[cid].open
            else None,
            wait_minutes=waits.get(cid) if status[cid].open else None,
        )
        for cid, title, description, button in scene.channels
    )
    if not offering:
        kept = scene.channel_views
        if len(kept) >= _MINUTES:
            kept.clear()  # one call, safe beside other threads; the next minutes fill it again
        kept[key] = channels
    return channels


def present(
    flow: Flow,
    session: Session,
    ctx: ConditionContext | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> View:
    """The view of the session's current step (the session must fit ``flow``).

    ``ctx`` is the context of the session's step if the caller has it already (the
    transition that just built the session): it is then not built again. ``limits`` are
    those the transition applies (a rating's longest comment is shown from them).
    """
    workflow = flow.workflow
    table = flow.steps[session.step]
    step = table.step
    locale = session.locale
    scene = _scene(flow, locale)
    here = scene.steps[step.id]
    step_issues: list[ValidationIssue] = []
    by_question: dict[str, list[ValidationIssue]] = {}
    for issue in session.issues:
        issue = issue_in_locale(flow, issue, locale)
        qid = issue.question
        if qid is not None:
            by_question.setdefault(qid, []).append(issue)
        else:
            step_issues.append(issue)
    # what was wrong with the host's prefill shows on its question wherever it is asked,
    # and on the first view, where the host sees it at once
    from_prefill: dict[str, list[ValidationIssue]] = {}
    for issue in session.prefill_issues:
        issue = issue_in_locale(flow, issue, locale)
        qid = issue.question
        if qid is not None and qid in table.question_ids:
            from_prefill.setdefault(qid, []).append(issue)
        elif session.revision == 0:
            step_issues.append(issue)
    kind = step.kind
    questions: tuple[QuestionView, ...] = ()
    resources: tuple[ResourceView, ...] = ()
    contacts_page = None
    channels: tuple[ChannelView, ...] = ()
    articles = None
    confirmation = None
    if kind in _ASKING:
        if ctx is None:
            ctx = flow.context(table.reads, session.answers, session.channel, locale)
        locked = locked_questions(flow, session.prefilled, session.answers)
        questions = tuple(
            _question_view(q, session, ctx, _issues_of(q.question.id, by_question, from_prefill),
                           locked)
            for when, q in here.questions
            if when(ctx)
        )  # fmt: skip
    elif kind is StepKind.FOLLOW_UP:
        if ctx is None:
            ctx = flow.context(table.reads, session.answers, session.channel, locale)
        locked = locked_questions(flow, session.prefilled, session.answers)
        wanted = asked(table, session.follow_up)
        questions = tuple(
            _question_view(q, session, ctx, _issues_of(q.question.id, by_question, from_prefill),
                           locked)
            for when, q in here.questions
            if q.question.id in wanted and when(ctx)
        )  # fmt: skip
    if kind in _ASKING or kind is StepKind.FOLLOW_UP:
        shown = {q.id for q in questions}
        for qid, found in from_prefill.items():  # a prefilled question hidden on its step
            if qid not in shown and session.revision == 0:
                step_issues.extend(found)
        for qid, found in by_question.items():  # an answer to no shown question (unknown)
            if qid not in shown:
                step_issues.extend(found)
    elif kind is StepKind.SELF_SERVICE:
        resources = scene.resources
    elif kind is StepKind.CHANNEL_CHOICE:
        contacts_page = scene.contacts_page
        channels = _channels(flow, scene, session)
    elif kind is StepKind.ARTICLES:
        state = session.articles
        articles = ArticlesView(
            status=state.status,
            matches=state.matches,
            opened=state.opened,
            not_helpful=tuple(f.article_id for f in state.feedback if not f.helpful),
        )
        if state.status == "failed":
            loc = Localizer(locale, workflow.default_locale, workflow.messages)
            step_issues.append(loc.issue("articles.failed", (), severity="warning"))
    elif kind is StepKind.CONFIRMATION and session.submission and session.submission.receipt:
        receipt = session.submission.receipt
        ticket = session.submission.ticket
        confirmation = ConfirmationView(
            request_number=receipt.request_number,
            channel=receipt.channel,
            instructions=build_instructions(
                workflow, receipt, ticket.contact.email, locale, ticket.callback
            ),
            wait_minutes=session.waits.minutes.get(receipt.channel),
        )
    rating = here.rating
    if rating is not None:
        given = session.rating(step.id)
        if given is not None:
            answered: Literal["rated", "skipped"] = "skipped" if given.skipped else "rated"
            rating = attrs.evolve(rating, status=answered, score=given.score)
        if rating.comment_max_length != limits.comment_length:
            rating = attrs.evolve(rating, comment_max_length=limits.comment_length)
    return View(
        session_id=session.id,
        workflow=workflow.id,
        step=step.id,
        kind=kind.value,
        status=session.status,
        locale=locale,
        locales=workflow.locales,
        title=here.title,
        progress=here.progress,
        terminal=table.terminal,
        dir=scene.dir,
        text=here.text,
        channel=session.channel,
        actions=here.actions[_variant(table, session)],
        issues=tuple(step_issues),
        questions=questions,
        resources=resources,
        contacts_page=contacts_page,
        channels=channels,
        articles=articles,
        confirmation=confirmation,
        follow_up=follow_up_view(flow, session, table),
        rating=rating,
    )
