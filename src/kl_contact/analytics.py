"""Deflection analytics: how many contacts the suggested articles resolved, from sessions.

Sessions already record the articles step as data (what was shown, opened, marked helpful
or not, whether the user escalated). :func:`deflection_report` turns a collection of them
into a funnel — started, reached the articles, resolved by an article, escalated, submitted —
overall, per channel and per category, plus the articles that resolved the most contacts.
It reads only the sessions it is given, counts, and never looks at what a user typed other
than the chosen category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from kl_contact.engine.session import Session

__all__ = ["DeflectionReport", "Funnel", "ResolvingArticle", "deflection_report"]

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
