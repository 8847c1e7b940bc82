"""Load a workflow definition: YAML -> shipped schema -> semantic checks -> immutable model.

A definition is configuration, so every problem found here raises :class:`DefinitionError`
naming the file, line and column. :func:`check_document` returns every problem instead of
the first, for linters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from kl_contact.channels.checks import channel_problems
from kl_contact.channels.hours import availability_from_data
from kl_contact.definition._yaml import Document, load_yaml
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
from kl_contact.definition.model import (
    TERMINAL_KINDS,
    ArticleSettings,
    AttachmentPolicy,
    Channel,
    ChannelInstruction,
    ContactsPage,
    InstructionAction,
    Option,
    Question,
    QuestionType,
    Resource,
    Role,
    Route,
    Step,
    StepKind,
    Workflow,
)
from kl_contact.errors import DefinitionError

__all__ = ["check_document", "default_workflow", "load_workflow", "parse_workflow"]

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
"""The largest definition file accepted."""

_TEXT_KEYS = frozenset(
    {
        "title",
        "description",
        "label",
        "help",
        "placeholder",
        "text",
        "button",
        "pattern_message",
        "url",
        "registration_note",
    }
)


def load_workflow(path: str | Path) -> Workflow:
    """Read and check the definition at ``path``."""
    path = Path(path)
    return parse_workflow(path.read_bytes(), source=str(path))


def default_workflow() -> Workflow:
    """The shipped default workflow (Russian and English), following the source document."""
    return _default_workflow()


_cached_default: Workflow | None = None


def _default_workflow() -> Workflow:
    global _cached_default
    if _cached_default is None:
        data = (
            resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_bytes()
        )
        _cached_default = parse_workflow(data, source="kl_contact/definition/default_workflow.yaml")
    return _cached_default


def parse_workflow(text: str | bytes, source: str = "<string>") -> Workflow:
    """Parse and check a definition given as YAML (or JSON) text."""
    problems = check_document(text, source)
    if problems:
        first = problems[0]
        first.others = tuple(problems[1:])
        raise first
    doc = load_yaml(text, source)
    return _build(doc.data, source)


def check_document(text: str | bytes, source: str = "<string>") -> list[DefinitionError]:
    """Every problem of a definition, in document order of discovery; empty when it is sound."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_DOCUMENT_BYTES:
        return [
            DefinitionError(
                f"document of {size} bytes is over the limit of {MAX_DOCUMENT_BYTES}",
                code="limit.document_size",
                source=source,
            )
        ]
    try:
        doc = load_yaml(text, source)
    except DefinitionError as exc:
        return [exc]
    from kl_contact.schemas import violations

    schema_problems = [
        doc.error(v.message, code=f"schema.{v.keyword}", path=v.path)
        for v in violations("workflow", doc.data)
    ]
    if schema_problems:
        return schema_problems[:1] + sorted(
            schema_problems[1:], key=lambda e: (e.line or 0, e.column or 0)
        )
    return list(_semantic_problems(doc))


# --------------------------------------------------------------------------- semantic checks


def _walk_texts(
    node: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, str]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _TEXT_KEYS and isinstance(value, dict):
                yield (*path, key), value
            elif key == "messages" and isinstance(value, dict) and path == ():
                for code, message in value.items():
                    yield ("messages", code), message
            else:
                yield from _walk_texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_texts(value, (*path, index))


def _condition_refs(
    node: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[str, str, tuple[str | int, ...], Any]]:
    """(kind, id, path, value) for each reference a raw condition makes."""
    if not isinstance(node, dict):
        return
    for key in ("all", "any"):
        if key in node:
            for index, inner in enumerate(node[key]):
                yield from _condition_refs(inner, (*path, key, index))
    if "not" in node:
        yield from _condition_refs(node["not"], (*path, "not"))
    if "answer" in node:
        values = node.get("equals", node.get("in"))
        yield "question", node["answer"], (*path, "answer"), values
    if "channel" in node:
        channels = node["channel"] if isinstance(node["channel"], list) else [node["channel"]]
        for channel in channels:
            yield "channel", channel, (*path, "channel"), None
    if "locale" in node:
        locales = node["locale"] if isinstance(node["locale"], list) else [node["locale"]]
        for locale in locales:
            yield "locale", locale, (*path, "locale"), None


