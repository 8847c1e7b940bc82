"""The workflow definition as immutable values.

These classes are what the loader builds from a YAML document that passed the shipped
``workflow.schema.json``; the engine reads them and never changes them. Every user-visible
text is a :data:`Text` (a mapping of locale to string).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import attrs

from kl_contact.definition.availability import Availability
from kl_contact.definition.conditions import Condition
from kl_contact.errors import Severity

__all__ = [
    "INSTRUCTION_PLACEHOLDERS",
    "AnswerPolicy",
    "ArticleSettings",
    "AttachmentPolicy",
    "Channel",
    "ChannelInstruction",
    "ContactsPage",
    "InstructionAction",
    "Option",
    "PrefillMode",
    "Priority",
    "Question",
    "QuestionType",
    "RatingPrompt",
    "RequestFormat",
    "Resource",
    "Role",
    "Route",
    "Routing",
    "RoutingRule",
    "Step",
    "StepKind",
    "Text",
    "Workflow",
]

Text = Mapping[str, str]
"""A user-visible text: locale -> string."""


class StepKind(StrEnum):
    """What a step does; each maps to a part of the source document."""

    SELF_SERVICE = "self_service"
    """Before contacting support: help, knowledge base, FAQ, forum, utilities, downloads."""
    CHANNEL_CHOICE = "channel_choice"
    """Steps 1-2: the contacts page and the choice of e-mail, chat or phone."""
    QUESTIONS = "questions"
    """Step 3: drop-down lists and short texts describing the question."""
    ARTICLES = "articles"
    """Steps 4-5: suggested articles; "Contact support" when none helped."""
    REQUEST = "request"
    """Step 6: the detailed description, screenshots and contact details; "Send"."""
    CONFIRMATION = "confirmation"
    """Step 7: request number, the engineers' contact and next steps for the channel."""
    RESOLVED = "resolved"
    """An end: an article helped and no request was sent (or a follow-up was done)."""
    FOLLOW_UP = "follow_up"
    """A request the user already has: its number and e-mail, its status, and what the
    user may do next (add information, or reopen it)."""


TERMINAL_KINDS = frozenset({StepKind.CONFIRMATION, StepKind.RESOLVED})


class QuestionType(StrEnum):
    """The type of a question; each has its own answer shape and checks."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    ATTACHMENTS = "attachments"
    CONSENT = "consent"
    INFO = "info"


class Role(StrEnum):
    """What an answer means to the ticket and to article search."""

    PRODUCT = "product"
    CATEGORY = "category"
    PLATFORM = "platform"
    SUBJECT = "subject"
    DESCRIPTION = "description"
    ATTACHMENTS = "attachments"
    CONTACT_NAME = "contact_name"
    CONTACT_EMAIL = "contact_email"
    CONTACT_PHONE = "contact_phone"
    CONTACT_LANGUAGE = "contact_language"
    CONSENT = "consent"
    LICENCE_KEY = "licence_key"
    """The user's licence key: personal data, kept out of every repr, log and redacted form."""
    REQUEST_NUMBER = "request_number"
    """A follow-up step's question: the number of a request the user already has."""


PERSONAL_ROLES = frozenset(
    {Role.CONTACT_NAME, Role.CONTACT_EMAIL, Role.CONTACT_PHONE, Role.LICENCE_KEY}
)
"""The roles whose answers are personal data whatever the question says."""


class PrefillMode(StrEnum):
    """How a host's prefilled answer to a question shows (the definition's ``prefill:``)."""

    EDITABLE = "editable"
    """Shown filled in; the user may change it."""
    READ_ONLY = "read_only"
    """Shown filled in; the user cannot change it."""


PREFILL_TYPES = frozenset(
    {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.TEXT,
        QuestionType.LONG_TEXT,
        QuestionType.EMAIL,
        QuestionType.PHONE,
    }
)
"""The question types a host may prefill: an attachment has no bytes for the host to give,
a consent is the user's own to give, and an info question takes no answer."""


class AnswerPolicy(StrEnum):
    """What happens to an answer whose question (or chosen option) becomes hidden."""

    KEEP = "keep"
    """Keep it in the session: it shows again if the question comes back (never in a ticket)."""
    CLEAR = "clear"
    """Drop it from the session as soon as the question or the chosen option is hidden."""


RULES = ("required", "min_length", "max_length", "pattern", "min_selected", "max_selected")
"""The validation rules a question may give a severity of its own (default ``error``)."""


INSTRUCTION_PLACEHOLDERS = frozenset(
    {
        "request_number",
        "email",
        "chat_url",
        "phone",
        "phone_display",
        "support_email",
        "reply_within",
    }
)
"""The placeholders an instruction text or the registration note may use."""


class InstructionAction(StrEnum):
    """The action a confirmation step offers, beside its text."""

    WAIT_EMAIL = "wait_email"
    OPEN_CHAT = "open_chat"
    CALL = "call"


