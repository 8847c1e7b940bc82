"""Semantic lint of a workflow definition: every finding with its place, code and fix.

The loader refuses a definition with any finding of severity ``error``; ``kl-contact lint``
prints warnings too. Each finding names the file, line and column of the offending node, a
stable code (listed in :data:`CODES`, documented in docs/definition.md) and a hint that says
how to fix it. This module reads the parsed document as data: it never evaluates anything
the document says and never raises for a broken document (that is what findings are for).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from kl_contact._text import PLACEHOLDER, link_allowed, placeholders_in
from kl_contact.definition.build import build_steps
from kl_contact.definition.channel_checks import channel_problems
from kl_contact.definition.document import Document, load_yaml
from kl_contact.definition.flow import step_moves
from kl_contact.definition.model import INSTRUCTION_PLACEHOLDERS, PREFILL_TYPES
from kl_contact.definition.questionnaire_checks import questionnaire_problems
from kl_contact.definition.suggestions import did_you_mean, schema_hint, with_article
from kl_contact.errors import DefinitionError, Severity, format_path
from kl_contact.limits import DEFAULT_LIMITS, Limits, structure_problems

__all__ = ["CODES", "Finding", "lint_source", "lint_text"]

MAX_DOCUMENT_BYTES = DEFAULT_LIMITS.document_bytes
"""The largest definition file accepted."""

CODES: Mapping[str, tuple[Severity, str]] = {
    # code: (severity, the hint shown when the check has no more specific one)
    "limit.document_size": ("error", "split the document or remove unused parts"),
    "file.unreadable": ("error", "check the file name and its permissions"),
    "yaml.syntax": ("error", "fix the YAML syntax at this place"),
    "yaml.encoding": ("error", "save the file as UTF-8"),
    "yaml.duplicate_key": ("error", "remove or rename one of the two keys"),
    "yaml.tag": ("error", "remove the YAML tag: definitions use plain data only"),
    "yaml.bad_key": ("error", "use a plain string as the key"),
    "yaml.too_many_aliases": ("error", "write the repeated parts out instead of aliasing them"),
    "yaml.too_many_nodes": ("error", "aliases expand the document too much: write parts out"),
    "yaml.recursive_alias": ("error", "an anchor cannot contain an alias of itself"),
    "yaml.too_deep": ("error", "flatten the nesting (see Limits.depth)"),
    "limit.steps": ("error", "split the workflow, or raise Limits.steps"),
    "limit.questions": ("error", "ask fewer questions, or raise Limits.questions"),
    "limit.options": ("error", "offer fewer options, or raise Limits.options"),
    "limit.text_length": ("error", "shorten the text, or raise Limits.text_length"),
    "schema": ("error", "see the key's description in workflow.schema.json"),
    "id.duplicate": ("error", "give each one its own id"),
    "ref.unknown_question": ("error", "use the id of a question defined in the steps"),
    "ref.unknown_option": ("error", "use one of the question's option ids"),
    "ref.unknown_step": ("error", "name a step id defined in steps"),
    "ref.unknown_channel": ("error", "name a channel id defined in channels"),
    "ref.unknown_locale": ("error", "declare the locale in locales or use a declared one"),
    "ref.later_question": ("error", "refer only to questions asked before this place"),
    "text.missing_locale": ("error", "add the missing locale's text"),
    "text.unknown_locale": ("error", "declare the locale in locales or remove the entry"),
    "text.unknown_placeholder": ("error", "use only the placeholders this text supports"),
    "question.no_options": ("error", "add an options list or depends_on"),
    "question.options_and_depends_on": ("error", "keep either options or depends_on"),
    "question.not_choice": ("error", "options and depends_on belong to choice questions"),
    "dependent.parent_not_choice": ("error", "depend on a single_choice question"),
    "dependent.missing_list": ("error", "add an option list for this parent value"),
    "rule.bad_pattern": ("error", "write a valid regular expression"),
    "rule.min_over_max": ("error", "make the minimum no larger than the maximum"),
    "rule.not_applicable": ("warning", "remove the rule: this question type ignores it"),
    "step.no_questions": ("error", "add questions to the step"),
    "step.articles_without_resolved": ("error", "set on_helped to a resolved step"),
    "step.request_without_confirmation": ("error", "let a confirmation step follow the request"),
    "step.no_exit": ("error", "add next, or move an end step after it"),
    "step.no_channel_choice": ("error", "add a channel_choice step"),
    "step.no_request": ("error", "add a request step"),
    "step.follow_up_misplaced": (
        "error",
        "name the step under follow_up: of the contacts page or a channel, and only there",
    ),
    "step.follow_up_without_end": ("error", "set next to a resolved step"),
    "step.follow_up_without_lookup": (
        "error",
        "ask a text question with role: request_number and an email one with role: contact_email",
    ),
    "step.rating_not_at_end": ("error", "move rating: to a resolved or confirmation step"),
    "flow.unreachable": ("warning", "route to the step from another step, or remove it"),
    "flow.no_end": ("error", "give the step a next or route that leads to an end"),
    "flow.endless_cycle": ("error", "let one step of the cycle lead out to an end"),
    "hours.unknown_time_zone": ("error", "use an IANA name such as Europe/Moscow"),
    "hours.bad_date": ("error", "use YYYY-MM-DD"),
    "hours.duplicate_date": ("error", "list each date once"),
    "messages.missing_locale": ("warning", "add the locale's text under messages:"),
    "phone_region.unknown": ("error", "use an ISO 3166-1 code such as RU or DE"),
    "request.no_contact_email": ("warning", "add an email question with role: contact_email"),
    "url.not_allowed": ("error", "use an http(s) link with a host, or a mailto: or tel: link"),
    "routing.unknown_queue": ("error", "name a queue listed in routing.queues"),
    "prefill.unknown_question": ("error", "use the id of a question defined in the steps"),
    "prefill.not_answerable": (
        "error",
        "prefill only choice, text, e-mail and phone questions: attachments, consents and "
        "info questions are the user's own",
    ),
}
"""Every code a finding may carry: its severity and the default fix hint."""

MESSAGE_PLACEHOLDERS = frozenset(
    {
        "min",
        "max",
        "index",
        "max_mb",
        "reason",
        "channel",
        "opens",
        "opens_at",
        "suggest",
        "others",
        "left",
        "request_number",
        "time",
    }
)
"""Placeholders of validation message overrides."""

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
        "comment_label",
    }
)
_CHOICE = frozenset({"single_choice", "multiple_choice"})
_TEXT_TYPES = frozenset({"text", "long_text", "email", "phone"})
_TERMINAL = frozenset({"confirmation", "resolved"})

Path = tuple[str | int, ...]


@attrs.frozen
class Finding:
    """One lint finding: where, what (a stable ``code``), how bad, and how to fix it."""

    code: str
    message: str
    severity: Severity
    source: str
    line: int | None
    column: int | None
    path: Path
    hint: str

    @property
    def location(self) -> str:
        """``file:line:column`` (line and column may be unknown)."""
        return self.to_error().location

    def __str__(self) -> str:
        at = f" (at {format_path(self.path)})" if self.path else ""
        return (
            f"{self.location}: {self.severity}: {self.code}: {self.message}{at}; hint: {self.hint}"
        )

    def to_error(self) -> DefinitionError:
        """The same finding as the exception the loader raises."""
        return DefinitionError(
            self.message,
            code=self.code,
            source=self.source,
            line=self.line,
            column=self.column,
            path=self.path,
            hint=self.hint,
        )

    @classmethod
    def from_error(cls, error: DefinitionError) -> Finding:
        """A finding for an error raised while reading the document."""
        family = error.code if error.code in CODES else error.code.split(".")[0]
        severity, hint = CODES.get(family, ("error", "fix the document at this place"))
        return cls(
            code=error.code,
            message=error.message,
            severity=severity,
            source=error.source,
            line=error.line,
            column=error.column,
            path=error.path,
            hint=error.hint or hint,
        )


def lint_text(
    text: str | bytes, source: str = "<string>", limits: Limits = DEFAULT_LIMITS
) -> list[Finding]:
    """Every finding of a definition given as YAML (or JSON) text; empty when it is clean.

    YAML and schema problems come first (and stop the semantic checks, which need a
    document of the right shape); semantic findings follow in document order.
    """
    findings, _ = lint_source(text, source, limits)
    return findings


def lint_source(
    text: str | bytes, source: str = "<string>", limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Finding], Document | None]:
    """The findings of a definition and its parsed document (``None`` when it could not be
    read): the loader builds the model from that document, so the YAML is read once."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > limits.document_bytes:
        error = DefinitionError(
            f"document of {size} bytes is over the limit of {limits.document_bytes}",
            code="limit.document_size",
            source=source,
        )
        return [Finding.from_error(error)], None
    try:
        doc = load_yaml(text, source, limits)
    except DefinitionError as exc:
        return [Finding.from_error(exc)], None
    over = [doc.error(m, code=c, path=p) for c, m, p in structure_problems(doc.data, limits)]
    if over:
        return [Finding.from_error(error) for error in over], doc
    from kl_contact.schemas import violations

    schema_problems = [
        Finding.from_error(
            doc.error(
                v.message, code=f"schema.{v.keyword}", path=v.path, hint=schema_hint(v, doc.data)
            )
        )
        for v in violations("workflow", doc.data)
    ]
    if schema_problems:
        ordered = schema_problems[:1] + sorted(
            schema_problems[1:], key=lambda f: (f.line or 0, f.column or 0)
        )
        return ordered, doc
    return list(_Checks(doc).run()), doc