def _semantic_problems(doc: Document) -> Iterator[DefinitionError]:
    data = doc.data
    locales: list[str] = data["locales"]
    if data["default_locale"] not in locales:
        yield doc.error(
            "default_locale is not one of locales",
            code="ref.unknown_locale",
            path=("default_locale",),
            hint="add it to locales or pick one of them",
        )
    for path, text in _walk_texts(data, ()):
        for locale in locales:
            if locale not in text:
                yield doc.error(
                    f"text has no {locale!r} version",
                    code="text.missing_locale",
                    path=path,
                    hint=f"add a {locale!r} entry",
                )
        for locale in text:
            if locale not in locales:
                yield doc.error(
                    f"text has a version for undeclared locale {locale!r}",
                    code="text.unknown_locale",
                    path=(*path, locale),
                    hint="declare the locale or remove the entry",
                )

    channel_ids = [c["id"] for c in data["channels"]]
    for index, cid in enumerate(channel_ids):
        if cid in channel_ids[:index]:
            yield doc.error(
                f"duplicate channel id {cid!r}", code="id.duplicate", path=("channels", index, "id")
            )

    steps: list[dict[str, Any]] = data["steps"]
    step_ids = [s["id"] for s in steps]
    kinds = {s["id"]: s["kind"] for s in steps}
    for index, sid in enumerate(step_ids):
        if sid in step_ids[:index]:
            yield doc.error(
                f"duplicate step id {sid!r}", code="id.duplicate", path=("steps", index, "id")
            )

    questions: dict[str, dict[str, Any]] = {}
    for s_index, step in enumerate(steps):
        for q_index, question in enumerate(step.get("questions", [])):
            qpath: tuple[str | int, ...] = ("steps", s_index, "questions", q_index)
            if question["id"] in questions:
                yield doc.error(
                    f"duplicate question id {question['id']!r}",
                    code="id.duplicate",
                    path=(*qpath, "id"),
                )
            questions[question["id"]] = question
            choice = question["type"] in {"single_choice", "multiple_choice"}
            if choice and not question.get("options"):
                yield doc.error(
                    "a choice question needs options",
                    code="question.no_options",
                    path=qpath,
                    hint="add an options list",
                )
            option_ids = [o["id"] for o in question.get("options", [])]
            for o_index, oid in enumerate(option_ids):
                if oid in option_ids[:o_index]:
                    yield doc.error(
                        f"duplicate option id {oid!r}",
                        code="id.duplicate",
                        path=(*qpath, "options", o_index, "id"),
                    )
        if step["kind"] in {"questions", "request"} and not step.get("questions"):
            yield doc.error(
                f"a {step['kind']} step needs questions",
                code="step.no_questions",
                path=("steps", s_index),
            )

    def conditions() -> Iterator[tuple[tuple[str | int, ...], Any]]:
        for s_index, step in enumerate(steps):
            for r_index, route in enumerate(step.get("routes", [])):
                yield ("steps", s_index, "routes", r_index, "when"), route["when"]
            for q_index, question in enumerate(step.get("questions", [])):
                qpath: tuple[str | int, ...] = ("steps", s_index, "questions", q_index)
                for key in ("when", "required_when"):
                    if key in question:
                        yield (*qpath, key), question[key]
                for o_index, option in enumerate(question.get("options", [])):
                    if "when" in option:
                        yield (*qpath, "options", o_index, "when"), option["when"]

    for cpath, condition in conditions():
        for kind, ref, rpath, values in _condition_refs(condition, cpath):
            if kind == "question":
                if ref not in questions:
                    yield doc.error(
                        f"condition refers to unknown question {ref!r}",
                        code="ref.unknown_question",
                        path=rpath,
                        hint="use the id of a question defined in the steps",
                    )
                    continue
                target = questions[ref]
                if target["type"] in {"single_choice", "multiple_choice"} and values is not None:
                    known = {o["id"] for o in target.get("options", [])}
                    for value in values if isinstance(values, list) else [values]:
                        if value not in known:
                            yield doc.error(
                                f"question {ref!r} has no option {value!r}",
                                code="ref.unknown_option",
                                path=rpath,
                                hint="compare against one of the question's option ids",
                            )
            elif kind == "channel" and ref not in channel_ids:
                yield doc.error(
                    f"condition refers to unknown channel {ref!r}",
                    code="ref.unknown_channel",
                    path=rpath,
                )
            elif kind == "locale" and ref not in locales:
                yield doc.error(
                    f"condition refers to undeclared locale {ref!r}",
                    code="ref.unknown_locale",
                    path=rpath,
                )

    for s_index, step in enumerate(steps):
        targets: list[tuple[tuple[str | int, ...], str]] = []
        if "next" in step:
            targets.append((("steps", s_index, "next"), step["next"]))
        for r_index, route in enumerate(step.get("routes", [])):
            targets.append((("steps", s_index, "routes", r_index, "to"), route["to"]))
        if "on_helped" in step:
            targets.append((("steps", s_index, "on_helped"), step["on_helped"]))
        for tpath, target_id in targets:
            if target_id not in kinds:
                yield doc.error(
                    f"unknown step {target_id!r}",
                    code="ref.unknown_step",
                    path=tpath,
                    hint="name a step id defined in steps",
                )
        if step["kind"] == "articles":
            helped = step.get("on_helped")
            if helped is None or kinds.get(helped) != "resolved":
                yield doc.error(
                    "an articles step needs on_helped naming a resolved step",
                    code="step.articles_without_resolved",
                    path=("steps", s_index),
                )
        if step["kind"] == "request":
            after = _default_next(steps, s_index)
            if after is None or kinds.get(after) != "confirmation":
                yield doc.error(
                    "a request step must lead to a confirmation step",
                    code="step.request_without_confirmation",
                    path=("steps", s_index),
                )
        if (
            step["kind"] not in {"confirmation", "resolved"}
            and _default_next(steps, s_index) is None
        ):
            yield doc.error(
                "a step that is not an end has no next step",
                code="step.no_exit",
                path=("steps", s_index),
                hint="add next, or move an end step after it",
            )
    if not any(s["kind"] == "channel_choice" for s in steps):
        yield doc.error(
            "the workflow has no channel_choice step",
            code="step.no_channel_choice",
            path=("steps",),
        )
    if not any(s["kind"] == "request" for s in steps):
        yield doc.error("the workflow has no request step", code="step.no_request", path=("steps",))
    yield from (
        doc.error(p.message, code=p.code, path=p.path, hint=p.hint) for p in channel_problems(data)
    )


