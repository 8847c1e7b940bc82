"""Views: everything a frontend needs to render the current step, as data.

A view is built from the definition and the session alone. It names the step's kind, its
localised texts, the visible questions with their current options and answers, the issues,
and the actions (event types) the user can take now. ``view.schema.json`` describes its JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from kl_contact.articles.model import ArticleMatch
from kl_contact.channels.instructions import Instructions
from kl_contact.errors import ValidationIssue
from kl_contact.ticket.model import AnswerValue

__all__ = [
    "Action",
    "ArticlesView",
    "ChannelView",
    "ConfirmationView",
    "LinkView",
    "OptionView",
    "Progress",
    "QuestionView",
    "ResourceView",
    "View",
]


@attrs.frozen
class Action:
    """Something the user can do now: the event ``type`` to send and a label to show."""

    type: str
    label: str | None = None
    primary: bool = False


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