@attrs.frozen
class Resource:
    """A self-service pointer shown before contacting support."""

    id: str
    kind: str
    title: Text
    description: Text
    url: Text


@attrs.frozen
class ContactsPage:
    """The support contacts page for home users (step 1)."""

    title: Text
    url: Text
    follow_up: str | None = None
    """The follow-up step the contacts page offers ("I already have a request"), if any."""


@attrs.frozen
class ChannelInstruction:
    """One next step on the confirmation screen; ``text`` may use ``{placeholders}``."""

    text: Text
    action: InstructionAction | None = None
    label: Text | None = None


@attrs.frozen
class Channel:
    """A way to reach the engineers: e-mail, chat or phone."""

    id: str
    title: Text
    description: Text
    button: Text
    instructions: tuple[ChannelInstruction, ...]
    availability: Availability | None = None
    """Support hours and the closed-channel policy; ``None`` means always open."""
    follow_up: str | None = None
    """The follow-up step for a request made on this channel, if it has its own."""


@attrs.frozen
class Option:
    """One entry of a drop-down; shown only while ``when`` holds."""

    id: str
    label: Text
    when: Condition | None = None


@attrs.frozen
class AttachmentPolicy:
    """What files a user may attach (metadata only; the host keeps the bytes)."""

    media_types: tuple[str, ...] = (
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "application/zip",
    )
    extensions: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".txt", ".log", ".zip")
    max_size: int = 10 * 1024 * 1024
    max_count: int = 5
    max_total_size: int = 25 * 1024 * 1024


@attrs.frozen
class Question:
    """One field of a questions or request step."""

    id: str
    type: QuestionType
    label: Text
    help: Text | None = None
    placeholder: Text | None = None
    options: tuple[Option, ...] = ()
    required: bool = False
    required_when: Condition | None = None
    when: Condition | None = None
    role: Role | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Text | None = None
    min_selected: int | None = None
    max_selected: int | None = None
    attachments: AttachmentPolicy | None = None
    depends_on: str | None = None
    """The question whose answer picks this question's option list (dependent options)."""
    hidden_answer: AnswerPolicy | None = None
    """This question's own answer policy; ``None`` follows the workflow's ``hidden_answers``."""
    severity: Mapping[str, Severity] = attrs.field(factory=dict)
    """Rule name (see :data:`RULES`) -> ``error`` (blocks) or ``warning`` (shown, does not)."""
    personal: bool = False
    """The answer is personal data (free text that may name the user): erased with the
    contact details (see :func:`kl_contact.engine.erasure.erase_personal_data`)."""
    consent_version: str | None = None
    """The version of a consent question's text, recorded in the ticket with the consent."""

    @property
    def is_personal(self) -> bool:
        """Whether the answer is personal data: marked so, a contact or licence role, or
        attachments (their file names)."""
        return self.personal or self.role in PERSONAL_ROLES or self.type is QuestionType.ATTACHMENTS

    def severity_of(self, rule: str) -> Severity:
        """The severity of ``rule`` for this question (``error`` unless declared)."""
        return self.severity.get(rule, "error")


@attrs.frozen
class Route:
    """Go to ``to`` when ``when`` holds; routes are tried in order."""

    when: Condition
    to: str


@attrs.frozen
class RatingPrompt:
    """An end step's satisfaction question: a score from 1 to 5 and an optional comment.

    ``title`` is the question asked and ``comment_label`` the label of the comment field;
    either falls back to the catalog's ``rating.title`` / ``rating.comment`` when absent.
    """

    title: Text | None = None
    comment_label: Text | None = None


@attrs.frozen
class Step:
    """One screen of the flow."""

    id: str
    kind: StepKind
    title: Text
    text: Text | None = None
    questions: tuple[Question, ...] = ()
    next: str | None = None
    routes: tuple[Route, ...] = ()
    on_helped: str | None = None
    button: Text | None = None
    attempts: int = 5
    """A follow-up step: how many lookups one session may make before it is refused."""
    rating: RatingPrompt | None = None
    """An end step's satisfaction question (``rating:``), when it asks one."""


