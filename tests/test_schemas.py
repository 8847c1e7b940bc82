"""The shipped schemas and the Python models are kept in step.

For every model class, the schema object that describes its JSON lists exactly the class's
fields, and requires exactly the fields without a default: a field added or removed on one
side only fails here. Documents produced by the library validate (see test_walks.py), and
the shipped schemas are themselves valid.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from kl_contact.articles.model import ArticleMatch, ArticleQuery
from kl_contact.backends.model import RequestStatus
from kl_contact.channels.instructions import Instructions, InstructionStep, NextStepAction
from kl_contact.engine import effects as effects_module
from kl_contact.engine import events as events_module
from kl_contact.engine.session import (
    ArticleFeedback,
    ArticlesState,
    HistoryEntry,
    Session,
    Submission,
)
from kl_contact.engine.views import (
    Action,
    ArticlesView,
    AttachmentRules,
    ChannelView,
    ConfirmationView,
    LinkView,
    OptionView,
    Progress,
    QuestionView,
    ResourceView,
    View,
)
from kl_contact.errors import ValidationIssue
from kl_contact.revalidation import Revalidation, SubmittedAnswers
from kl_contact.schemas import SCHEMA_NAMES, check_shipped_schemas, load_schema
from kl_contact.ticket.model import (
    Attachment,
    ContactDetails,
    EngineerContact,
    Receipt,
    Ticket,
    TicketAnswer,
    TicketArticles,
    TicketConsent,
    WorkflowRef,
)


def _at(schema: str, pointer: str = "") -> dict[str, Any]:
    node: Any = load_schema(schema)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return dict(node)


MODELS: list[tuple[type, str, str]] = [
    (Session, "session", ""),
    (ArticlesState, "session", "$defs/articles"),
    (ArticleFeedback, "session", "$defs/feedback"),
    (Submission, "session", "$defs/submission"),
    (HistoryEntry, "session", "$defs/history"),
    (Ticket, "ticket", ""),
    (ContactDetails, "ticket", "$defs/contact"),
    (TicketAnswer, "ticket", "$defs/answer"),
    (TicketArticles, "ticket", "$defs/articles"),
    (TicketConsent, "ticket", "$defs/consent"),
    (Receipt, "receipt", ""),
    (EngineerContact, "receipt", "$defs/contact"),
    (RequestStatus, "request_status", ""),
    (Instructions, "instructions", ""),
    (InstructionStep, "instructions", "$defs/step"),
    (NextStepAction, "instructions", "$defs/action"),
    (View, "view", ""),
    (Action, "view", "$defs/action"),
    (OptionView, "view", "$defs/option"),
    (AttachmentRules, "view", "$defs/attachmentRules"),
    (QuestionView, "view", "$defs/question"),
    (ResourceView, "view", "$defs/resource"),
    (LinkView, "view", "$defs/link"),
    (ChannelView, "view", "$defs/channel"),
    (ArticlesView, "view", "$defs/articles"),
    (ConfirmationView, "view", "$defs/confirmation"),
    (Progress, "view", "$defs/progress"),
    (Attachment, "common", "$defs/attachment"),
    (ValidationIssue, "common", "$defs/issue"),
    (ArticleMatch, "common", "$defs/articleMatch"),
    (ArticleQuery, "common", "$defs/articleQuery"),
    (WorkflowRef, "common", "$defs/workflowRef"),
    (SubmittedAnswers, "answers", ""),
    (Revalidation, "answers", "$defs/revalidation"),
]
MODELS += [(cls, "event", f"$defs/{tag}") for cls, tag in events_module.EVENT_TYPES.items()]
MODELS += [(cls, "effect", f"$defs/{tag}") for cls, tag in effects_module.EFFECT_TYPES.items()]


@pytest.mark.parametrize(
    ("cls", "schema", "pointer"), MODELS, ids=lambda v: getattr(v, "__name__", v)
)
def test_model_and_schema_list_the_same_fields(cls: type, schema: str, pointer: str) -> None:
    node = _at(schema, pointer)
    fields = attrs.fields(cls)
    names = {f.name for f in fields}
    without_default = {f.name for f in fields if f.default is attrs.NOTHING}
    tagged = schema in {"event", "effect"}
    properties = set(node["properties"]) - ({"type"} if tagged else set())
    required = set(node.get("required", [])) - ({"type"} if tagged else set())
    assert properties == names
    assert required == without_default
    assert node.get("additionalProperties") is False


def test_every_event_and_effect_has_a_branch() -> None:
    assert set(_at("event")["properties"]["type"]["enum"]) == set(
        events_module.EVENT_TYPES.values()
    )
    assert set(_at("effect")["properties"]["type"]["enum"]) == set(
        effects_module.EFFECT_TYPES.values()
    )


def test_shipped_schemas_are_valid() -> None:
    assert check_shipped_schemas() == []
    assert len(SCHEMA_NAMES) == len(set(SCHEMA_NAMES))


def test_wheel_ships_the_schemas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Build the wheel and look inside: the schemas, py.typed and the data files are there."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("kl_contact-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in SCHEMA_NAMES:
        assert f"kl_contact/schemas/{name}.schema.json" in names
    assert "kl_contact/py.typed" in names
    assert "kl_contact/definition/default_workflow.yaml" in names
    assert any(n.startswith("kl_contact/articles/sample/") for n in names)
    assert "kl_contact/cli/examples/phone.yaml" in names
