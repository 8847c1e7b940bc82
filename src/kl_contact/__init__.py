"""kl_contact: a sans-I/O SDK for the path a home user takes to reach a support engineer.

Self-service first, then the channel (e-mail, chat, phone), a questionnaire, suggested
articles, the detailed request, and the confirmation with the request number and next steps.
The library performs no I/O: the host passes events and the current time in, and carries
out the effects it gets back.

>>> from datetime import datetime, timezone
>>> from kl_contact import Engine, Continue, default_workflow
>>> engine = Engine(default_workflow())
>>> now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
>>> first = engine.start(session_id="demo-1", now=now, locale="en")
>>> engine.handle(first.session, Continue(), now).view.kind
'channel_choice'
"""

from kl_contact.analytics import (
    ArticleFeedbackCount,
    DeflectionReport,
    Funnel,
    ResolvingArticle,
    deflection_report,
    demotions,
    feedback_report,
)
from kl_contact.articles.index import ImpactIndex
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.articles.model import (
    Article,
    ArticleMatch,
    ArticleMatcher,
    ArticleQuery,
    ArticleSearch,
    Explanation,
    FilterRule,
)
from kl_contact.articles.vocabulary import Vocabulary, load_vocabulary
from kl_contact.channels import (
    Availability,
    ChannelStatus,
    Instructions,
    InstructionStep,
    NextStepAction,
    Schedule,
    build_instructions,
    channel_status,
    find_request_number,
    registration_email,
    render_html,
    render_json,
    render_markdown,
    render_text,
    safe_url,
)
from kl_contact.definition.diagram import to_dot, to_mermaid
from kl_contact.definition.lint import Finding, lint_text
from kl_contact.definition.loader import default_workflow, load_workflow, parse_workflow
from kl_contact.definition.model import AnswerPolicy, RequestFormat, Workflow
from kl_contact.definition.paths import FlowPath, PathAnswers, answers_for, flow_paths
from kl_contact.driver import AsyncDriver, Driver
from kl_contact.engine.effects import Effect, SearchArticles, SendRegistrationEmail, SubmitTicket
from kl_contact.engine.engine import Engine, Transition
from kl_contact.engine.events import (
    Answer,
    ArticleHelped,
    ArticleNotHelpful,
    ArticlesFailed,
    ArticlesFound,
    Back,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Escalate,
    Event,
    Next,
    OpenArticle,
    Send,
    TicketAccepted,
    TicketRejected,
)
from kl_contact.engine.migration import DroppedAnswer, Migration, VersionPolicy
from kl_contact.engine.session import Session
from kl_contact.engine.views import View
from kl_contact.errors import DefinitionError, KlContactError, UsageError, ValidationIssue
from kl_contact.limits import Limits
from kl_contact.questionnaire.fields import normalise_email, normalise_phone
from kl_contact.questionnaire.revalidation import (
    Revalidation,
    SubmittedAnswers,
    revalidate_answers,
    revalidate_ticket,
)
from kl_contact.ticket.model import (
    Attachment,
    ContactDetails,
    EngineerContact,
    Receipt,
    Ticket,
    TicketAnswer,
    WorkflowRef,
)
from kl_contact.tokens import (
    SealedToken,
    SessionTokens,
    SigningKey,
    TokenKeyring,
    TokenRefused,
)
from kl_contact.wire import (
    JsonEngine,
    dump_receipt,
    dump_request_status,
    dump_session,
    dump_transition,
    load_event,
    load_session,
    load_ticket,
)

# isort: split
# The backends read the definition's model, which must not be the first to load (it and
# kl_contact.channels import each other).
from kl_contact.backends.model import (
    BackendAnswerInvalid,
    FileContent,
    FollowUpState,
    HttpRequest,
    RequestStatus,
    SupportBackend,
    idempotency_key,
)
from kl_contact.backends.rt import RequestTracker, RtCustomFields

__version__ = "0.1.0.dev0"
"""The installed version of kl_contact."""

__all__ = [
    "Answer",
    "AnswerPolicy",
    "Article",
    "ArticleFeedbackCount",
    "ArticleHelped",
    "ArticleMatch",
    "ArticleMatcher",
    "ArticleNotHelpful",
    "ArticleQuery",
    "ArticleSearch",
    "ArticlesFailed",
    "ArticlesFound",
    "AsyncDriver",
    "Attachment",
    "Availability",
    "Back",
    "BackendAnswerInvalid",
    "Bm25Matcher",
    "ChangeLocale",
    "ChannelStatus",
    "ChooseChannel",
    "ContactDetails",
    "Continue",
    "DefinitionError",
    "DeflectionReport",
    "Driver",
    "DroppedAnswer",
    "Effect",
    "Engine",
    "EngineerContact",
    "Escalate",
    "Event",
    "Explanation",
    "FileContent",
    "FilterRule",
    "Finding",
    "FlowPath",
    "FollowUpState",
    "Funnel",
    "HttpRequest",
    "ImpactIndex",
    "InstructionStep",
    "Instructions",
    "JsonEngine",
    "KlContactError",
    "Limits",
    "Migration",
    "Next",
    "NextStepAction",
    "OpenArticle",
    "PathAnswers",
    "Receipt",
    "RequestFormat",
    "RequestStatus",
    "RequestTracker",
    "ResolvingArticle",
    "Revalidation",
    "RtCustomFields",
    "Schedule",
    "SealedToken",
    "SearchArticles",
    "Send",
    "SendRegistrationEmail",
    "Session",
    "SessionTokens",
    "SigningKey",
    "SubmitTicket",
    "SubmittedAnswers",
    "SupportBackend",
    "Ticket",
    "TicketAccepted",
    "TicketAnswer",
    "TicketRejected",
    "TokenKeyring",
    "TokenRefused",
    "Transition",
    "UsageError",
    "ValidationIssue",
    "VersionPolicy",
    "View",
    "Vocabulary",
    "Workflow",
    "WorkflowRef",
    "__version__",
    "answers_for",
    "build_instructions",
    "channel_status",
    "default_workflow",
    "deflection_report",
    "demotions",
    "dump_receipt",
    "dump_request_status",
    "dump_session",
    "dump_transition",
    "feedback_report",
    "find_request_number",
    "flow_paths",
    "idempotency_key",
    "lint_text",
    "load_event",
    "load_session",
    "load_ticket",
    "load_vocabulary",
    "load_workflow",
    "normalise_email",
    "normalise_phone",
    "parse_workflow",
    "registration_email",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "revalidate_answers",
    "revalidate_ticket",
    "safe_url",
    "to_dot",
    "to_mermaid",
]