def _default_next(steps: list[dict[str, Any]], index: int) -> str | None:
    step = steps[index]
    if "next" in step:
        return str(step["next"])
    for later in steps[index + 1 :]:
        if later["kind"] not in {"resolved"}:
            return str(later["id"])
    return None


# --------------------------------------------------------------------------- model building


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
        options=tuple(
            Option(id=o["id"], label=dict(o["label"]), when=_condition(o.get("when")))
            for o in raw.get("options", [])
        ),
        required=bool(raw.get("required", False)),
        required_when=_condition(raw.get("required_when")),
        when=_condition(raw.get("when")),
        role=Role(raw["role"]) if "role" in raw else None,
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        pattern_message=_text(raw.get("pattern_message")),
        min_selected=raw.get("min_selected"),
        max_selected=raw.get("max_selected"),
        attachments=policy,
    )


def _build(data: dict[str, Any], source: str) -> Workflow:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    steps = []
    for index, raw in enumerate(data["steps"]):
        steps.append(
            Step(
                id=raw["id"],
                kind=StepKind(raw["kind"]),
                title=dict(raw["title"]),
                text=_text(raw.get("text")),
                questions=tuple(_question(q) for q in raw.get("questions", [])),
                next=_default_next(data["steps"], index)
                if raw["kind"] not in {k.value for k in TERMINAL_KINDS}
                else None,
                routes=tuple(
                    Route(when=c, to=r["to"])
                    for r in raw.get("routes", [])
                    if (c := _condition(r["when"])) is not None
                ),
                on_helped=raw.get("on_helped"),
                button=_text(raw.get("button")),
            )
        )
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
            title=dict(data["contacts_page"]["title"]), url=dict(data["contacts_page"]["url"])
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
            )
            for c in data["channels"]
        ),
        steps=tuple(steps),
        registration_note=dict(data["registration_note"]),
        articles=ArticleSettings(
            limit=settings.get("limit", 5), min_score=float(settings.get("min_score", 0.0))
        ),
        messages={code: dict(text) for code, text in data.get("messages", {}).items()},
        digest="sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        source=source,
        support_email=data.get("support_email"),
    )
