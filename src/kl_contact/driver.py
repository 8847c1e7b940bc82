"""Drivers that run the effect loop for hosts that hand in plain callables.

The engine returns effects; a host must carry them out and feed the results back. A driver
does that with the callables it is given: ``search`` answers ``SearchArticles``, ``submit``
answers ``SubmitTicket``, ``notify`` receives ``SendRegistrationEmail`` and ``record`` the
:class:`~kl_contact.engine.effects.Feedback` of each ``RecordFeedback``; ``look_up``
answers ``LookUpRequest`` (a ``RequestStatus``, or ``None`` when there is no such request)
and ``update`` receives ``AddToRequest`` and ``ReopenRequest``.
:class:`Driver` calls plain functions; :class:`AsyncDriver` awaits coroutine functions on an
asyncio loop. Both follow one contract, written once in :func:`_effect_loop`.

A callable that raises or runs past ``timeout`` seconds becomes the engine's failure event
(``ArticlesFailed``, ``TicketRejected``, ``RequestNotFound`` as ``unavailable``) with the
reason ``"unavailable"`` (it raised
:class:`ServiceUnavailable`: the service is down, try again later), ``"error"`` (it raised
anything else) or ``"timeout"``, so the session is never lost to an exception. A failing
``notify`` or ``record`` has no event to become: it is passed to ``on_failure`` and the walk
goes on. A driver never lets a callable's exception, or the text of one, reach the session
or the view.

The drivers are host-side helpers, not part of the pure core: the synchronous one runs a
callable in a worker thread when it has a timeout to enforce. Neither reads the clock for
the engine: ``now`` is still the host's.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

import attrs

from kl_contact.articles.model import ArticleMatch, ArticleMatcher, ArticleQuery
from kl_contact.engine.effects import (
    AddToRequest,
    Effect,
    Feedback,
    LookUpRequest,
    RecordFeedback,
    ReopenRequest,
    SearchArticles,
    SendRegistrationEmail,
    SubmitTicket,
)
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import (
    ArticlesFailed,
    ArticlesFound,
    Event,
    RequestFound,
    RequestNotFound,
    TicketAccepted,
    TicketRejected,
)
from kl_contact.engine.session import Session
from kl_contact.errors import KlContactError
from kl_contact.ticket.model import Receipt, Ticket
from kl_contact.ticket.status import RequestStatus

__all__ = ["AsyncDriver", "Driver", "FailureReason", "ServiceUnavailable", "search_with"]

T = TypeVar("T")

FailureReason = Literal["unavailable", "error", "timeout"]
"""Why a callable gave no result: the service it calls said it is down (it raised
:class:`ServiceUnavailable`), it raised anything else, or it ran past the driver's timeout."""


class ServiceUnavailable(KlContactError):
    """Raised by a host's callable when the service behind it is down for now: the driver
    reports the effect as failed with the reason ``"unavailable"`` (try again later)."""


SearchFn = Callable[[ArticleQuery, int], Sequence[ArticleMatch]]
SubmitFn = Callable[[Ticket], Receipt]
NotifyFn = Callable[[SendRegistrationEmail], None]
AsyncSearchFn = Callable[[ArticleQuery, int], Awaitable[Sequence[ArticleMatch]]]
AsyncSubmitFn = Callable[[Ticket], Awaitable[Receipt]]
AsyncNotifyFn = Callable[[SendRegistrationEmail], Awaitable[None]]
RecordFn = Callable[[Feedback], None]
AsyncRecordFn = Callable[[Feedback], Awaitable[None]]
FailureFn = Callable[[Effect, FailureReason], None]
LookUpFn = Callable[[LookUpRequest], RequestStatus | None]
UpdateFn = Callable[[AddToRequest | ReopenRequest], None]
AsyncLookUpFn = Callable[[LookUpRequest], Awaitable[RequestStatus | None]]
AsyncUpdateFn = Callable[[AddToRequest | ReopenRequest], Awaitable[None]]


def search_with(matcher: ArticleMatcher) -> SearchFn:
    """A ``search`` callable answered by any :class:`ArticleMatcher`."""
    return matcher.search


def _ignore_notice(effect: SendRegistrationEmail) -> None:
    return None


def _ignore_feedback(feedback: Feedback) -> None:
    return None


def _ignore_failure(effect: Effect, reason: FailureReason) -> None:
    return None


def _no_lookup(effect: LookUpRequest) -> RequestStatus | None:
    raise ServiceUnavailable("this host looks up no requests")


def _ignore_update(effect: AddToRequest | ReopenRequest) -> None:
    return None


class _Failed(Exception):
    """Internal: a callable gave no result, for ``reason``."""

    def __init__(self, reason: FailureReason) -> None:
        self.reason: FailureReason = reason
        super().__init__(reason)