# --------------------------------------------------------------------------- the checks


def _condition_refs(node: Any, path: Path) -> Iterator[tuple[str, str, Path, Any]]:
    """(kind, id, path, compared values) for each reference a raw condition makes."""
    if not isinstance(node, dict):
        return
    for key in ("all", "any"):
        for index, inner in enumerate(node.get(key, [])):
            yield from _condition_refs(inner, (*path, key, index))
    if "not" in node:
        yield from _condition_refs(node["not"], (*path, "not"))
    if "answer" in node:
        values = node.get("equals", node.get("in"))
        yield "question", node["answer"], (*path, "answer"), values
    for kind in ("channel", "locale"):
        if kind in node:
            refs = node[kind] if isinstance(node[kind], list) else [node[kind]]
            for ref in refs:
                yield kind, ref, (*path, kind), None


def _dependent_options(question: dict[str, Any]) -> list[str]:
    """Every option id a question may offer, its own or from its dependent lists."""
    ids = [o["id"] for o in question.get("options", [])]
    for options in question.get("depends_on", {}).get("options", {}).values():
        ids.extend(o["id"] for o in options if o["id"] not in ids)
    return ids


class _Checks:
    """One run of the semantic checks over a document that passed the schema."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.steps: list[dict[str, Any]] = self.data["steps"]
        self.locales: list[str] = self.data["locales"]
        self.channel_ids = [c["id"] for c in self.data["channels"]]
        self.kinds = {s["id"]: s["kind"] for s in self.steps}
        self.typed_steps = build_steps(self.data)
        # question id -> (raw question, its path, its position in asking order)
        self.questions: dict[str, tuple[dict[str, Any], Path, int]] = {}

    def finding(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str | None = None,
        *,
        near: tuple[object, Iterable[object]] | None = None,
    ) -> Finding:
        """A finding at ``path``; ``near`` is (an unknown id, the known ones) for a "did you
        mean" in front of the hint."""
        severity, default_hint = CODES[code]
        hint = hint or default_hint
        if near is not None:
            hint = did_you_mean(near[0], near[1], hint) or hint
        line, column = self.doc.locate(path)
        return Finding(
            code=code,
            message=message,
            severity=severity,
            source=self.doc.source,
            line=line,
            column=column,
            path=path,
            hint=hint,
        )

    def run(self) -> Iterator[Finding]:
        yield from self.locales_and_texts()
        yield from self.ids()
        yield from self.questions_and_rules()
        yield from self.conditions()
        yield from self.step_links()
        yield from self.flow()
        yield from self.channels()
        yield from self.questionnaire()
        yield from self.links()
        yield from self.routing()
        yield from self.prefill()

    def prefill(self) -> Iterator[Finding]:
        """Every question ``prefill:`` names exists and takes an answer a host can give."""
        prefill = self.data.get("prefill")
        if not isinstance(prefill, dict):
            return
        types = {q["id"]: q["type"] for s in self.steps for q in s.get("questions", [])}
        allowed = {t.value for t in PREFILL_TYPES}
        for qid in prefill:
            path: Path = ("prefill", qid)
            if qid not in types:
                yield self.finding(
                    "prefill.unknown_question",
                    "prefill names no question of the workflow",
                    path,
                    near=(qid, types),
                )
            elif types[qid] not in allowed:
                yield self.finding(
                    "prefill.not_answerable",
                    f"a question of type {types[qid]} cannot be prefilled",
                    path,
                )

    def routing(self) -> Iterator[Finding]:
        """Every queue a rule or the default names is declared."""
        routing = self.data.get("routing")
        if not isinstance(routing, dict):
            return
        queues = routing.get("queues", [])
        named: list[tuple[Any, Path]] = [
            (routing.get("default", {}).get("queue"), ("routing", "default", "queue"))
        ]
        named += [
            (rule.get("queue"), ("routing", "rules", index, "queue"))
            for index, rule in enumerate(routing.get("rules", []))
        ]
        for queue, path in named:
            if queue is not None and queue not in queues:
                yield self.finding(
                    "routing.unknown_queue",
                    "the queue is not declared in routing.queues",
                    path,
                    near=(queue, queues),
                )

    def links(self) -> Iterator[Finding]:
        """Every ``url`` in the definition is a plain link (:data:`LINK_SCHEMES`); one that
        only names a placeholder (``{chat_url}``) is filled by the backend and checked then."""
        for path, value in _urls(self.data, ()):
            if PLACEHOLDER.fullmatch(value) or link_allowed(value):
                continue
            scheme = value.partition(":")[0].strip().lower()[:20] if ":" in value else ""
            yield self.finding(
                "url.not_allowed",
                f"link with scheme {scheme!r} is not allowed" if scheme else "not a link",
                path,
            )

    def questionnaire(self) -> Iterator[Finding]:
        """Messages for every declared locale, the phone region, the contact e-mail."""
        for code, message, path, hint in questionnaire_problems(self.data):
            yield self.finding(code, message, path, hint)

    def channels(self) -> Iterator[Finding]:
        """Support hours and suggestions of the channels (placeholders are checked with
        every other text in :meth:`locales_and_texts`)."""
        for problem in channel_problems(self.data):
            if problem.code != "text.unknown_placeholder":
                yield self.finding(problem.code, problem.message, problem.path, problem.hint)

    # ------------------------------------------------------------ texts

    def locales_and_texts(self) -> Iterator[Finding]:
        if self.data["default_locale"] not in self.locales:
            yield self.finding(
                "ref.unknown_locale",
                "default_locale is not one of locales",
                ("default_locale",),
                "add it to locales or pick one of them",
                near=(self.data["default_locale"], self.locales),
            )
        for path, text in self._texts(self.data, ()):
            for locale in self.locales:
                if locale not in text:
                    yield self.finding(
                        "text.missing_locale",
                        f"text has no {locale!r} version",
                        path,
                        f"add {with_article(repr(locale))} entry",
                    )
            allowed = self._placeholders_for(path)
            for locale, value in text.items():
                if locale not in self.locales:
                    yield self.finding(
                        "text.unknown_locale",
                        f"text has a version for undeclared locale {locale!r}",
                        (*path, locale),
                        near=(locale, self.locales),
                    )
                unknown = sorted(placeholders_in(value) - allowed)
                if unknown:
                    names = ", ".join("{" + name + "}" for name in unknown)
                    known = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
                    yield self.finding(
                        "text.unknown_placeholder",
                        f"text uses unknown placeholder(s) {names}",
                        (*path, locale),
                        f"placeholders known here: {known}",
                    )

    def _texts(self, node: Any, path: Path) -> Iterator[tuple[Path, Mapping[str, str]]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _TEXT_KEYS and isinstance(value, dict):
                    yield (*path, key), value
                elif key == "messages" and path == () and isinstance(value, dict):
                    for code, message in value.items():
                        yield ("messages", code), message
                elif key == "severity":
                    continue
                else:
                    yield from self._texts(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from self._texts(value, (*path, index))

    @staticmethod
    def _placeholders_for(path: Path) -> frozenset[str]:
        if path[0] == "registration_note" or (path[0] == "channels" and "instructions" in path):
            return INSTRUCTION_PLACEHOLDERS
        if path[0] == "messages":
            return MESSAGE_PLACEHOLDERS
        return frozenset()

    # ------------------------------------------------------------ ids and questions

    def ids(self) -> Iterator[Finding]:
        for what, items, prefix in (
            ("channel", self.data["channels"], ("channels",)),
            ("step", self.steps, ("steps",)),
            ("self-service resource", self.data["self_service"], ("self_service",)),
        ):
            seen: set[str] = set()
            for index, item in enumerate(items):
                if item["id"] in seen:
                    yield self.finding(
                        "id.duplicate",
                        f"duplicate {what} id {item['id']!r}",
                        (*prefix, index, "id"),
                    )
                seen.add(item["id"])

    def questions_and_rules(self) -> Iterator[Finding]:
        order = 0
        for s_index, step in enumerate(self.steps):
            if step["kind"] in {"questions", "request"} and not step.get("questions"):
                yield self.finding(
                    "step.no_questions",
                    f"{with_article(step['kind'])} step needs questions",
                    ("steps", s_index),
                )
            for q_index, question in enumerate(step.get("questions", [])):
                qpath: Path = ("steps", s_index, "questions", q_index)
                if question["id"] in self.questions:
                    yield self.finding(
                        "id.duplicate",
                        f"duplicate question id {question['id']!r}",
                        (*qpath, "id"),
                    )
                else:
                    self.questions[question["id"]] = (question, qpath, order)
                order += 1
                yield from self.question(question, qpath)

    def question(self, question: dict[str, Any], qpath: Path) -> Iterator[Finding]:
        qtype = question["type"]
        has_options = "options" in question
        has_depends = "depends_on" in question
        if qtype in _CHOICE and not question.get("options") and not has_depends:
            yield self.finding("question.no_options", "a choice question needs options", qpath)
        if has_options and has_depends:
            yield self.finding(
                "question.options_and_depends_on",
                "a question has both options and depends_on",
                (*qpath, "options"),
            )
        if qtype not in _CHOICE and (has_options or has_depends):
            key = "options" if has_options else "depends_on"
            yield self.finding(
                "question.not_choice",
                f"{with_article(qtype)} question cannot have {key}",
                (*qpath, key),
            )
        seen: set[str] = set()
        for o_index, option in enumerate(question.get("options", [])):
            if option["id"] in seen:
                yield self.finding(
                    "id.duplicate",
                    f"duplicate option id {option['id']!r}",
                    (*qpath, "options", o_index, "id"),
                )
            seen.add(option["id"])
        for parent_value, options in question.get("depends_on", {}).get("options", {}).items():
            seen = set()
            for o_index, option in enumerate(options):
                if option["id"] in seen:
                    yield self.finding(
                        "id.duplicate",
                        f"duplicate option id {option['id']!r} for {parent_value!r}",
                        (*qpath, "depends_on", "options", parent_value, o_index, "id"),
                    )
                seen.add(option["id"])
        yield from self.rules(question, qpath)

    def rules(self, question: dict[str, Any], qpath: Path) -> Iterator[Finding]:
        qtype = question["type"]
        if "pattern" in question:
            try:
                re.compile(question["pattern"])
            except re.error as exc:
                yield self.finding(
                    "rule.bad_pattern",
                    f"pattern is not a valid regular expression ({exc.msg})",
                    (*qpath, "pattern"),
                )
        for low, high in (("min_length", "max_length"), ("min_selected", "max_selected")):
            if low in question and high in question and question[low] > question[high]:
                yield self.finding(
                    "rule.min_over_max", f"{low} is larger than {high}", (*qpath, low)
                )
        applies = {
            "min_length": qtype in _TEXT_TYPES,
            "max_length": qtype in _TEXT_TYPES,
            "pattern": qtype in _TEXT_TYPES,
            "min_selected": qtype == "multiple_choice",
            "max_selected": qtype == "multiple_choice",
        }
        for rule, ok in applies.items():
            if rule in question and not ok:
                yield self.finding(
                    "rule.not_applicable",
                    f"{with_article(qtype)} question ignores {rule}",
                    (*qpath, rule),
                )

    # ------------------------------------------------------------ conditions

    def _conditions(self) -> Iterator[tuple[Path, Any, int]]:
        """(path, raw condition, asking order of the place that uses it)."""
        for s_index, step in enumerate(self.steps):
            later = self._order_after_step(s_index)
            for r_index, route in enumerate(step.get("routes", [])):
                yield ("steps", s_index, "routes", r_index, "when"), route["when"], later
            for q_index, question in enumerate(step.get("questions", [])):
                qpath: Path = ("steps", s_index, "questions", q_index)
                entry = self.questions.get(question["id"])
                mine = entry[2] if entry and entry[1] == qpath else later
                for key in ("when", "required_when"):
                    if key in question:
                        yield (*qpath, key), question[key], mine
                for o_index, option in enumerate(question.get("options", [])):
                    if "when" in option:
                        yield (*qpath, "options", o_index, "when"), option["when"], mine
        # routing reads the answers once every question has been asked
        after_all = self._order_after_step(len(self.steps) - 1)
        routing = self.data.get("routing")
        for r_index, rule in enumerate(routing.get("rules", []) if routing else []):
            yield ("routing", "rules", r_index, "when"), rule["when"], after_all

    def _order_after_step(self, s_index: int) -> int:
        """The asking order just past every question of ``steps[s_index]``."""
        count = sum(len(s.get("questions", [])) for s in self.steps[: s_index + 1])
        return count

    def conditions(self) -> Iterator[Finding]:
        for cpath, condition, place in self._conditions():
            for kind, ref, rpath, values in _condition_refs(condition, cpath):
                if kind == "question":
                    yield from self.question_ref(ref, rpath, values, place)
                elif kind == "channel" and ref not in self.channel_ids:
                    yield self.finding(
                        "ref.unknown_channel",
                        f"condition refers to unknown channel {ref!r}",
                        rpath,
                        near=(ref, self.channel_ids),
                    )
                elif kind == "locale" and ref not in self.locales:
                    yield self.finding(
                        "ref.unknown_locale",
                        f"condition refers to undeclared locale {ref!r}",
                        rpath,
                        near=(ref, self.locales),
                    )
        for qid, (question, qpath, order) in self.questions.items():
            if "depends_on" in question:
                yield from self.dependency(qid, question, qpath, order)

    def question_ref(self, ref: str, rpath: Path, values: Any, place: int) -> Iterator[Finding]:
        if ref not in self.questions:
            yield self.finding(
                "ref.unknown_question",
                f"condition refers to unknown question {ref!r}",
                rpath,
                near=(ref, self.questions),
            )
            return
        target, _, order = self.questions[ref]
        if order >= place:
            yield self.finding(
                "ref.later_question",
                f"condition refers to question {ref!r}, which is asked later (or here)",
                rpath,
            )
        if target["type"] in _CHOICE and values is not None:
            known = set(_dependent_options(target))
            for value in values if isinstance(values, list) else [values]:
                if value not in known:
                    compared = "in" if isinstance(values, list) else "equals"
                    yield self.finding(
                        "ref.unknown_option",
                        f"question {ref!r} has no option {value!r}",
                        (*rpath[:-1], compared),
                        "compare against one of the question's option ids",
                        near=(value, known),
                    )

    def dependency(
        self, qid: str, question: dict[str, Any], qpath: Path, order: int
    ) -> Iterator[Finding]:
        spec = question["depends_on"]
        parent_id = spec["question"]
        ppath: Path = (*qpath, "depends_on", "question")
        if parent_id not in self.questions:
            yield self.finding(
                "ref.unknown_question",
                f"depends_on names unknown question {parent_id!r}",
                ppath,
                near=(parent_id, self.questions),
            )
            return
        parent, _, parent_order = self.questions[parent_id]
        if parent_order >= order:
            yield self.finding(
                "ref.later_question",
                f"{qid!r} depends on {parent_id!r}, which is not asked before it",
                ppath,
                "move the parent question before the dependent one",
            )
        if parent["type"] != "single_choice":
            yield self.finding(
                "dependent.parent_not_choice",
                f"{parent_id!r} is {with_article(parent['type'])} question",
                ppath,
            )
            return
        lists: dict[str, Any] = spec["options"]
        parent_options = _dependent_options(parent)
        for value in lists:
            if value not in parent_options:
                yield self.finding(
                    "ref.unknown_option",
                    f"question {parent_id!r} has no option {value!r}",
                    (*qpath, "depends_on", "options", value),
                    "key each list by one of the parent's option ids",
                    near=(value, parent_options),
                )
        for value in parent_options:
            if value not in lists:
                yield self.finding(
                    "dependent.missing_list",
                    f"no option list for {parent_id!r} = {value!r}",
                    (*qpath, "depends_on", "options"),
                    f"add a list under {value!r} (an empty list [] hides the question)",
                )

    # ------------------------------------------------------------ steps and flow

    def step_links(self) -> Iterator[Finding]:
        for s_index, step in enumerate(self.steps):
            targets: list[tuple[Path, str]] = []
            if "next" in step:
                targets.append((("steps", s_index, "next"), step["next"]))
            for r_index, route in enumerate(step.get("routes", [])):
                targets.append((("steps", s_index, "routes", r_index, "to"), route["to"]))
            if "on_helped" in step:
                targets.append((("steps", s_index, "on_helped"), step["on_helped"]))
            for tpath, target in targets:
                if target not in self.kinds:
                    yield self.finding(
                        "ref.unknown_step",
                        f"unknown step {target!r}",
                        tpath,
                        near=(target, self.kinds),
                    )
            kind = step["kind"]
            if kind == "articles" and self.kinds.get(step.get("on_helped", "")) != "resolved":
                yield self.finding(
                    "step.articles_without_resolved",
                    "an articles step needs on_helped naming a resolved step",
                    ("steps", s_index),
                )
            after = self.typed_steps[s_index].next
            if kind == "request" and (after is None or self.kinds.get(after) != "confirmation"):
                yield self.finding(
                    "step.request_without_confirmation",
                    "a request step must lead to a confirmation step",
                    ("steps", s_index),
                )
            if "rating" in step and kind not in _TERMINAL:
                yield self.finding(
                    "step.rating_not_at_end",
                    f"{with_article(kind)} step cannot ask for a rating: only an end step can",
                    ("steps", s_index, "rating"),
                )
            if kind not in _TERMINAL and kind != "follow_up" and after is None:
                yield self.finding(
                    "step.no_exit", "a step that is not an end has no next step", ("steps", s_index)
                )
        yield from self.follow_up()
        kinds = set(self.kinds.values())
        if "channel_choice" not in kinds:
            yield self.finding(
                "step.no_channel_choice", "the workflow has no channel_choice step", ("steps",)
            )
        if "request" not in kinds:
            yield self.finding("step.no_request", "the workflow has no request step", ("steps",))

    def follow_up_pointers(self) -> list[tuple[Path, str | None, str]]:
        """Every ``follow_up:`` key: its path, its channel (``None``: the contacts page), step."""
        found: list[tuple[Path, str | None, str]] = []
        page = self.data["contacts_page"]
        if "follow_up" in page:
            found.append((("contacts_page", "follow_up"), None, page["follow_up"]))
        for c_index, channel in enumerate(self.data["channels"]):
            if "follow_up" in channel:
                found.append(
                    (("channels", c_index, "follow_up"), channel["id"], channel["follow_up"])
                )
        return found

    def follow_up(self) -> Iterator[Finding]:
        """``follow_up:`` names follow-up steps, each of them is entered only so, asks what a
        lookup needs, and ends on a resolved step."""
        named: set[str] = set()
        for path, _, target in self.follow_up_pointers():
            if target not in self.kinds:
                yield self.finding(
                    "ref.unknown_step", f"unknown step {target!r}", path, near=(target, self.kinds)
                )
            elif self.kinds[target] != "follow_up":
                yield self.finding(
                    "step.follow_up_misplaced",
                    f"follow_up names step {target!r}, which is not a follow_up step",
                    path,
                )
            named.add(target)
        entered: set[str] = set()
        for typed in self.typed_steps:
            entered.update(move.target for move in step_moves(typed))
        for s_index, raw in enumerate(self.steps):
            if raw["kind"] != "follow_up":
                continue
            sid = raw["id"]
            if sid not in named or sid in entered or s_index == 0:
                yield self.finding(
                    "step.follow_up_misplaced",
                    f"the follow_up step {sid!r} must be entered from follow_up: alone",
                    ("steps", s_index),
                )
            roles = {q.get("role"): q.get("type") for q in raw.get("questions", [])}
            if roles.get("request_number") != "text" or roles.get("contact_email") != "email":
                yield self.finding(
                    "step.follow_up_without_lookup",
                    "a follow_up step must ask the request number and the e-mail",
                    ("steps", s_index),
                )
            after = self.typed_steps[s_index].next
            if after is None or self.kinds.get(after) != "resolved":
                yield self.finding(
                    "step.follow_up_without_end",
                    "a follow_up step must lead to a resolved step",
                    ("steps", s_index),
                )

    def edges(self) -> dict[str, list[str]]:
        """Each step's ways out that name a step, read from the compiled flow's rule."""
        out: dict[str, list[str]] = {}
        follow_ups = {channel: target for _, channel, target in self.follow_up_pointers()}
        for step in self.typed_steps:
            targets = [move.target for move in step_moves(step, follow_ups)]
            out.setdefault(step.id, [t for t in targets if t in self.kinds])
        return out

    def flow(self) -> Iterator[Finding]:
        edges = self.edges()
        reached = _reach(self.steps[0]["id"], edges)
        backwards: dict[str, list[str]] = {}
        for source, targets in edges.items():
            for target in targets:
                backwards.setdefault(target, []).append(source)
        ends: set[str] = set()
        for sid, kind in self.kinds.items():
            if kind in _TERMINAL:
                ends |= _reach(sid, backwards)
        first_index: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            first_index.setdefault(step["id"], index)
        for sid, index in first_index.items():
            path: Path = ("steps", index, "id")
            if sid not in reached:
                yield self.finding(
                    "flow.unreachable", f"no path from the start reaches step {sid!r}", path
                )
            elif sid not in ends:
                looped = any(sid in _reach(t, edges) for t in edges[sid])
                if looped:
                    yield self.finding(
                        "flow.endless_cycle",
                        f"step {sid!r} is on a cycle that never leads to an end",
                        path,
                    )
                else:
                    yield self.finding(
                        "flow.no_end", f"no path from step {sid!r} leads to an end", path
                    )


def _urls(node: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """(path, link) for each string under a ``url`` key, one per locale of a text."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "url" and isinstance(value, str):
                yield (*path, key), value
            elif key == "url" and isinstance(value, dict):
                for locale, text in value.items():
                    if isinstance(text, str):
                        yield (*path, key, locale), text
            else:
                yield from _urls(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _urls(value, (*path, index))


def _reach(start: str, edges: Mapping[str, list[str]]) -> set[str]:
    """Every node reachable from ``start`` (itself included)."""
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
