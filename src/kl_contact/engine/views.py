"""Views: everything a frontend needs to render the current step, as data.

A view is built from the definition and the session alone. It names the step's kind, its
localised texts, the visible questions with their current options and answers, the issues,
and the actions (event types) the user can take now. ``view.schema.json`` describes its JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from kl_contact._text import text_direction
from kl_contact.articles.model import ArticleMatch
from kl_contact.channels.instructions import Instructions
from kl_contact.errors import ValidationIssue
from kl_contact.ticket.model import AnswerValue
from kl_contact.ticket.status import RequestStatus

__all__ = [
    "USER_ACTIONS",
    "Action",
    "ActionField",
    "ActionType",
    "ArticlesView",
    "ChannelView",
    "ConfirmationView",
    "FollowUpView",
    "LinkView",
    "OptionView",
    "Progress",
    "QuestionView",
    "RatingView",
    "ResourceView",
    "View",
    "text_direction",
]

ActionType = Literal[
    "continue",
    "choose_channel",
    "answer",
    "next",
    "back",
    "open_article",
    "article_helped",
    "article_not_helpful",
    "escalate",
    "send",
    "change_locale",
    "rate",
    "skip_rating",
    "follow_up",
    "find_request",
    "add_information",
    "reopen",
]
"""The event types a user can send: the closed list ``view.actions[].type`` takes."""

USER_ACTIONS: tuple[str, ...] = ActionType.__args__  # type: ignore[attr-defined]
"""Every :data:`ActionType`, in the order of the schema's enum."""


@attrs.frozen
class ActionField:
    """One field of the event an action sends, and where in the view its value comes from.

    ``source`` is a path into the view: ``/channels/*/id`` (the id of a shown channel whose
    ``choosable`` is true), ``/locales/*``, ``/articles/matches/*/id``, or ``/questions``
    (an object keyed by the ids of the shown questions, each value shaped by the question's
    ``type`` and rules). ``None`` means the user types it freely.
    """

    name: str
    source: str | None
    required: bool = True


@attrs.frozen
class Action:
    """Something the user can do now: the event ``type`` to send and a label to show.

    ``fields`` are the event's fields besides ``type``; ``stays`` is true for an action
    that never leaves the step (``answer``, ``open_article``, ``change_locale``...), false
    for one that moves on when the step allows it (``next`` with complete answers...).
    """

    type: ActionType
    label: str | None = None
    primary: bool = False
    fields: tuple[ActionField, ...] = ()
    stays: bool = False


@attrs.frozen
class OptionView:
    """One option of a choice question, in the session's locale."""

    id: str
    label: str


@attrs.frozen
class AttachmentRules:
    """What files an attachments question accepts."""

    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    max_size: int
    max_count: int
    max_total_size: int