@attrs.frozen
class _Outcome:
    """What became of one effect: a value, or the reason there is none."""

    value: Any = None
    failure: FailureReason | None = None


def _call_for(effect: Effect, driver: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """Which of ``driver``'s callables performs ``effect``, and with which arguments."""
    if isinstance(effect, SearchArticles):
        return driver.search, (effect.query, effect.limit)
    if isinstance(effect, SubmitTicket):
        return driver.submit, (effect.ticket,)
    if isinstance(effect, RecordFeedback):
        return driver.record, (effect.feedback,)
    if isinstance(effect, LookUpRequest):
        return driver.look_up, (effect,)
    if isinstance(effect, AddToRequest | ReopenRequest):
        return driver.update, (effect,)
    return driver.notify, (effect,)


def _checked(effect: Effect, value: Any) -> _Outcome:
    """``value`` as the outcome of ``effect``; a result of the wrong shape is an error."""
    if isinstance(effect, SearchArticles):
        try:
            matches = tuple(value)
        except TypeError:
            raise _Failed("error") from None
        if not all(isinstance(match, ArticleMatch) for match in matches):
            raise _Failed("error")
        # the definition's threshold holds whatever search service answered
        return _Outcome(tuple(m for m in matches if m.score >= effect.min_score)[: effect.limit])
    if isinstance(effect, SubmitTicket) and not isinstance(value, Receipt):
        raise _Failed("error")
    if isinstance(effect, LookUpRequest) and not isinstance(value, RequestStatus | None):
        raise _Failed("error")
    return _Outcome(value)


def _event_for(effect: Effect, outcome: _Outcome) -> Event | None:
    """The event that reports ``outcome`` of ``effect`` to the engine (none for a notice)."""
    if isinstance(effect, SearchArticles):
        if outcome.failure is not None:
            return ArticlesFailed(search_id=effect.search_id, reason=outcome.failure)
        return ArticlesFound(search_id=effect.search_id, matches=outcome.value)
    if isinstance(effect, SubmitTicket):
        if outcome.failure is not None:
            return TicketRejected(submission_id=effect.submission_id, code=outcome.failure)
        return TicketAccepted(submission_id=effect.submission_id, receipt=outcome.value)
    if isinstance(effect, LookUpRequest):
        if outcome.failure is not None:
            return RequestNotFound(lookup_id=effect.lookup_id, reason="unavailable")
        if outcome.value is None:
            return RequestNotFound(lookup_id=effect.lookup_id)
        return RequestFound(lookup_id=effect.lookup_id, request=outcome.value)
    return None


def _effect_loop(
    engine: Engine, transition: Transition, now: datetime, max_rounds: int
) -> Generator[Effect, _Outcome, Transition]:
    """Yield each effect to perform, take back its outcome, return the settled transition.

    The returned transition lists every effect performed along the way, in order. Driving
    this generator is all a driver does; the two drivers differ only in how they call.
    """
    performed: list[Effect] = []
    for _ in range(max_rounds):
        if not transition.effects:
            break
        session = transition.session
        following: Transition | None = None
        for effect in transition.effects:
            performed.append(effect)
            outcome = yield effect
            event = _event_for(effect, outcome)
            if event is not None:
                following = engine.handle(session, event, now)
                session = following.session
        if following is None:
            break
        transition = following
    return attrs.evolve(transition, effects=tuple(performed))


def _reason(exc: Exception) -> FailureReason:
    """The failure reason a callable's exception stands for (never its text)."""
    return "unavailable" if isinstance(exc, ServiceUnavailable) else "error"


def _call_in_thread(fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
    """``fn(*args)``, given up on after ``timeout`` seconds (the thread is left to finish)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except Exception as exc:  # the kind of failure alone is kept
            box["failure"] = _reason(exc)

    worker = threading.Thread(target=run, name="kl-contact-effect", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise _Failed("timeout")
    if "value" not in box:
        raise _Failed(box.get("failure", "error"))
    value: T = box["value"]
    return value


def _check_timeout(
    _: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number of seconds or None")


@attrs.define
class Driver:
    """Runs ``engine`` and performs its effects with plain (blocking) callables.

    ``timeout`` (seconds, or ``None`` for no limit) bounds each call; a call past it is
    reported as ``"timeout"`` and left to finish in its worker thread, its result unused.
    Because a timed-out ``submit`` may still register the ticket, a backend should treat
    ``ticket.id`` as an idempotency key.
    """

    engine: Engine
    search: SearchFn
    submit: SubmitFn
    notify: NotifyFn = _ignore_notice
    look_up: LookUpFn = _no_lookup
    """Finds a request the user already has (``None``: no such request for that e-mail)."""
    update: UpdateFn = _ignore_update
    """Adds information to a request, or reopens it."""
    max_rounds: int = 16
    timeout: float | None = attrs.field(default=None, validator=_check_timeout)
    on_failure: FailureFn = _ignore_failure
    """Told of every failed or timed-out call (the effect and the reason), e.g. to log it."""
    record: RecordFn = _ignore_feedback
    """Stores the feedback of each ``RecordFeedback`` (a satisfaction rating)."""

    def start(
        self,
        *,
        session_id: str,
        now: datetime,
        locale: str | None = None,
        time_zone: str | None = None,
        region: str | None = None,
        prefill: Mapping[str, object] | None = None,
    ) -> Transition:
        """Start a session (``prefill`` as in :meth:`Engine.start`) and perform the effects
        of the first step."""
        started = self.engine.start(
            session_id=session_id,
            now=now,
            locale=locale,
            time_zone=time_zone,
            region=region,
            prefill=prefill,
        )
        return self._settle(started, now)

    def handle(self, session: Session, event: Event, now: datetime) -> Transition:
        """Apply ``event`` and perform every effect that follows, until none is left."""
        return self._settle(self.engine.handle(session, event, now), now)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self.timeout is not None:
            return _call_in_thread(fn, args, self.timeout)
        try:
            return fn(*args)
        except Exception as exc:
            raise _Failed(_reason(exc)) from None

    def _perform(self, effect: Effect) -> _Outcome:
        fn, args = _call_for(effect, self)
        try:
            return _checked(effect, self._call(fn, *args))
        except _Failed as failed:
            self.on_failure(effect, failed.reason)
            return _Outcome(failure=failed.reason)

    def _settle(self, transition: Transition, now: datetime) -> Transition:
        loop = _effect_loop(self.engine, transition, now, self.max_rounds)
        try:
            effect = next(loop)
            while True:
                effect = loop.send(self._perform(effect))
        except StopIteration as done:
            settled: Transition = done.value
            return settled


@attrs.define
class AsyncDriver:
    """Runs ``engine`` on an asyncio loop and performs its effects with coroutine functions.

    The same contract as :class:`Driver`: ``timeout`` bounds each call (the call is
    cancelled when it runs past it), and a failed or timed-out call becomes
    ``ArticlesFailed`` or ``TicketRejected``. A plain function is accepted too, but it runs
    on the loop: one that blocks should be wrapped with ``asyncio.to_thread``.
    """

    engine: Engine
    search: AsyncSearchFn
    submit: AsyncSubmitFn
    notify: AsyncNotifyFn | NotifyFn = _ignore_notice
    look_up: AsyncLookUpFn | LookUpFn = _no_lookup
    """Finds a request the user already has (``None``: no such request for that e-mail)."""
    update: AsyncUpdateFn | UpdateFn = _ignore_update
    """Adds information to a request, or reopens it."""
    max_rounds: int = 16
    timeout: float | None = attrs.field(default=None, validator=_check_timeout)
    on_failure: FailureFn = _ignore_failure
    """Told of every failed or timed-out call (the effect and the reason), e.g. to log it."""
    record: AsyncRecordFn | RecordFn = _ignore_feedback
    """Stores the feedback of each ``RecordFeedback`` (a satisfaction rating)."""

    async def start(
        self,
        *,
        session_id: str,
        now: datetime,
        locale: str | None = None,
        time_zone: str | None = None,
        region: str | None = None,
        prefill: Mapping[str, object] | None = None,
    ) -> Transition:
        """Start a session (``prefill`` as in :meth:`Engine.start`) and perform the effects
        of the first step."""
        started = self.engine.start(
            session_id=session_id,
            now=now,
            locale=locale,
            time_zone=time_zone,
            region=region,
            prefill=prefill,
        )
        return await self._settle(started, now)

    async def handle(self, session: Session, event: Event, now: datetime) -> Transition:
        """Apply ``event`` and perform every effect that follows, until none is left."""
        return await self._settle(self.engine.handle(session, event, now), now)

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            import asyncio  # only hosts that use the async driver pay for importing it

            async with asyncio.timeout(self.timeout):
                result = fn(*args)
                if inspect.isawaitable(result):
                    result = await result
                return result
        except TimeoutError:
            raise _Failed("timeout") from None
        except Exception as exc:
            raise _Failed(_reason(exc)) from None

    async def _perform(self, effect: Effect) -> _Outcome:
        fn, args = _call_for(effect, self)
        try:
            return _checked(effect, await self._call(fn, *args))
        except _Failed as failed:
            self.on_failure(effect, failed.reason)
            return _Outcome(failure=failed.reason)

    async def _settle(self, transition: Transition, now: datetime) -> Transition:
        loop = _effect_loop(self.engine, transition, now, self.max_rounds)
        try:
            effect = next(loop)
            while True:
                effect = loop.send(await self._perform(effect))
        except StopIteration as done:
            settled: Transition = done.value
            return settled
