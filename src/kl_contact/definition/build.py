"""Build the immutable model from a definition document that passed its checks.

The loader calls :func:`build_workflow` once the document is known to be valid; the
linter calls :func:`build_steps` to read the flow of a document it is still checking.
Nothing here checks a document: a broken one is the linter's business.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from kl_contact.definition.availability import availability_from_data
from kl_contact.definition.conditions import (
    AllOf,
    AnswerAnswered,
    AnswerEquals,
    AnswerIn,
    AnyOf,
    ChannelIs,
    Condition,
    LocaleIs,
    NotCondition,
)
from kl_contact.definition.flow import default_next
from kl_contact.definition.model import (
    TERMINAL_KINDS,
    AnswerPolicy,
    ArticleSettings,
    AttachmentPolicy,
    Channel,
    ChannelInstruction,
    ContactsPage,
    InstructionAction,
    Option,
    PrefillMode,
    Question,
    QuestionType,
    RatingPrompt,
    RequestFormat,
    Resource,
    Role,
    Route,
    Routing,
    RoutingRule,
    Step,
    StepKind,
    Workflow,
)

__all__ = ["build_steps", "build_workflow"]


def _given(raw: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The ``keys`` the document gives: what it leaves out takes the model's default, which
    is written on the model alone."""
    return {key: raw[key] for key in keys if key in raw}


def _text(value: Any) -> dict[str, str] | None:
    return dict(value) if value is not None else None


def _condition(raw: Any) -> Condition | None:
    if raw is None:
        return None
    if "all" in raw:
        return AllOf(tuple(c for c in map(_condition, raw["all"]) if c is not None))
    if "any" in raw:
        return AnyOf(tuple(c for c in map(_condition, raw["any"]) if c is not None))
    if "not" in raw:
        inner = _condition(raw["not"])
        assert inner is not None
        return NotCondition(inner)
    if "answer" in raw:
        if "equals" in raw:
            return AnswerEquals(raw["answer"], raw["equals"])
        if "in" in raw:
            return AnswerIn(raw["answer"], tuple(raw["in"]))
        return AnswerAnswered(raw["answer"], bool(raw["answered"]))
    if "channel" in raw:
        channels = raw["channel"] if isinstance(raw["channel"], list) else [raw["channel"]]
        return ChannelIs(tuple(channels))
    locales = raw["locale"] if isinstance(raw["locale"], list) else [raw["locale"]]
    return LocaleIs(tuple(locales))


def _question(raw: dict[str, Any]) -> Question:
    qtype = QuestionType(raw["type"])
    policy = None
    if qtype is QuestionType.ATTACHMENTS:
        given: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in raw.get("attachments", {}).items()
        }
        policy = AttachmentPolicy(**given)
    return Question(
        id=raw["id"],
        type=qtype,
        label=dict(raw["label"]),
        help=_text(raw.get("help")),
        placeholder=_text(raw.get("placeholder")),
        options=_options(raw),
        **_given(raw, "required"),
        required_when=_condition(raw.get("required_when")),
        when=_question_when(raw),
        role=Role(raw["role"]) if "role" in raw else None,
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        pattern_message=_text(raw.get("pattern_message")),
        min_selected=raw.get("min_selected"),
        max_selected=raw.get("max_selected"),
        attachments=policy,
        depends_on=raw["depends_on"]["question"] if "depends_on" in raw else None,
        hidden_answer=AnswerPolicy(raw["hidden_answer"]) if "hidden_answer" in raw else None,
        severity=dict(raw.get("severity", {})),
        **_given(raw, "personal", "consent_version"),
    )


def _options(raw: dict[str, Any]) -> tuple[Option, ...]:
    """A question's options; dependent lists become options shown for their parent values.

    Parent values with the same list share its options, each shown while the parent is one
    of them; every parent value sees its own list in its own order.
    """
    if "depends_on" not in raw:
        return tuple(
            Option(id=o["id"], label=dict(o["label"]), when=_condition(o.get("when")))
            for o in raw.get("options", [])
        )
    parent = raw["depends_on"]["question"]
    lists: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
    for parent_value, options in raw["depends_on"]["options"].items():
        key = json.dumps(options, sort_keys=True)
        lists.setdefault(key, (options, []))[1].append(parent_value)
    return tuple(
        Option(id=o["id"], label=dict(o["label"]), when=AnswerIn(parent, tuple(parents)))
        for options, parents in lists.values()
        for o in options
    )