@attrs.frozen(repr=False)
class QuestionView:
    """One visible question with its options, the current answer and its issues."""

    id: str
    type: str
    label: str
    required: bool
    help: str | None = None
    placeholder: str | None = None
    role: str | None = None
    options: tuple[OptionView, ...] = ()
    value: AnswerValue | None = None
    issues: tuple[ValidationIssue, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min_selected: int | None = None
    max_selected: int | None = None
    attachments: AttachmentRules | None = None
    pattern: str | None = None
    """A regular expression the whole text answer must match (Python ``re`` syntax limited
    to what ECMAScript reads alike: classes, quantifiers, groups, alternation)."""
    prefilled: bool = False
    """The answer is the one the host prefilled (the user's own program knew it)."""
    read_only: bool = False
    """The answer is prefilled and the user cannot change it: show it, offer no input (an
    ``answer`` event that changes it is refused with ``answer.read_only``)."""

    def __repr__(self) -> str:
        return (
            f"QuestionView(id={self.id!r}, type={self.type!r}, answered={self.value is not None})"
        )


@attrs.frozen
class ResourceView:
    """A self-service pointer."""

    id: str
    kind: str
    title: str
    description: str
    url: str


@attrs.frozen
class LinkView:
    """A titled link."""

    title: str
    url: str


@attrs.frozen
class ChannelView:
    """A channel on the channel-choice step, open or closed at the session's last event.

    ``opens_at`` (when closed) and ``closes_at`` are in the user's time zone; ``choosable``
    is false for a closed channel that cannot be chosen, and ``suggest`` names channels to
    offer instead.
    """

    id: str
    title: str
    description: str
    button: str
    open: bool = True
    choosable: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    suggest: tuple[str, ...] = ()


@attrs.frozen
class ArticlesView:
    """The articles step: search status and the suggested articles."""

    status: Literal["idle", "loading", "ready", "failed"]
    matches: tuple[ArticleMatch, ...] = ()
    opened: tuple[str, ...] = ()
    not_helpful: tuple[str, ...] = ()


@attrs.frozen
class ConfirmationView:
    """The confirmation: request number and the next steps for the channel."""

    request_number: str
    channel: str
    instructions: Instructions


@attrs.frozen
class FollowUpView:
    """A follow-up of an existing request: the lookup's status, the request found and the
    next steps for its state, in the session's locale.

    ``status`` is ``idle`` (asking the number and e-mail), ``looking_up``, ``found``,
    ``not_found``, ``unavailable``, ``added`` or ``reopened``; ``attempts_left`` is how many
    lookups the session may still make; ``can_add`` and ``can_reopen`` say which of
    ``add_information`` and ``reopen`` the request's state allows.
    """

    status: str
    attempts_left: int
    request: RequestStatus | None = None
    next_steps: tuple[str, ...] = ()
    can_add: bool = False
    can_reopen: bool = False


@attrs.frozen
class RatingView:
    """An end step's satisfaction question.

    ``scores`` are the scores the ``rate`` action takes, lowest first; ``comment_label``
    labels the optional comment field, at most ``comment_max_length`` characters long.
    ``status`` is ``open`` until the user rated (``rated``, with ``score``) or skipped it
    (``skipped``); the comment given is never shown back.
    """

    title: str
    comment_label: str
    comment_max_length: int
    scores: tuple[int, ...] = (1, 2, 3, 4, 5)
    status: Literal["open", "rated", "skipped"] = "open"
    score: int | None = None


@attrs.frozen
class Progress:
    """Where the step stands in the definition's list of steps (1-based)."""

    index: int
    total: int


@attrs.frozen(repr=False)
class View:
    """Everything to render for the session's current step."""

    session_id: str
    workflow: str
    step: str
    kind: str
    status: str
    locale: str
    locales: tuple[str, ...]
    title: str
    progress: Progress
    terminal: bool = False
    """True on a step that ends the contact (confirmation, resolved): no action leaves it."""
    dir: Literal["ltr", "rtl"] = "ltr"
    """The text direction of ``locale``, for the page's ``dir`` attribute."""
    text: str | None = None
    channel: str | None = None
    actions: tuple[Action, ...] = ()
    issues: tuple[ValidationIssue, ...] = ()
    questions: tuple[QuestionView, ...] = ()
    resources: tuple[ResourceView, ...] = ()
    contacts_page: LinkView | None = None
    channels: tuple[ChannelView, ...] = ()
    articles: ArticlesView | None = None
    confirmation: ConfirmationView | None = None
    follow_up: FollowUpView | None = None
    """A follow-up step (and the end it leads to): the request and what may be done next."""
    rating: RatingView | None = None
    """The rating question, on an end step that asks one."""

    def __repr__(self) -> str:
        return (
            f"View(step={self.step!r}, kind={self.kind!r}, status={self.status!r}, "
            f"questions={len(self.questions)}, issues={len(self.issues)})"
        )

    def question(self, question_id: str) -> QuestionView:
        """The visible question with this id (``KeyError`` when it is not shown)."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def action_types(self) -> tuple[str, ...]:
        """The event types the user can send now."""
        return tuple(action.type for action in self.actions)
