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

from __future__ import annotations

from typing import TYPE_CHECKING

from kl_contact._lazy import lazy_exports

if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__)
    from kl_contact.analytics import DeflectionReport, Funnel, ResolvingArticle, deflection_report
    from kl_contact.articles.index import ImpactIndex
    from kl_contact.articles.matcher import Bm25Matcher
    from kl_contact.articles.model import Article, ArticleMatch, ArticleMatcher, ArticleQuery
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
    from kl_contact.definition.model import AnswerPolicy, Workflow
    from kl_contact.definition.paths import FlowPath, PathAnswers, answers_for, flow_paths
    from kl_contact.driver import AsyncDriver, Driver
    from kl_contact.engine.effects import (
        Effect,
        SearchArticles,
        SendRegistrationEmail,
        SubmitTicket,
    )
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
    from kl_contact.revalidation import (
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
        dump_effect,
        dump_session,
        dump_ticket,
        dump_transition,
        load_event,
        load_session,
    )

_EXPORTS: dict[str, str] = {
    "DeflectionReport": "kl_contact.analytics",
    "Funnel": "kl_contact.analytics",
    "ResolvingArticle": "kl_contact.analytics",
    "deflection_report": "kl_contact.analytics",
    "ImpactIndex": "kl_contact.articles.index",
    "Bm25Matcher": "kl_contact.articles.matcher",
    "Article": "kl_contact.articles.model",
    "ArticleMatch": "kl_contact.articles.model",
    "ArticleMatcher": "kl_contact.articles.model",
    "ArticleQuery": "kl_contact.articles.model",
    "Availability": "kl_contact.channels",
    "ChannelStatus": "kl_contact.channels",
    "Instructions": "kl_contact.channels",
    "InstructionStep": "kl_contact.channels",
    "NextStepAction": "kl_contact.channels",
    "Schedule": "kl_contact.channels",
    "build_instructions": "kl_contact.channels",
    "channel_status": "kl_contact.channels",
    "find_request_number": "kl_contact.channels",
    "registration_email": "kl_contact.channels",
    "render_html": "kl_contact.channels",
    "render_json": "kl_contact.channels",
    "render_markdown": "kl_contact.channels",
    "render_text": "kl_contact.channels",
    "safe_url": "kl_contact.channels",
    "to_dot": "kl_contact.definition.diagram",
    "to_mermaid": "kl_contact.definition.diagram",
    "Finding": "kl_contact.definition.lint",
    "lint_text": "kl_contact.definition.lint",
    "default_workflow": "kl_contact.definition.loader",
    "load_workflow": "kl_contact.definition.loader",
    "parse_workflow": "kl_contact.definition.loader",
    "AnswerPolicy": "kl_contact.definition.model",
    "Workflow": "kl_contact.definition.model",
    "FlowPath": "kl_contact.definition.paths",
    "PathAnswers": "kl_contact.definition.paths",
    "answers_for": "kl_contact.definition.paths",
    "flow_paths": "kl_contact.definition.paths",
    "AsyncDriver": "kl_contact.driver",
    "Driver": "kl_contact.driver",
    "Effect": "kl_contact.engine.effects",
    "SearchArticles": "kl_contact.engine.effects",
    "SendRegistrationEmail": "kl_contact.engine.effects",
    "SubmitTicket": "kl_contact.engine.effects",
    "Engine": "kl_contact.engine.engine",
    "Transition": "kl_contact.engine.engine",
    "Answer": "kl_contact.engine.events",
    "ArticleHelped": "kl_contact.engine.events",
    "ArticleNotHelpful": "kl_contact.engine.events",
    "ArticlesFailed": "kl_contact.engine.events",
    "ArticlesFound": "kl_contact.engine.events",
    "Back": "kl_contact.engine.events",
    "ChangeLocale": "kl_contact.engine.events",
    "ChooseChannel": "kl_contact.engine.events",
    "Continue": "kl_contact.engine.events",
    "Escalate": "kl_contact.engine.events",
    "Event": "kl_contact.engine.events",
    "Next": "kl_contact.engine.events",
    "OpenArticle": "kl_contact.engine.events",
    "Send": "kl_contact.engine.events",
    "TicketAccepted": "kl_contact.engine.events",
    "TicketRejected": "kl_contact.engine.events",
    "DroppedAnswer": "kl_contact.engine.migration",
    "Migration": "kl_contact.engine.migration",
    "VersionPolicy": "kl_contact.engine.migration",
    "Session": "kl_contact.engine.session",
    "View": "kl_contact.engine.views",
    "DefinitionError": "kl_contact.errors",
    "KlContactError": "kl_contact.errors",
    "UsageError": "kl_contact.errors",
    "ValidationIssue": "kl_contact.errors",
    "Limits": "kl_contact.limits",
    "normalise_email": "kl_contact.questionnaire.fields",
    "normalise_phone": "kl_contact.questionnaire.fields",
    "Revalidation": "kl_contact.revalidation",
    "SubmittedAnswers": "kl_contact.revalidation",
    "revalidate_answers": "kl_contact.revalidation",
    "revalidate_ticket": "kl_contact.revalidation",
    "Attachment": "kl_contact.ticket.model",
    "ContactDetails": "kl_contact.ticket.model",
    "EngineerContact": "kl_contact.ticket.model",
    "Receipt": "kl_contact.ticket.model",
    "Ticket": "kl_contact.ticket.model",
    "TicketAnswer": "kl_contact.ticket.model",
    "WorkflowRef": "kl_contact.ticket.model",
    "SealedToken": "kl_contact.tokens",
    "SessionTokens": "kl_contact.tokens",
    "SigningKey": "kl_contact.tokens",
    "TokenKeyring": "kl_contact.tokens",
    "TokenRefused": "kl_contact.tokens",
    "JsonEngine": "kl_contact.wire",
    "dump_effect": "kl_contact.wire",
    "dump_session": "kl_contact.wire",
    "dump_ticket": "kl_contact.wire",
    "dump_transition": "kl_contact.wire",
    "load_event": "kl_contact.wire",
    "load_session": "kl_contact.wire",
}
"""Each exported name and the module that defines it."""


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__version__ = "0.1.0.dev0"
"""The installed version of kl_contact."""

__all__ = [
    "Answer",
    "AnswerPolicy",
    "Article",
    "ArticleHelped",
    "ArticleMatch",
    "ArticleMatcher",
    "ArticleNotHelpful",
    "ArticleQuery",
    "ArticlesFailed",
    "ArticlesFound",
    "AsyncDriver",
    "Attachment",
    "Availability",
    "Back",
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
    "Finding",
    "FlowPath",
    "Funnel",
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
    "ResolvingArticle",
    "Revalidation",
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
    "Workflow",
    "WorkflowRef",
    "__version__",
    "answers_for",
    "build_instructions",
    "channel_status",
    "default_workflow",
    "deflection_report",
    "dump_effect",
    "dump_session",
    "dump_ticket",
    "dump_transition",
    "find_request_number",
    "flow_paths",
    "lint_text",
    "load_event",
    "load_session",
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
