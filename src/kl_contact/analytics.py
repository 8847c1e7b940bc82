"""Deflection analytics: how many contacts the suggested articles resolved, from sessions.

Sessions already record the articles step as data (what was shown, opened, marked helpful
or not, whether the user escalated). :func:`deflection_report` turns a collection of them
into a funnel — started, reached the articles, resolved by an article, escalated, submitted —
overall, per channel and per category, plus the articles that resolved the most contacts.
It reads only the sessions it is given, counts, and never looks at what a user typed other
than the chosen category.

:func:`feedback_report` counts, per article, how often it was shown, marked helpful or not
helpful and with which reasons; :func:`demotions` turns those counts into the bounded
factors the built-in matcher takes to lower the articles users keep rejecting.

Beyond the funnel: :func:`drop_off_report` counts, per step, the sessions that stopped there
with neither a request sent nor an article that helped; :func:`step_times` measures how long
sessions stayed on each step, from their history; :func:`not_helpful_reasons` counts the
"not helpful" reasons per article; :func:`satisfaction_report` summarises the ratings of the
end steps by channel and by the article that helped. :func:`analytics_report` gathers all of
them over one pass of the sessions, and :func:`dump_analytics` writes that report as the
JSON document ``analytics.schema.json`` describes. A rating's comment is free text: no
report reads it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kl_contact._convert import converter
from kl_contact.engine.session import MAX_HISTORY, Session, is_reason_code

__all__ = [
    "AnalyticsReport",
    "ArticleFeedbackCount",
    "DeflectionReport",
    "DropOffReport",
    "Funnel",
    "RatingSummary",
    "ResolvingArticle",
    "SatisfactionReport",
    "StepTime",
    "analytics_report",
    "deflection_report",
    "demotions",
    "drop_off_report",
    "dump_analytics",
    "feedback_report",
    "not_helpful_reasons",
    "satisfaction_report",
    "step_times",
]

NOT_CHOSEN = "(none)"
"""The key for sessions that never chose a channel or a category."""


@attrs.frozen
class Funnel:
    """Counts of sessions at each stage of the way to an engineer.

    ``resolved`` counts sessions an article helped; ``escalated`` those that pressed
    "Contact support" on the articles step; ``submitted`` those whose request the backend
    accepted.
    """

    started: int = 0
    reached_articles: int = 0
    resolved: int = 0
    escalated: int = 0
    submitted: int = 0

    @property
    def deflection_rate(self) -> float:
        """Share of the sessions that reached the articles which an article resolved."""
        return self.resolved / self.reached_articles if self.reached_articles else 0.0

    def add(self, session: Session) -> Funnel:
        """This funnel with ``session`` counted in."""
        state = session.articles
        return Funnel(
            started=self.started + 1,
            reached_articles=self.reached_articles + int(_reached_articles(session)),
            resolved=self.resolved + int(state.helped is not None),
            escalated=self.escalated + int(state.escalated),
            submitted=self.submitted + int(session.request_number is not None),
        )


@attrs.frozen
class ResolvingArticle:
    """An article and how many contacts it resolved."""

    article_id: str
    resolved: int


@attrs.frozen
class DeflectionReport:
    """The funnel overall, per channel and per category, and the top resolving articles."""

    total: Funnel
    by_channel: Mapping[str, Funnel]
    by_category: Mapping[str, Funnel]
    top_articles: tuple[ResolvingArticle, ...]


def _reached_articles(session: Session) -> bool:
    # a search is issued on entering the articles step, and never otherwise
    return session.articles.search_id is not None


def deflection_report(
    sessions: Iterable[Session], *, category_answer: str = "category", top: int = 10
) -> DeflectionReport:
    """The deflection funnel of ``sessions``.

    ``category_answer`` is the id of the question whose answer is the category (``category``
    in the default workflow); ``top`` bounds the list of resolving articles, ordered by
    contacts resolved, then by article id.
    """
    total = Funnel()
    by_channel: dict[str, Funnel] = {}
    by_category: dict[str, Funnel] = {}
    resolving: Counter[str] = Counter()
    for session in sessions:
        total = total.add(session)
        channel = session.channel or NOT_CHOSEN
        by_channel[channel] = by_channel.get(channel, Funnel()).add(session)
        answer = session.answers.get(category_answer)
        category = answer if isinstance(answer, str) and answer else NOT_CHOSEN
        by_category[category] = by_category.get(category, Funnel()).add(session)
        if session.articles.helped is not None:
            resolving[session.articles.helped] += 1
    ranked = sorted(resolving.items(), key=lambda item: (-item[1], item[0]))[: max(top, 0)]
    return DeflectionReport(
        total=total,
        by_channel=dict(sorted(by_channel.items())),
        by_category=dict(sorted(by_category.items())),
        top_articles=tuple(ResolvingArticle(article, count) for article, count in ranked),
    )


OTHER_REASON = "other"
"""The key under which reasons that are not short codes are counted (their text is not kept)."""


@attrs.frozen
class ArticleFeedbackCount:
    """How users judged one article: shown, helpful, not helpful, and the reasons given.

    ``reasons`` counts the "not helpful" reasons by code; a reason that is not a short code
    (free text a user typed) is counted as ``"other"`` and its text is not kept.
    """

    article_id: str
    shown: int = 0
    helpful: int = 0
    not_helpful: int = 0
    reasons: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def rejection_rate(self) -> float:
        """Share of the times it was shown that a user said it did not help."""
        return self.not_helpful / self.shown if self.shown else 0.0


def feedback_report(sessions: Iterable[Session]) -> tuple[ArticleFeedbackCount, ...]:
    """Per article, the feedback of ``sessions``, most rejected first, then by article id."""
    shown: Counter[str] = Counter()
    helpful: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {}
    for session in sessions:
        state = session.articles
        shown.update(set(state.shown))
        for verdict in state.feedback:
            if verdict.helpful:
                helpful[verdict.article_id] += 1
                continue
            rejected[verdict.article_id] += 1
            reason = verdict.reason
            if reason:
                code = reason if is_reason_code(reason) else OTHER_REASON
                reasons.setdefault(verdict.article_id, Counter())[code] += 1
    articles = set(shown) | set(helpful) | set(rejected)
    counts = [
        ArticleFeedbackCount(
            article_id=article,
            shown=max(shown[article], helpful[article] + rejected[article]),
            helpful=helpful[article],
            not_helpful=rejected[article],
            reasons=dict(sorted(reasons.get(article, Counter()).items())),
        )
        for article in articles
    ]
    counts.sort(key=lambda c: (-c.not_helpful, c.article_id))
    return tuple(counts)


def demotions(
    counts: Iterable[ArticleFeedbackCount],
    *,
    min_shown: int = 20,
    strength: float = 0.5,
    lowest: float = 0.5,
) -> dict[str, float]:
    """Score factors for the articles users keep rejecting, for ``Bm25Matcher(demotions=)``.

    An article shown at least ``min_shown`` times gets ``1 - strength * rejection rate``,
    never below ``lowest``; articles with fewer observations, or never rejected, are left
    out (factor 1). Feed it the sessions of one category to demote per kind of question.
    """
    out: dict[str, float] = {}
    for count in counts:
        if count.shown >= min_shown and count.not_helpful:
            out[count.article_id] = max(lowest, 1.0 - strength * count.rejection_rate)
    return out


def not_helpful_reasons(sessions: Iterable[Session]) -> dict[str, dict[str, int]]:
    """Per article that was marked "not helpful" with a reason, how often each reason was
    given (by code; free text counts as ``"other"``, as in :func:`feedback_report`)."""
    return {
        count.article_id: dict(count.reasons)
        for count in sorted(feedback_report(sessions), key=lambda c: c.article_id)
        if count.reasons
    }


# ---------------------------------------------------------------------------- drop-off


def _ended_unresolved(session: Session) -> bool:
    """Neither a request registered nor an article that helped."""
    return (
        session.request_number is None
        and session.articles.helped is None
        and session.status != "resolved"
    )


@attrs.frozen
class DropOffReport:
    """Where sessions stopped without a request sent and without an article that helped.

    ``by_step`` counts those sessions by the step they stand on, most first, then by step
    id; ``dropped`` is their sum out of ``sessions`` in all. A session still in progress
    counts where it stands now: feed the report sessions that have gone quiet.
    """

    sessions: int = 0
    dropped: int = 0
    by_step: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def drop_off_rate(self) -> float:
        """Share of all the sessions that stopped without a request or a resolution."""
        return self.dropped / self.sessions if self.sessions else 0.0


def drop_off_report(sessions: Iterable[Session]) -> DropOffReport:
    """Per step, the sessions of ``sessions`` that ended there without a ticket or a
    resolution."""
    total = 0
    stopped: Counter[str] = Counter()
    for session in sessions:
        total += 1
        if _ended_unresolved(session):
            stopped[session.step] += 1
    ranked = sorted(stopped.items(), key=lambda item: (-item[1], item[0]))
    return DropOffReport(sessions=total, dropped=sum(stopped.values()), by_step=dict(ranked))


# ---------------------------------------------------------------------------- step times


@attrs.frozen
class StepTime:
    """How long sessions stayed on one step, in seconds.

    ``sessions`` is how many sessions were seen to stay there (each session's time on the
    step is summed over its visits); ``mean_seconds`` and ``median_seconds`` are over
    those sessions.
    """

    step: str
    sessions: int
    total_seconds: float
    mean_seconds: float
    median_seconds: float


def _time_on_steps(session: Session) -> dict[str, float]:
    """Seconds ``session`` spent on each step it left or acted on, from its history.

    The time between two events is the time spent on the step the later one was handled
    on (the first event's interval starts at ``created_at``). A history cut to its newest
    :data:`~kl_contact.engine.session.MAX_HISTORY` entries starts at its oldest kept entry;
    the time after the last event is unknown and not counted.
    """
    history = session.history
    spent: dict[str, float] = {}
    if not history:
        return spent
    truncated = len(history) >= MAX_HISTORY
    previous = history[0].at if truncated else session.created_at
    for entry in history[1:] if truncated else history:
        seconds = max((entry.at - previous).total_seconds(), 0.0)
        spent[entry.step] = spent.get(entry.step, 0.0) + seconds
        previous = entry.at
    return spent


def step_times(sessions: Iterable[Session]) -> tuple[StepTime, ...]:
    """Time per step over ``sessions``, ordered by step id."""
    per_step: dict[str, list[float]] = {}
    for session in sessions:
        for step, seconds in _time_on_steps(session).items():
            per_step.setdefault(step, []).append(seconds)
    return tuple(
        StepTime(
            step=step,
            sessions=len(values),
            total_seconds=sum(values),
            mean_seconds=statistics.fmean(values),
            median_seconds=statistics.median(values),
        )
        for step, values in sorted(per_step.items())
    )


# ---------------------------------------------------------------------------- satisfaction


SCORES = (1, 2, 3, 4, 5)
"""The scores a rating takes."""


@attrs.frozen
class RatingSummary:
    """The ratings of a group of sessions: how many rated or skipped, and the scores.

    ``scores`` counts each score from 1 to 5 (every score is a key); ``mean_score`` is
    None when nobody rated.
    """

    rated: int = 0
    skipped: int = 0
    scores: Mapping[str, int] = attrs.field(factory=lambda: {str(s): 0 for s in SCORES})
    mean_score: float | None = None


def _summary(scores: list[int], skipped: int) -> RatingSummary:
    counts = Counter(scores)
    return RatingSummary(
        rated=len(scores),
        skipped=skipped,
        scores={str(score): counts[score] for score in SCORES},
        mean_score=statistics.fmean(scores) if scores else None,
    )


@attrs.frozen
class SatisfactionReport:
    """Ratings overall, by step rated, by channel and by the article that helped.

    Sessions that chose no channel are under ``"(none)"`` in ``by_channel``; ``by_article``
    holds only sessions an article resolved.
    """

    total: RatingSummary
    by_step: Mapping[str, RatingSummary]
    by_channel: Mapping[str, RatingSummary]
    by_article: Mapping[str, RatingSummary]


class _Tally:
    """Scores and skips gathered per key."""

    def __init__(self) -> None:
        self.scores: dict[str, list[int]] = {}
        self.skipped: Counter[str] = Counter()

    def add(self, key: str, score: int | None) -> None:
        self.scores.setdefault(key, [])
        if score is None:
            self.skipped[key] += 1
        else:
            self.scores[key].append(score)

    def summaries(self) -> dict[str, RatingSummary]:
        return {key: _summary(self.scores[key], self.skipped[key]) for key in sorted(self.scores)}


def satisfaction_report(sessions: Iterable[Session]) -> SatisfactionReport:
    """The satisfaction ratings of ``sessions`` (a skipped question counts as skipped)."""
    total, by_step, by_channel, by_article = _Tally(), _Tally(), _Tally(), _Tally()
    for session in sessions:
        for rating in session.ratings:
            score = rating.score if rating.score in SCORES else None
            total.add("", score)
            by_step.add(rating.step, score)
            by_channel.add(session.channel or NOT_CHOSEN, score)
            if session.articles.helped is not None:
                by_article.add(session.articles.helped, score)
    return SatisfactionReport(
        total=total.summaries().get("", RatingSummary()),
        by_step=by_step.summaries(),
        by_channel=by_channel.summaries(),
        by_article=by_article.summaries(),
    )


# ---------------------------------------------------------------------------- all of it


@attrs.frozen
class AnalyticsReport:
    """Every report over one collection of sessions: the deflection funnel, drop-off,
    time per step, "not helpful" reasons per article and satisfaction."""

    sessions: int
    deflection: DeflectionReport
    drop_off: DropOffReport
    step_times: tuple[StepTime, ...]
    not_helpful_reasons: Mapping[str, Mapping[str, int]]
    satisfaction: SatisfactionReport


def analytics_report(
    sessions: Iterable[Session], *, category_answer: str = "category", top: int = 10
) -> AnalyticsReport:
    """All the reports of ``sessions``, read once (``category_answer`` and ``top`` as in
    :func:`deflection_report`)."""
    kept = tuple(sessions)
    return AnalyticsReport(
        sessions=len(kept),
        deflection=deflection_report(kept, category_answer=category_answer, top=top),
        drop_off=drop_off_report(kept),
        step_times=step_times(kept),
        not_helpful_reasons=not_helpful_reasons(kept),
        satisfaction=satisfaction_report(kept),
    )


def dump_analytics(report: AnalyticsReport) -> dict[str, Any]:
    """``report`` as a JSON document (``analytics.schema.json``): counts, seconds and
    scores only, with the funnel's deflection rate and the drop-off rate written out."""
    out: dict[str, Any] = converter.unstructure(report)
    deflection = out["deflection"]
    deflection["total"]["deflection_rate"] = report.deflection.total.deflection_rate
    for group in ("by_channel", "by_category"):
        for key, funnel in getattr(report.deflection, group).items():
            deflection[group][key]["deflection_rate"] = funnel.deflection_rate
    out["drop_off"]["drop_off_rate"] = report.drop_off.drop_off_rate
    return out
