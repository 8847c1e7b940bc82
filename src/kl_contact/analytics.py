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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from kl_contact.engine.session import Session, is_reason_code

__all__ = [
    "ArticleFeedbackCount",
    "DeflectionReport",
    "Funnel",
    "ResolvingArticle",
    "deflection_report",
    "demotions",
    "feedback_report",
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
