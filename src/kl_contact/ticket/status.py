"""Where a registered request stands, typed the same for every helpdesk.

A user who already has a request number asks where it stands: a support backend's mapping
reads the helpdesk's answer into a :class:`RequestStatus`, and the engine's follow-up step
shows it with the next steps its :class:`FollowUpState` allows. Plain values, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

__all__ = ["ADDABLE_STATES", "REOPENABLE_STATES", "FollowUpState", "RequestStatus"]


class FollowUpState(StrEnum):
    """Where a registered request stands, as a user is told."""

    OPEN = "open"
    """Registered, and the engineers have it: nothing to do but wait."""
    WAITING_FOR_YOU = "waiting_for_you"
    """The engineers answered or asked something: the next move is the user's."""
    SOLVED = "solved"
    """The engineers consider it solved; a reply reopens it."""
    CLOSED = "closed"
    """Closed (rejected or removed): reopening it asks the engineers to look again."""


ADDABLE_STATES = frozenset({FollowUpState.OPEN, FollowUpState.WAITING_FOR_YOU})
"""The states in which a user may add information to a request."""

REOPENABLE_STATES = frozenset({FollowUpState.SOLVED, FollowUpState.CLOSED})
"""The states in which a user may ask to reopen a request."""


@attrs.frozen
class RequestStatus:
    """A registered request's state, the time of the engineers' last reply, and its update."""

    request_number: str
    state: FollowUpState = attrs.field(converter=FollowUpState)
    last_reply_at: datetime | None = None
    updated_at: datetime | None = None