class Priority(StrEnum):
    """How soon the engineers should take a request, lowest first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@attrs.frozen
class RoutingRule:
    """Requests whose answers meet ``when`` get ``priority`` and go to ``queue``; the first
    rule that holds chooses, and ``id`` names it in the ticket."""

    id: str
    when: Condition
    priority: Priority = attrs.field(converter=Priority)
    queue: str


@attrs.frozen
class Routing:
    """Where requests go and how urgent they are (``routing:``): the declared ``queues``,
    the ``rules`` tried in order, and what a request no rule matches gets."""

    queues: tuple[str, ...]
    queue: str
    priority: Priority = attrs.field(default=Priority.NORMAL, converter=Priority)
    rules: tuple[RoutingRule, ...] = ()


@attrs.frozen
class ArticleSettings:
    """How many articles the articles step asks for, and the lowest score worth showing."""

    limit: int = 5
    min_score: float = attrs.field(default=0.0, converter=float)


@attrs.frozen
class RequestFormat:
    """How a request number looks to the user, and how it is tagged in e-mail subjects.

    ``number`` turns the support backend's own ticket id into the request number the user
    sees (``"{id}"``, ``"KL-{id}"``). ``subject_tag`` is the token the registration e-mail's
    subject carries so that a reply finds its request again; it may use ``{request_number}``
    and ``{id}``. A helpdesk that threads mail by its own tag gets that tag here: Request
    Tracker's is ``"[rtname #{id}]"`` with the RT instance's ``$rtname``.
    """

    number: str = "{id}"
    subject_tag: str = "[Request #{request_number}]"

    def request_number(self, ticket_id: str) -> str:
        """The request number of the backend's ticket ``ticket_id``."""
        return self.number.replace("{id}", ticket_id)

    def ticket_id(self, request_number: str) -> str | None:
        """The backend's ticket id inside ``request_number``, or ``None`` if it is not one."""
        head, _, tail = self.number.partition("{id}")
        if not request_number.startswith(head) or not request_number.endswith(tail):
            return None
        inner = request_number[len(head) : len(request_number) - len(tail)]
        return inner if inner and len(head) + len(tail) < len(request_number) else None

    def tag(self, request_number: str) -> str:
        """The subject tag for ``request_number`` (``[Request #KL-12]``, ``[rt #12]``)."""
        ticket_id = self.ticket_id(request_number) or request_number
        return self.subject_tag.replace("{request_number}", request_number).replace(
            "{id}", ticket_id
        )


@attrs.frozen(eq=False)
class Workflow:
    """A whole workflow definition, validated and resolved.

    ``digest`` is the SHA-256 of the canonical JSON of the source document: sessions record
    it so that a host can tell when a definition changed under a session in progress.
    """

    id: str
    version: int
    locales: tuple[str, ...]
    default_locale: str
    title: Text
    self_service: tuple[Resource, ...]
    contacts_page: ContactsPage
    channels: tuple[Channel, ...]
    steps: tuple[Step, ...]
    registration_note: Text
    articles: ArticleSettings
    messages: Mapping[str, Text]
    digest: str
    source: str = "<string>"
    support_email: str | None = None
    """The support mailbox a reply to the registration e-mail goes to (its Reply-To)."""
    hidden_answers: AnswerPolicy = attrs.field(default=AnswerPolicy.KEEP, converter=AnswerPolicy)
    """The answer policy of questions that declare none."""
    phone_region: str | None = None
    """Where a phone number without a country code is read (``RU``); else the locale says."""
    requests: RequestFormat = RequestFormat()
    """How request numbers look and how e-mail subjects tag them (``requests:``)."""
    routing: Routing | None = None
    """Priority and queue rules over the answers (``routing:``); none: tickets carry none."""
    prefill: Mapping[str, PrefillMode] = attrs.field(factory=dict)
    """Question id -> how a host's prefilled answer to it shows (``prefill:``); a question
    not named here cannot be prefilled."""
    _compiled: object = attrs.field(default=None, init=False, repr=False)
    """The compiled flow, filled by :func:`kl_contact.definition.flow.compile_flow` on first
    use: it is derived from the fields above alone, which never change."""

    @property
    def start(self) -> Step:
        """The first step of the flow."""
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        """The step with this id (``KeyError`` when there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def channel(self, channel_id: str) -> Channel:
        """The channel with this id (``KeyError`` when there is none)."""
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(channel_id)

    def follow_up_step(self, channel: str | None = None) -> str | None:
        """The follow-up step for ``channel`` (its own ``follow_up:``), else the contacts
        page's; ``None`` when neither offers one."""
        if channel is not None:
            for declared in self.channels:
                if declared.id == channel and declared.follow_up is not None:
                    return declared.follow_up
        return self.contacts_page.follow_up

    def follow_up_steps(self) -> dict[str | None, str]:
        """Every ``follow_up:`` pointer: channel id (``None`` for the contacts page) -> step."""
        found: dict[str | None, str] = {}
        if self.contacts_page.follow_up is not None:
            found[None] = self.contacts_page.follow_up
        for channel in self.channels:
            if channel.follow_up is not None:
                found[channel.id] = channel.follow_up
        return found

    def answer_policy(self, question: Question) -> AnswerPolicy:
        """The answer policy that applies to ``question``."""
        return question.hidden_answer or self.hidden_answers

    def questions(self) -> dict[str, Question]:
        """Every question of every step, by id."""
        return {q.id: q for s in self.steps for q in s.questions}

    def __repr__(self) -> str:
        return f"Workflow(id={self.id!r}, version={self.version}, steps={len(self.steps)})"
