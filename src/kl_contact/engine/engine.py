"""The engine facade: one object that starts, moves and shows sessions of one definition.

:class:`Engine` is the convenient way in for a host. It holds the compiled flow of its
definition and nothing else; every call is the pure transition
(:func:`kl_contact.engine.transition.transition`) followed by the presenter
(:func:`kl_contact.engine.present.present`). Sessions are values passed in and returned,
and the engine keeps no state between calls, so one engine serves any number of sessions
concurrently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import attrs

from kl_contact.channels.hours import zone
from kl_contact.definition.flow import LEAVING_EVENT, compile_flow
from kl_contact.definition.model import Step, Workflow
from kl_contact.engine import transition as _transition
from kl_contact.engine.effects import Effect
from kl_contact.engine.erasure import erase_personal_data
from kl_contact.engine.events import Event
from kl_contact.engine.migration import Migration, VersionPolicy, migrate_session
from kl_contact.engine.prefill import prefill_answers
from kl_contact.engine.present import allowed_events, present
from kl_contact.engine.session import Session
from kl_contact.engine.views import View
from kl_contact.errors import UsageError
from kl_contact.limits import DEFAULT_LIMITS, Limits, event_problem
from kl_contact.ticket.model import Ticket

__all__ = ["Engine", "Transition"]


@attrs.frozen
class Transition:
    """The result of one step of the engine: the new session, what to show, what to do."""

    session: Session
    view: View
    effects: tuple[Effect, ...] = ()
    outcome: Literal["applied", "ignored"] = "applied"
    """``ignored`` when a host event answered an effect no longer awaited (an unknown or
    stale ``search_id`` / ``submission_id``): the session came back unchanged."""


class Engine:
    """Runs sessions of one workflow definition.

    The engine holds only the definition and its compiled flow; sessions are values passed
    in and returned, so one engine serves any number of them concurrently.

    >>> from datetime import datetime, timezone
    >>> from kl_contact import Engine, default_workflow
    >>> engine = Engine(default_workflow())
    >>> first = engine.start(session_id="s-1", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> first.view.kind
    'self_service'
    """

    __slots__ = ("flow", "limits", "workflow")

    def __init__(self, workflow: Workflow, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.workflow = workflow
        self.flow = compile_flow(workflow)
        self.limits = limits
        """How much one event may carry (:func:`~kl_contact.limits.event_problem`) and how
        long a rating's comment may be."""

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
        """A new session on the first step, in ``locale`` (default: the definition's).

        ``time_zone`` (IANA) is where opening times are shown; ``region`` picks regional
        support hours. ``prefill`` maps question ids to answers the host already knows
        (the product, its version, the operating system...): each is checked like a typed
        answer, and what is wrong with one becomes an issue on the session and the first
        view, never an exception (see :mod:`kl_contact.engine.prefill`). A ``prefill`` that is
        no mapping (``prefill.invalid``), or holds more answers, or larger ones, than
        :attr:`limits` allow an event (``limit.*``), is a :class:`UsageError`.
        """
        _transition.aware(now)
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
        given = prefill_answers(self.flow, self._bounded(prefill or {}), locale)
        session = Session(
            id=session_id,
            workflow=_transition.workflow_ref(self.flow),
            locale=locale,
            step=self.flow.start.id,
            created_at=now,
            updated_at=now,
            time_zone=time_zone,
            region=region,
            answers=given.answers,
            prefilled=given.marked,
            prefill_issues=given.issues,
        )
        return self._show(_transition.entered(self.flow, session))

    def _bounded(self, prefill: Mapping[str, object]) -> Mapping[str, object]:
        if not isinstance(prefill, Mapping):
            raise UsageError("prefill must map question ids to answers", code="prefill.invalid")
        too_big = event_problem(prefill, self.limits) if prefill else None
        if too_big is not None:
            raise UsageError(too_big[1], code=too_big[0])
        return prefill

    def handle(self, session: Session, event: Event, now: datetime) -> Transition:
        """Apply ``event`` to ``session`` at ``now``."""
        too_big = event_problem(getattr(event, "answers", None), self.limits)
        if too_big is not None:
            raise UsageError(too_big[1], code=too_big[0])
        moved, effects, ctx = _transition.moved_with_context(
            self.flow, session, event, now, limits=self.limits
        )
        # every event that is applied records itself in the history: the same object back
        # means the transition ignored a stale result
        outcome: Literal["applied", "ignored"] = "ignored" if moved is session else "applied"
        return Transition(
            session=moved,
            view=present(self.flow, moved, ctx, limits=self.limits),
            effects=effects,
            outcome=outcome,
        )

    def check_session(self, session: Session) -> None:
        """Raise :class:`UsageError` (``session.misfit``) when ``session`` cannot belong to
        this workflow: an unknown step, channel or locale, or a status its step cannot have."""
        _transition.check_session(self.flow, session)

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
        _transition.aware(now)
        migration = migrate_session(self.flow, session, on_version_change=on_version_change)
        moved = migration.session
        if migration.step_to != migration.step_from:
            return self._show(_transition.entered(self.flow, moved)), migration
        return self._show((moved, ())), migration

    def allowed_events(self, session: Session) -> tuple[str, ...]:
        """The user event types the current step accepts now."""
        return allowed_events(self.flow.steps[session.step], session)

    def view(self, session: Session) -> View:
        """The view of the session's current step."""
        return present(self.flow, session, limits=self.limits)

    def next_step(self, session: Session) -> Step:
        """Where the session goes from its step when the user goes on: routes, then next."""
        table = self.flow.steps[session.step]
        ctx = self.flow.step_context(table.id, session.answers, session.channel, session.locale)
        target = table.target(LEAVING_EVENT[table.step.kind], ctx)
        if target is None:
            raise UsageError(f"step {table.id!r} is an end", code="step.terminal")
        return self.flow.steps[target].step

    def erase_personal_data(self, session: Session) -> Session:
        """``session`` of a finished contact with its personal data replaced (see
        :func:`kl_contact.engine.erasure.erase_personal_data`)."""
        return erase_personal_data(self.workflow, session)

    def build_ticket(self, session: Session, ticket_id: str, now: datetime) -> Ticket:
        """The ticket the session would send now: visible answers only, labels localised."""
        return _transition.session_ticket(self.flow, session, ticket_id, now)

    def _show(self, moved: tuple[Session, tuple[Effect, ...]]) -> Transition:
        session, effects = moved
        return Transition(
            session=session, view=present(self.flow, session, limits=self.limits), effects=effects
        )