def _question_when(raw: dict[str, Any]) -> Condition | None:
    """A dependent question shows only once its parent has an answer with a non-empty list."""
    own = _condition(raw.get("when"))
    if "depends_on" not in raw:
        return own
    lists = raw["depends_on"]["options"]
    parent = AnswerIn(raw["depends_on"]["question"], tuple(k for k, v in lists.items() if v))
    return parent if own is None else AllOf((own, parent))


def _rating(raw: Any) -> RatingPrompt | None:
    if not isinstance(raw, Mapping):
        return None
    return RatingPrompt(
        title=_text(raw.get("title")), comment_label=_text(raw.get("comment_label"))
    )


def build_steps(data: dict[str, Any]) -> tuple[Step, ...]:
    """The steps of a schema-valid document; step references are not resolved, so the
    linter reads the flow of a document whose references it is still checking."""
    terminal = {kind.value for kind in TERMINAL_KINDS}
    return tuple(
        Step(
            id=raw["id"],
            kind=StepKind(raw["kind"]),
            title=dict(raw["title"]),
            text=_text(raw.get("text")),
            questions=tuple(_question(q) for q in raw.get("questions", [])),
            next=default_next(data["steps"], index) if raw["kind"] not in terminal else None,
            routes=tuple(
                Route(when=c, to=r["to"])
                for r in raw.get("routes", [])
                if (c := _condition(r["when"])) is not None
            ),
            on_helped=raw.get("on_helped"),
            button=_text(raw.get("button")),
            **_given(raw, "attempts"),
            rating=_rating(raw.get("rating")),
        )
        for index, raw in enumerate(data["steps"])
    )


def build_workflow(data: dict[str, Any], source: str) -> Workflow:
    """The model of a document that passed the schema and the semantic checks."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    steps = build_steps(data)
    settings = data.get("articles", {})
    return Workflow(
        id=data["id"],
        version=data["version"],
        locales=tuple(data["locales"]),
        default_locale=data["default_locale"],
        title=dict(data["title"]),
        self_service=tuple(
            Resource(
                id=r["id"],
                kind=r["kind"],
                title=dict(r["title"]),
                description=dict(r["description"]),
                url=dict(r["url"]),
            )
            for r in data["self_service"]
        ),
        contacts_page=ContactsPage(
            title=dict(data["contacts_page"]["title"]),
            url=dict(data["contacts_page"]["url"]),
            **_given(data["contacts_page"], "follow_up"),
        ),
        channels=tuple(
            Channel(
                id=c["id"],
                title=dict(c["title"]),
                description=dict(c["description"]),
                button=dict(c["button"]),
                instructions=tuple(
                    ChannelInstruction(
                        text=dict(i["text"]),
                        action=InstructionAction(i["action"]) if "action" in i else None,
                        label=_text(i.get("label")),
                    )
                    for i in c["instructions"]
                ),
                availability=availability_from_data(c.get("availability")),
                **_given(c, "follow_up"),
            )
            for c in data["channels"]
        ),
        steps=tuple(steps),
        registration_note=dict(data["registration_note"]),
        articles=ArticleSettings(**_given(settings, "limit", "min_score")),
        messages={code: dict(text) for code, text in data.get("messages", {}).items()},
        digest="sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        source=source,
        **_given(data, "support_email", "hidden_answers", "phone_region"),
        requests=RequestFormat(**data.get("requests", {})),
        routing=_routing(data.get("routing")),
        prefill={qid: PrefillMode(mode) for qid, mode in data.get("prefill", {}).items()},
    )


def _routing(raw: Mapping[str, Any] | None) -> Routing | None:
    if raw is None:
        return None
    rules = tuple(
        RoutingRule(
            id=rule["id"],
            when=_condition(rule["when"]),  # type: ignore[arg-type]  # required by the schema
            priority=rule["priority"],
            queue=rule["queue"],
        )
        for rule in raw.get("rules", ())
    )
    return Routing(
        queues=tuple(raw["queues"]),
        queue=raw["default"]["queue"],
        rules=rules,
        **_given(raw["default"], "priority"),
    )
