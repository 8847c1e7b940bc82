"""A thin driver that runs the effect loop for hosts that hand in plain callables.

The engine returns effects; a host must carry them out and feed the results back. This
driver does that with the callables it is given: ``search`` answers ``SearchArticles``,
``submit`` answers ``SubmitTicket`` and ``notify`` receives ``SendRegistrationEmail``. A
callable that raises becomes the engine's failure event (``ArticlesFailed``,
``TicketRejected``), so the session is never lost to an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from kl_contact.articles.model import ArticleMatch, ArticleMatcher, ArticleQuery
from kl_contact.engine.effects import Effect, SearchArticles, SendRegistrationEmail, SubmitTicket
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import (
    ArticlesFailed,
    ArticlesFound,
    Event,
    TicketAccepted,
    TicketRejected,
)
from kl_contact.engine.session import Session
from kl_contact.ticket.model import Receipt, Ticket

__all__ = ["Driver", "search_with"]

SearchFn = Callable[[ArticleQuery, int], Sequence[ArticleMatch]]
SubmitFn = Callable[[Ticket], Receipt]
NotifyFn = Callable[[SendRegistrationEmail], None]


def search_with(matcher: ArticleMatcher) -> SearchFn:
    """A ``search`` callable answered by any :class:`ArticleMatcher`."""
    return matcher.search


@attrs.define
class Driver:
    """Runs ``engine`` and performs its effects with the given callables."""

    engine: Engine
    search: SearchFn
    submit: SubmitFn
    notify: NotifyFn = lambda effect: None
    max_rounds: int = 16

    def start(
        self,
        *,
        session_id: str,
        now: datetime,
        locale: str | None = None,
        time_zone: str | None = None,
        region: str | None = None,
    ) -> Transition:
        """Start a session and perform the effects of the first step."""
        started = self.engine.start(
            session_id=session_id, now=now, locale=locale, time_zone=time_zone, region=region
        )
        return self._settle(started, now)

    def handle(self, session: Session, event: Event, now: datetime) -> Transition:
        """Apply ``event`` and perform every effect that follows, until none is left."""
        return self._settle(self.engine.handle(session, event, now), now)

    def _result_of(self, effect: Effect) -> Event | None:
        if isinstance(effect, SearchArticles):
            try:
                matches = tuple(self.search(effect.query, effect.limit))
            except Exception:
                return ArticlesFailed(search_id=effect.search_id, reason="error")
            return ArticlesFound(search_id=effect.search_id, matches=matches)
        if isinstance(effect, SubmitTicket):
            try:
                receipt = self.submit(effect.ticket)
            except Exception:
                return TicketRejected(submission_id=effect.submission_id, code="error")
            return TicketAccepted(submission_id=effect.submission_id, receipt=receipt)
        self.notify(effect)
        return None

    def _settle(self, transition: Transition, now: datetime) -> Transition:
        performed: list[Effect] = []
        for _ in range(self.max_rounds):
            pending = transition.effects
            if not pending:
                break
            session = transition.session
            next_transition: Transition | None = None
            for effect in pending:
                performed.append(effect)
                event = self._result_of(effect)
                if event is not None:
                    next_transition = self.engine.handle(session, event, now)
                    session = next_transition.session
            if next_transition is None:
                break
            transition = next_transition
        return attrs.evolve(transition, effects=tuple(performed))
