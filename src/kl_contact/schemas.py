"""The one place that knows where the shipped JSON Schemas are and how to check against them.

The schemas live in the top-level ``schemas/`` folder of the source tree and inside the
wheel as ``kl_contact/schemas``. Validators are built once per schema, on first use, so that
``import kl_contact`` does not pay for importing jsonschema.

The documents a host checks on every event (sessions, events, wire requests...) first go
through a check written as plain Python from the schema once per process (:func:`_generate`,
for the keywords the shipped schemas use; fastjsonschema, the ``fast`` extra, compiles any
schema it does not cover): a document it accepts is valid, and only one it refuses is
handed to jsonschema, which has the last word on the verdict and writes the report. A
compiled check can therefore never refuse a document jsonschema accepts; the test suite
proves the two agree on every shared fixture document, valid and invalid, and on generated
ones.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

__all__ = [
    "BASE_URI",
    "PATTERN_MEANINGS",
    "SCHEMA_NAMES",
    "SchemaViolation",
    "describe_pattern",
    "load_schema",
    "prepare",
    "schema_dir",
    "validate",
    "violations",
]

BASE_URI = "https://kl-contact.invalid/schemas/"
"""The ``$id`` prefix of every shipped schema (an identifier, never fetched)."""

SCHEMA_NAMES = (
    "common",
    "workflow",
    "session",
    "event",
    "effect",
    "view",
    "transition",
    "ticket",
    "receipt",
    "request_status",
    "instructions",
    "catalog",
    "vocabulary",
    "wire",
    "answers",
    "analytics",
)
"""The names of the shipped schemas: ``NAME.schema.json``."""


def schema_dir() -> Path:
    """The folder holding the shipped ``*.schema.json`` files."""
    packaged = resources.files("kl_contact").joinpath("schemas")
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout (editable install): the top-level schemas/ folder.
    return Path(__file__).resolve().parents[2] / "schemas"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``NAME.schema.json``."""
    if name not in SCHEMA_NAMES:
        raise KeyError(f"no shipped schema named {name!r}")
    path = schema_dir() / f"{name}.schema.json"
    with path.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource[Any]:
        if not uri.startswith(BASE_URI) or not uri.endswith(".schema.json"):
            raise LookupError(uri)  # only shipped schemas are ever resolved: nothing is fetched
        return DRAFT202012.create_resource(load_schema(uri[len(BASE_URI) : -len(".schema.json")]))

    # Every shipped schema is crawled once, here: a registry that only retrieves on demand
    # forgets what it found after each validation and would re-read the schemas every time.
    registry: Registry[Any] = Registry(retrieve=retrieve).with_resources(  # type: ignore[call-arg]
        (BASE_URI + f"{other}.schema.json", DRAFT202012.create_resource(load_schema(other)))
        for other in SCHEMA_NAMES
    )
    return registry.crawl()


@functools.cache
def _validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inlined(name), registry=_registry())


def _inlined(name: str) -> dict[str, Any]:
    """Schema ``name`` with every ``$ref`` replaced by a copy of its target.

    Following a reference costs jsonschema a URI resolution on every visit, which made a
    view take milliseconds to check; the copies cost nothing at validation time. A
    reference back into a schema being inlined (a recursive condition) stays a reference,
    made absolute so the registry resolves it.
    """

    def target(document: str, pointer: str) -> Any:
        node: Any = load_schema(document)
        for part in filter(None, pointer.split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def inline(node: Any, document: str, seen: tuple[tuple[str, str], ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, document, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            file, _, pointer = ref.partition("#")
            other = file.removesuffix(".schema.json") if file else document
            key = (other, pointer)
            if key in seen:
                return {**node, "$ref": f"{BASE_URI}{other}.schema.json#{pointer}"}
            body = inline(target(other, pointer), other, (*seen, key))
            body = {k: v for k, v in body.items() if k not in {"$id", "$schema", "$defs"}}
            rest = {k: inline(v, document, seen) for k, v in node.items() if k != "$ref"}
            return {**body, **rest} if not set(body) & set(rest) else {"allOf": [body], **rest}
        return {k: inline(v, document, seen) for k, v in node.items()}

    inlined: dict[str, Any] = inline(load_schema(name), name, ((name, ""),))
    return inlined


@attrs.frozen
class SchemaViolation:
    """One way a document breaks a schema: the JSON path, the keyword and a message.

    The message names the keyword and the expected shape; it never quotes the value,
    which may be personal data.
    """

    path: tuple[str | int, ...]
    keyword: str
    message: str
    allowed: tuple[str, ...] = ()
    """For ``enum`` the allowed values, for ``additionalProperties`` the known keys."""


PATTERN_MEANINGS: dict[str, str] = {
    r"^[a-z]{2,3}(-[A-Z]{2})?$(?!\n)": (
        "not a locale code: two or three lowercase letters, optionally '-' and a region in "
        "capitals (ru, en, pt-BR)"
    ),
    r"^[a-z][a-z0-9_-]{0,63}$(?!\n)": (
        "not an id: a lowercase letter, then up to 63 lowercase letters, digits, '_' or '-'"
    ),
    r"^[a-z0-9][a-z0-9_-]{0,127}$(?!\n)": (
        "not an article id: a lowercase letter or digit, then up to 127 lowercase letters, "
        "digits, '_' or '-'"
    ),
    r"^[0-9a-f]{64}$(?!\n)": "not a SHA-256 digest: 64 lowercase hexadecimal digits",
    r"^https?://": "not a web address: it must start with http:// or https://",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$(?!\n)": "not a date in the form YYYY-MM-DD",
    (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
        r"([+-][0-9]{2}:[0-9]{2}|Z)$(?!\n)"
    ): "not an ISO 8601 date and time with an offset (2026-11-25T10:30:00+03:00)",
    r"\S": "blank: it needs at least one character that is not a space",
    r"^[^@\s]+@[^@\s]+$(?!\n)": "not an e-mail address (name@example.com)",
    r'^[^@\s<>"]+@[^@\s<>"]+$(?!\n)': "not an e-mail address (support@example.com)",
    r"^\+[1-9][0-9]{1,14}$(?!\n)": (
        "not a phone number in E.164 form: '+', the country code and the number"
    ),
    r"^[A-Z]{2}$": "not a region code: two capital letters (RU, DE)",
    r"^[a-z]+/[a-z0-9.+-]+$(?!\n)": "not a media type such as image/png",
    r"^\.[a-z0-9]+$(?!\n)": "not a file extension such as .png (a dot, then lowercase)",
    r"^[A-Za-z0-9_-]{1,16}$(?!\n)": "not a region key: 1 to 16 letters, digits, '_' or '-'",
    r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$(?!\n)": (
        "not a time zone name such as Europe/Moscow"
    ),
    r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$(?!\n)": "not a time of day in the form HH:MM",
    r"^[^{}]{0,32}\{id\}[^{}]{0,32}$(?!\n)": (
        "not a request number format: {id} once, with up to 32 other characters (no braces) "
        "on each side, such as INC-{id}"
    ),
    (r"^[^{}\s\n][^{}\n]{0,40}(\{request_number\}|\{id\})[^{}\n]{0,40}$(?!\n)"): (
        "not a subject tag: {request_number} or {id} once, with up to 40 other characters "
        "(no braces, not starting with a space) on each side, such as [Request #{request_number}]"
    ),
}
"""What each pattern of the shipped schemas asks for, in words (a test keeps it complete)."""


def describe_pattern(pattern: str) -> str:
    """A plain-language message for a value that does not match ``pattern``."""
    return PATTERN_MEANINGS.get(pattern, "does not have the expected form")


_TYPE_NAMES = {
    "string": "a string",
    "object": "an object (a mapping)",
    "array": "an array (a list)",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _describe(error: Any) -> str:
    keyword = str(error.validator)
    text: str = error.message
    expected = error.validator_value
    if keyword == "pattern":
        meaning = describe_pattern(str(expected))
        return f"key is {meaning}" if _about_a_key(error) else meaning
    if keyword == "enum" and isinstance(expected, list):
        listed = ", ".join(json.dumps(v, ensure_ascii=False) for v in expected)
        return f"not one of the allowed values: {listed}"[:200]
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return "must be " + " or ".join(_TYPE_NAMES.get(str(k), str(k)) for k in kinds)
    if keyword in {
        "const",
        "required",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "format",
        "minProperties",
        "maxProperties",
    }:
        if keyword == "required":
            return f"missing required property ({text.split(' ')[0]})"
        return f"{keyword} {json.dumps(expected, ensure_ascii=False)[:120]} not met"
    if keyword == "additionalProperties":
        return "unknown property: " + text.split("(")[-1].rstrip(")")[:120]
    if keyword in {"oneOf", "anyOf"}:
        return f"does not match any allowed form ({keyword})"
    return f"{keyword} not met"


@functools.cache
def _branches(name: str) -> dict[str, Validator]:
    """For a schema that is a ``oneOf`` tagged by ``type`` (events, effects): one validator
    per tag, so that a document is checked against its own branch only, not all fifteen."""
    from jsonschema import Draft202012Validator

    validator = _validator(name)
    branches = validator.schema.get("oneOf", []) if isinstance(validator.schema, dict) else []
    tags = [b.get("properties", {}).get("type", {}).get("const") for b in branches]
    if not branches or not all(isinstance(tag, str) for tag in tags):
        return {}
    return {
        tag: Draft202012Validator(branch, registry=_registry())
        for tag, branch in zip(tags, branches, strict=True)
    }


_NOT_COMPILED = frozenset({"workflow", "catalog", "instructions"})
"""Schemas of configuration files, checked once when a file loads: compiling them would cost
more than it saves (the workflow schema takes half a second to compile)."""


@functools.cache
def _compiled(name: str) -> Callable[[object], bool] | None:
    """The compiled check of ``name``, built on first use: True for a document it finds
    valid, which jsonschema then accepts too; False leaves the verdict to jsonschema.

    The check written by :func:`_generate`, or for a schema it does not cover the one
    fastjsonschema compiles; None for a configuration schema, or when neither applies."""
    if name in _NOT_COMPILED:
        return None
    generated = _generate(name)
    if generated is not None:
        return generated
    fast = _compile(name)
    if fast is None:
        return None

    def passes(document: object) -> bool:
        try:
            fast(document)
        except Exception:  # JsonSchemaValueException, or a document the code chokes on
            return False
        return True

    return passes


def _compile(name: str) -> Callable[[object], object] | None:
    """Schema ``name`` compiled by fastjsonschema, or None when it is not installed.

    It checks formats as jsonschema does by default: not at all (``use_formats=False``).
    Shipped schemas are handed over as copies (the compiler rewrites references in place),
    and references resolve to shipped schemas only: nothing is ever fetched. A ``oneOf``
    tagged by ``type`` (events, effects) gets one compiled check per tag, as in
    :func:`_branches`: the tags are distinct constants, so a document can only match the
    branch of its own tag.
    """
    try:
        import fastjsonschema
    except ImportError:
        return None

    def shipped(uri: str) -> Any:
        if not uri.startswith(BASE_URI) or not uri.endswith(".schema.json"):
            raise LookupError(uri)
        return _by_tag(copy.deepcopy(load_schema(uri[len(BASE_URI) : -len(".schema.json")])))

    def compiled(schema: dict[str, Any]) -> Callable[[object], object]:
        # only the verdict is used, never the compiler's exception: a refusal that does
        # not build a report (the failing schema as a literal, the value) is several times
        # cheaper, and every oneOf, anyOf and if refuses on the way to its match
        code = fastjsonschema.compile_to_code(
            _const_as_enum(schema),
            handlers={"https": lambda uri: _const_as_enum(shipped(uri))},
            use_formats=False,
            detailed_exceptions=False,
        )
        return _verdict_only(code, fastjsonschema.JsonSchemaValueException)

    whole = compiled(_by_tag(copy.deepcopy(load_schema(name))))
    tagged, keyed = (
        {
            tag: compiled({"$ref": f"{BASE_URI}{name}.schema.json{ref}"})
            for tag, ref in found(load_schema(name)).items()
        }
        for found in (_tagged_branches, _keyed_branches)
    )
    if not tagged and not keyed:
        return whole

    def by_branch(document: object) -> object:
        branch = None
        if isinstance(document, dict):
            tag = document.get("type")
            if isinstance(tag, str):
                branch = tagged.get(tag)
            if branch is None and len(document) == 1:
                branch = keyed.get(next(iter(document)))
        return (branch or whole)(document)

    return by_branch


_REFUSAL = re.compile(r"^(?P<indent>[ ]*)raise JsonSchemaValueException\(.*\)$", re.MULTILINE)
"""A refusal in the generated code, with the message it builds (one line each)."""
_NAMED_CALL = re.compile(
    r', custom_formats, \(name_prefix or "data"\) \+ "[^"\n]*"(\.format\(\*\*locals\(\)\))?\)$',
    re.MULTILINE,
)
"""A call of the check of a sub-document, naming its path for the message."""


def _verdict_only(code: str, refusal: type[Exception]) -> Callable[[object], object]:
    """The compiled check of generated module ``code``, rewritten to build no message.

    The generated code names the path of every sub-document it descends into, and each
    refusal spells out what failed, even where the refusal is only the way a ``oneOf``,
    ``anyOf`` or ``if`` tries its next branch: on a valid session that was most of the
    cost. Here a refusal is a bare exception of a subclass of ``refusal`` (so the
    generated ``except`` clauses still catch it) and no path is ever built. Only words
    change, never a test: a line the patterns miss keeps its message and the same verdict.
    """

    class Refused(refusal):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            pass  # no message, no value: the verdict is all a caller reads

    code = _REFUSAL.sub(r"\g<indent>raise _Refused", code)
    code = _NAMED_CALL.sub(", custom_formats, None)", code)
    root = re.search(r"^def (\w+)\(data,", code, re.MULTILINE)
    if root is None:  # pragma: no cover - the compiler writes the root check first
        raise RuntimeError("the generated module has no check")
    namespace: dict[str, Any] = {"_Refused": Refused}
    exec(compile(code, f"<compiled check {root[1]}>", "exec"), namespace)
    check: Callable[[object], object] = namespace[root[1]]
    return check


def _by_tag(node: Any) -> Any:
    """``node`` with each inline ``oneOf`` whose branches fix ``type`` to distinct constants
    turned into a chain of ``if``/``then``/``else`` on that constant, for the compiler.

    A compiled ``oneOf`` tries every branch and raises inside each that fails: on a ticket's
    answers that cost more than the rest of the check. The chain checks only the branch of
    the document's own tag; a document that is not an object or has no such tag reaches
    ``else: false`` and is refused, which only hands it to jsonschema. So the chain accepts a
    document only when exactly one branch does, as ``oneOf`` says.
    """
    if isinstance(node, list):
        return [_by_tag(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _by_tag(value) for key, value in node.items()}
    branches = out.get("oneOf")
    tags = [
        branch.get("properties", {}).get("type", {}).get("const")
        if isinstance(branch, dict) and "$ref" not in branch
        else None
        for branch in branches or ()
    ]
    if not branches or not all(isinstance(t, str) for t in tags) or len(set(tags)) < len(tags):
        return out
    chain: Any = False
    for tag, branch in reversed(list(zip(tags, branches, strict=True))):
        test = {"type": "object", "required": ["type"], "properties": {"type": {"const": tag}}}
        chain = {"if": test, "then": branch, "else": chain}
    del out["oneOf"]
    return {**out, "allOf": [*out.get("allOf", []), chain]}


_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
"""Keywords whose value maps names to schemas (a name there is not a keyword)."""
_DATA = frozenset({"enum", "const", "examples", "default"})
"""Keywords whose value is a JSON value, not a schema."""


def _const_as_enum(node: Any) -> Any:
    """``node`` with every ``const: X`` written ``enum: [X]``, which means the same and
    which the compiler generates the same test for; its ``const`` cannot be compiled
    without detailed exceptions."""
    if isinstance(node, list):
        return [_const_as_enum(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _const_as_enum(sub) for name, sub in value.items()}
        elif key in _DATA:
            out[key] = value
        else:
            out[key] = _const_as_enum(value)
    if "const" in out:
        same = {"enum": [out.pop("const")]}
        if "enum" in out:
            out["allOf"] = [*out.get("allOf", []), same]
        else:
            out.update(same)
    return out


def _tagged_branches(schema: dict[str, Any]) -> dict[str, str]:
    """``{tag: "#/$defs/NAME"}`` for a schema whose ``oneOf`` lists local definitions each
    fixing ``type`` to a distinct constant; empty for any other schema."""
    refs = [branch.get("$ref") for branch in schema.get("oneOf", ())]
    found: dict[str, str] = {}
    for ref in refs:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            return {}
        target = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        tag = target.get("properties", {}).get("type", {}).get("const")
        if not isinstance(tag, str) or tag in found:
            return {}
        found[tag] = ref
    return found


def _keyed_branches(schema: dict[str, Any]) -> dict[str, str]:
    """``{key: "#/$defs/NAME"}`` for a schema whose ``oneOf`` lists local definitions of
    which some are envelopes (an object of exactly one property, required, and nothing
    else: the wire's ``{"handle": ...}``) and each other one requires a property no
    envelope is named by. A document of one key can then match the envelope of that key
    and no other branch; empty for any other schema."""
    defs = schema.get("$defs", {})
    found: dict[str, str] = {}
    others: list[set[str]] = []
    for branch in schema.get("oneOf", ()):
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            return {}
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        required = target.get("required", [])
        if (
            target.get("type") == "object"
            and target.get("additionalProperties") is False
            and len(required) == 1
            and list(target.get("properties", {})) == required
            and required[0] not in found
        ):
            found[required[0]] = ref
        else:
            others.append(_required_keys(target, defs, ()))
    if any(not keys - found.keys() for keys in others):
        return {}
    return found


def _required_keys(node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> set[str]:
    """The properties every object that matches ``node`` has, as far as ``required``,
    local references and the alternatives of ``oneOf``/``anyOf`` (those all share) say."""
    if not isinstance(node, dict):
        return set()
    keys = {key for key in node.get("required", ()) if isinstance(key, str)}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
        keys |= _required_keys(defs.get(ref.removeprefix("#/$defs/")), defs, (*seen, ref))
    for word in ("oneOf", "anyOf"):
        alternatives = [_required_keys(sub, defs, seen) for sub in node.get(word, ())]
        if alternatives:
            keys |= set.intersection(*alternatives)
    for sub in node.get("allOf", ()):
        keys |= _required_keys(sub, defs, seen)
    return keys


class _Unsupported(Exception):
    """A schema uses a keyword (or a form of one) the verdict generator does not write."""


class _Undecided(Exception):
    """Raised by a written check on a value of a class ``json.loads`` never gives (a tuple,
    a subclass of ``str``...): jsonschema decides such a document."""


_JSON_CLASSES = frozenset({dict, list, str, int, float, bool, type(None)})


_ANNOTATIONS = frozenset(
    {"$id", "$schema", "$defs", "$comment", "title", "description", "examples", "default"}
)
"""Keywords that never change a verdict."""
_OBJECT_WORDS = ("required", "properties", "additionalProperties", "propertyNames")
_ARRAY_WORDS = ("items", "minItems", "maxItems", "uniqueItems")
_STRING_WORDS = ("minLength", "maxLength", "pattern")
_NUMBER_WORDS = ("minimum", "maximum")
_KNOWN = frozenset(
    {
        *_ANNOTATIONS,
        *_OBJECT_WORDS,
        *_ARRAY_WORDS,
        *_STRING_WORDS,
        *_NUMBER_WORDS,
        "maxProperties",
        "minProperties",
        "type",
        "const",
        "enum",
        "$ref",
        "anyOf",
        "oneOf",
    }
)
_TESTS = {
    "object": "{t} is dict",
    "array": "{t} is list",
    "string": "{t} is str",
    "integer": "({t} is int or ({t} is float and {v}.is_integer()))",
    "number": "({t} is int or {t} is float)",
    "boolean": "{t} is bool",
    "null": "{v} is None",
}
"""How each JSON type is recognised, as jsonschema recognises it (``1.0`` is an integer), by
the exact class ``json.loads`` gives: a value of any other class raises :class:`_Undecided`.
So a written check decides exactly as jsonschema does, or not at all, and a ``oneOf`` can
count its branches."""


_INLINED_DEPTH = 24
"""How deep in a function a reference is still written in place (Python reads up to 100
levels of indentation)."""


class _Writer:
    """Writes the Python source of a verdict-only check of one shipped schema."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.values: dict[str, Any] = {}
        self.tables: dict[str, dict[str, str]] = {}
        self.branches: dict[tuple[str, int], str] = {}
        self.inlining: list[tuple[str, str]] = []
        self.named: dict[tuple[str, str], str] = {}
        self.todo: list[tuple[str, Any, tuple[str, str]]] = []
        self.count = 0

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def value(self, stem: str, value: Any) -> str:
        name = self.fresh(stem)
        self.values[name] = value
        return name

    def table(self, stem: str, functions: dict[str, str]) -> str:
        """A lookup from a key to the check named for it (filled in once they exist)."""
        name = self.fresh(stem)
        self.tables[name] = functions
        return name

    def resolve(self, document: str, ref: str) -> tuple[tuple[str, str], Any]:
        """The key (schema, pointer) and the node that ``ref`` met in ``document`` names."""
        file, _, pointer = ref.partition("#")
        if file.startswith(BASE_URI):
            file = file[len(BASE_URI) :]
        other = file.removesuffix(".schema.json") if file else document
        if other not in SCHEMA_NAMES or (file and not file.endswith(".schema.json")):
            raise _Unsupported(ref)
        node: Any = load_schema(other)
        for part in filter(None, pointer.split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return (other, pointer), node

    def target(self, document: str, ref: str) -> str:
        """The function that checks the target of ``ref`` met in ``document``."""
        key, node = self.resolve(document, ref)
        if key not in self.named:
            self.named[key] = self.fresh("check_")
            self.todo.append((self.named[key], node, key))
        return self.named[key]

    def function(self, node: Any, document: str) -> str:
        """A function of its own for ``node`` (a branch of ``anyOf``/``oneOf``)."""
        if isinstance(node, dict) and set(node) - _ANNOTATIONS == {"$ref"}:
            return self.target(document, node["$ref"])
        key = (document, id(node))  # the node of a cached schema: one function each
        if key not in self.branches:
            self.branches[key] = self.fresh("check_")
            self.todo.append((self.branches[key], node, (document, "")))
        return self.branches[key]

    def write(self, root: Any, document: str) -> str:
        first = self.function(root, document)
        while self.todo:
            name, node, (where, pointer) = self.todo.pop(0)
            # a reference is written in place, unless it leads back to what is being
            # written (a recursive schema), which calls the function instead
            self.inlining = [(where, pointer)] if name in self.named.values() else []
            self.lines.append(f"def {name}(x):")
            self.node(node, "x", where, 1)
            self.lines.append("    return True")
        return first

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def node(self, node: Any, v: str, document: str, depth: int) -> None:
        """Lines that ``return False`` when the value named ``v`` breaks ``node``."""
        if node is True:
            return
        if node is False or not isinstance(node, dict):
            if node is False:
                self.emit(depth, "return False")
                return
            raise _Unsupported(type(node).__name__)
        unknown = set(node) - _KNOWN
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        if "$ref" in node:
            key, target = self.resolve(document, node["$ref"])
            if key in self.inlining or depth > _INLINED_DEPTH:
                self.emit(depth, f"if not {self.target(document, node['$ref'])}({v}):")
                self.emit(depth + 1, "return False")
            else:
                self.inlining.append(key)
                self.node(target, v, key[0], depth)
                self.inlining.pop()
        if "const" in node:
            self.const(node["const"], v, depth)
        if "enum" in node:
            allowed = node["enum"]
            if not isinstance(allowed, list) or not all(type(a) is str for a in allowed):
                raise _Unsupported("enum")
            name = self.value("ENUM", frozenset(allowed))
            self.emit(depth, f"if type({v}) is not str:")
            self.refuse(v, depth + 1)
            self.emit(depth, f"if {v} not in {name}:")
            self.emit(depth + 1, "return False")
        if "anyOf" in node:
            self.any_of(node["anyOf"], v, document, depth)
        if "oneOf" in node:
            self.one_of(node["oneOf"], v, document, depth)
        self.by_type(node, v, document, depth)

    def refuse(self, v: str, depth: int) -> None:
        """``return False`` for a value of a JSON class, raise for any other."""
        self.emit(depth, f"if type({v}) not in _JSON_CLASSES:")
        self.emit(depth + 1, "raise _Undecided")
        self.emit(depth, "return False")

    def const(self, expected: Any, v: str, depth: int) -> None:
        # as jsonschema compares: True is not 1, but 1.0 is
        if expected is True or expected is False or expected is None:
            self.emit(depth, f"if {v} is not {expected!r}:")
        elif type(expected) is str:
            self.emit(depth, f"if type({v}) is not str or {v} != {expected!r}:")
        elif type(expected) is int:
            self.emit(
                depth, f"if type({v}) is not int and type({v}) is not float or {v} != {expected!r}:"
            )
        else:
            raise _Unsupported("const")
        self.refuse(v, depth + 1)

    def any_of(self, branches: Any, v: str, document: str, depth: int) -> None:
        if not isinstance(branches, list) or not branches:
            raise _Unsupported("anyOf")
        tests = [
            f"{v} is None"
            if isinstance(b, dict) and set(b) - _ANNOTATIONS == {"type"} and b["type"] == "null"
            else f"{self.function(b, document)}({v})"
            for b in branches
        ]
        self.emit(depth, f"if not ({' or '.join(tests)}):")
        self.emit(depth + 1, "return False")

    def one_of(self, branches: Any, v: str, document: str, depth: int) -> None:
        if not isinstance(branches, list) or not branches:
            raise _Unsupported("oneOf")
        tagged = self.tags(branches, document)
        if tagged is not None:
            # each branch is an object that requires ``type`` to be its own constant: a
            # document can match the branch of its tag and no other
            table = self.table("TAGS", {tag: self.function(b, document) for tag, b in tagged})
            tag = self.fresh("tag")
            self.emit(depth, f"{tag} = {v}.get('type') if type({v}) is dict else None")
            self.emit(depth, f"if type({tag}) is not str or {tag} not in {table}:")
            self.emit(depth + 1, "return False")
            self.emit(depth, f"if not {table}[{tag}]({v}):")
            self.emit(depth + 1, "return False")
            return
        checks = [self.function(b, document) for b in branches]
        keyed = _keyed_branches(
            {"oneOf": branches, "$defs": load_schema(document).get("$defs", {})}
        )
        count = f"[{', '.join(f'{c}({v})' for c in checks)}].count(True) != 1"
        if keyed:
            # an envelope of one key can only match the branch named by that key
            table = self.table("KEYS", {k: self.target(document, r) for k, r in keyed.items()})
            pick = self.fresh("pick")
            self.emit(
                depth,
                f"{pick} = {table}.get(next(iter({v}))) if type({v}) is dict and len({v}) == 1 "
                "else None",
            )
            self.emit(depth, f"if {pick} is not None:")
            self.emit(depth + 1, f"if not {pick}({v}):")
            self.emit(depth + 2, "return False")
            self.emit(depth, f"elif {count}:")
        else:
            self.emit(depth, f"if {count}:")
        self.emit(depth + 1, "return False")

    def tags(self, branches: list[Any], document: str) -> list[tuple[str, Any]] | None:
        found: list[tuple[str, Any]] = []
        for branch in branches:
            target = branch
            if isinstance(branch, dict) and set(branch) - _ANNOTATIONS == {"$ref"}:
                file, _, pointer = branch["$ref"].partition("#")
                if file:
                    return None
                target = load_schema(document)
                for part in filter(None, pointer.split("/")):
                    target = target.get(part, {})
            if not isinstance(target, dict) or target.get("type") != "object":
                return None
            tag = target.get("properties", {}).get("type", {}).get("const")
            if "type" not in target.get("required", ()) or not isinstance(tag, str):
                return None
            if tag in dict(found):
                return None
            found.append((tag, branch))
        return found

    def by_type(self, node: dict[str, Any], v: str, document: str, depth: int) -> None:
        kinds = node.get("type", list(_TESTS))
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list) or not set(kinds) <= set(_TESTS):
            raise _Unsupported("type")
        words = {
            "object": [w for w in (*_OBJECT_WORDS, "maxProperties", "minProperties") if w in node],
            "array": [w for w in _ARRAY_WORDS if w in node],
            "string": [w for w in _STRING_WORDS if w in node],
            "integer": [w for w in _NUMBER_WORDS if w in node],
            "number": [w for w in _NUMBER_WORDS if w in node],
        }
        if "type" not in node and not any(words.values()):
            return  # no type and nothing that applies to one: every value passes
        if "number" in kinds and "integer" in kinds:
            kinds = [k for k in kinds if k != "integer"]
        if "type" not in node:
            kinds = [k for k in kinds if words.get(k)]
        t = self.fresh("t")
        self.emit(depth, f"{t} = type({v})")
        keyword = "if"
        for kind in kinds:
            self.emit(depth, f"{keyword} {_TESTS[kind].format(t=t, v=v)}:")
            keyword = "elif"
            before = len(self.lines)
            if kind == "object":
                self.object(node, v, document, depth + 1)
            elif kind == "array":
                self.array(node, v, document, depth + 1)
            elif kind == "string":
                self.string(node, v, depth + 1)
            elif kind in ("integer", "number"):
                self.number(node, v, depth + 1)
            if len(self.lines) == before:
                self.emit(depth + 1, "pass")
        if "type" in node:
            self.emit(depth, "else:")
            self.refuse(v, depth + 1)
        else:
            # without ``type`` a value of any other kind passes
            self.emit(depth, f"elif {t} not in _JSON_CLASSES:")
            self.emit(depth + 1, "raise _Undecided")

    def object(self, node: dict[str, Any], v: str, document: str, depth: int) -> None:
        required = node.get("required", [])
        properties = node.get("properties", {})
        if not isinstance(required, list) or not isinstance(properties, dict):
            raise _Unsupported("required")
        for word, op in (("maxProperties", ">"), ("minProperties", "<")):
            if word in node:
                self.emit(depth, f"if len({v}) {op} {int(node[word])}:")
                self.emit(depth + 1, "return False")
        for key in required:
            if key not in properties:
                self.emit(depth, f"if {key!r} not in {v}:")
                self.emit(depth + 1, "return False")
        extra = node.get("additionalProperties", True)
        known = self.value("KNOWN", frozenset(properties))
        # with no other property allowed, the object holds only the known ones it was
        # seen to hold: counting them as they are read spares a pass over its keys
        counted = sum(1 for key in properties if key in required)
        count = self.fresh("n") if extra is False else None
        if count is not None and len(properties) > counted:
            self.emit(depth, f"{count} = {counted}")
        for key, sub in properties.items():
            item = self.fresh("v")
            self.emit(depth, f"{item} = {v}.get({key!r}, _ABSENT)")
            if key in required:
                self.emit(depth, f"if {item} is _ABSENT:")
                self.emit(depth + 1, "return False")
                self.node(sub, item, document, depth)
            else:
                self.emit(depth, f"if {item} is not _ABSENT:")
                before = len(self.lines)
                if count is not None:
                    self.emit(depth + 1, f"{count} += 1")
                self.node(sub, item, document, depth + 1)
                if len(self.lines) == before:
                    self.emit(depth + 1, "pass")
        if count is not None:
            total = count if len(properties) > counted else str(counted)
            self.emit(depth, f"if len({v}) != {total}:")
            self.emit(depth + 1, "return False")
        if extra is not False and extra is not True:
            key, item = self.fresh("k"), self.fresh("v")
            self.emit(depth, f"for {key}, {item} in {v}.items():")
            self.emit(depth + 1, f"if {key} not in {known}:")
            before = len(self.lines)
            self.node(extra, item, document, depth + 2)
            if len(self.lines) == before:
                self.lines.pop()
                self.lines.pop()
        if "propertyNames" in node:
            key = self.fresh("k")
            self.emit(depth, f"for {key} in {v}:")
            before = len(self.lines)
            self.node(node["propertyNames"], key, document, depth + 1)
            if len(self.lines) == before:
                self.emit(depth + 1, "pass")

    def array(self, node: dict[str, Any], v: str, document: str, depth: int) -> None:
        for word, op in (("minItems", "<"), ("maxItems", ">")):
            if word in node:
                self.emit(depth, f"if len({v}) {op} {int(node[word])}:")
                self.emit(depth + 1, "return False")
        if "items" in node:
            if not isinstance(node["items"], dict | bool):
                raise _Unsupported("items")
            item = self.fresh("v")
            self.emit(depth, f"for {item} in {v}:")
            before = len(self.lines)
            self.node(node["items"], item, document, depth + 1)
            if len(self.lines) == before:
                self.lines.pop()
        if node.get("uniqueItems") is True:
            # decided here only for strings, which compare as jsonschema compares them
            self.emit(depth, f"if not all(type(e) is str for e in {v}):")
            self.emit(depth + 1, "raise _Undecided")
            self.emit(depth, f"if len(set({v})) < len({v}):")
            self.emit(depth + 1, "return False")
        elif node.get("uniqueItems", False) is not False:
            raise _Unsupported("uniqueItems")

    def string(self, node: dict[str, Any], v: str, depth: int) -> None:
        for word, op in (("minLength", "<"), ("maxLength", ">")):
            if word in node:
                self.emit(depth, f"if len({v}) {op} {int(node[word])}:")
                self.emit(depth + 1, "return False")
        if "pattern" in node:
            # the pattern as jsonschema reads it: re.search with the schema's own text
            pattern = re.compile(node["pattern"])
            anchored = _anchored(pattern.pattern) and not pattern.flags & (re.M | re.X)
            name = self.value("PATTERN", pattern.match if anchored else pattern.search)
            self.emit(depth, f"if not {name}({v}):")
            self.emit(depth + 1, "return False")

    def number(self, node: dict[str, Any], v: str, depth: int) -> None:
        for word, op in (("minimum", "<"), ("maximum", ">")):
            if word in node:
                bound = node[word]
                if type(bound) not in (int, float):
                    raise _Unsupported(word)
                self.emit(depth, f"if {v} {op} {bound!r}:")
                self.emit(depth + 1, "return False")


def _anchored(pattern: str) -> bool:
    """Whether every match of ``pattern`` starts at the start of the text: it begins with
    ``^`` and has no ``|`` outside a group. Then ``re.match`` finds what ``re.search``
    would (without the multi-line flag), and tries one place instead of each."""
    if not pattern.startswith("^"):
        return False
    depth, escaped, in_class = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
    return True


_WRITTEN_NAMES = {
    "_ABSENT": object(),
    "_JSON_CLASSES": _JSON_CLASSES,
    "_Undecided": _Undecided,
}
"""The names every written check reads besides its own constants."""


def _generate(name: str) -> Callable[[object], bool] | None:
    """A check of schema ``name`` written as plain Python, that returns True only for a
    document jsonschema accepts; None when the schema uses a keyword it does not write."""
    writer = _Writer()
    try:
        root = writer.write(load_schema(name), name)
    except _Unsupported:
        return None
    namespace: dict[str, Any] = {**writer.values, **_WRITTEN_NAMES}
    exec(compile("\n".join(writer.lines), f"<verdict of {name}.schema.json>", "exec"), namespace)
    for table, functions in writer.tables.items():
        namespace[table] = {key: namespace[function] for key, function in functions.items()}
    check: Callable[[object], bool] = namespace[root]
    return check


def prepare(*names: str) -> None:
    """Build the validators of schemas ``names`` now instead of on first use.

    Compiling takes up to a second per schema; a worker calls this while it starts, so that
    its first requests do not wait for it.
    """
    for name in names:
        if name not in SCHEMA_NAMES:
            raise KeyError(f"no shipped schema named {name!r}")
        _validator(name)
        _compiled(name)


def _passes_compiled(name: str, document: object) -> bool:
    """True when the compiled validator of ``name`` accepts ``document``; False when it
    refuses it or there is none (then jsonschema decides)."""
    check = _compiled(name)
    if check is None:
        return False
    try:
        return check(document) is True
    except Exception:  # a document nested deeper than the interpreter recurses
        return False


def violations(name: str, document: object) -> Iterator[SchemaViolation]:
    """Every way ``document`` breaks schema ``name``, most specific first."""
    if _passes_compiled(name, document):
        return
    from jsonschema.exceptions import relevance  # only to report: a passing check needs none

    validator = _validator(name)
    if isinstance(document, dict) and isinstance(document.get("type"), str):
        validator = _branches(name).get(document["type"], validator)
    errors = sorted(validator.iter_errors(document), key=relevance, reverse=True)  # type: ignore[arg-type]
    for error in map(_deepest, errors):
        path: tuple[str | int, ...] = tuple(error.absolute_path)
        if _about_a_key(error):
            path += (str(error.instance),)
        yield SchemaViolation(
            path=path,
            keyword=str(error.validator),
            message=_describe(error),
            allowed=_allowed(error),
        )


def _deepest(error: Any) -> Any:
    """For a value that matches none of a ``oneOf``/``anyOf``, the most relevant problem
    inside the branches when it lies deeper than the value itself (a wrong date inside a
    request envelope, rather than "matches no form" at the top)."""
    if error.validator in {"oneOf", "anyOf"} and error.context:
        inner = max(map(_deepest, error.context), key=lambda e: len(e.absolute_path))
        if len(inner.absolute_path) > len(error.absolute_path):
            return inner
    return error


def _about_a_key(error: Any) -> bool:
    """Whether ``error`` is about a property name (``propertyNames``) rather than a value."""
    return "propertyNames" in error.relative_schema_path and isinstance(error.instance, str)


def _allowed(error: Any) -> tuple[str, ...]:
    if error.validator == "enum" and isinstance(error.validator_value, list):
        return tuple(str(v) for v in error.validator_value)
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        return tuple(str(k) for k in error.schema.get("properties", {}))
    return ()


def validate(name: str, document: object) -> None:
    """Raise :class:`kl_contact.errors.UsageError` when ``document`` breaks schema ``name``."""
    from kl_contact.errors import UsageError

    for violation in violations(name, document):
        raise UsageError(
            f"document does not match {name}.schema.json ({violation.keyword})",
            code="schema.invalid",
            path=violation.path,
            params={"detail": violation.message},
        )


def check_shipped_schemas() -> list[str]:
    """Problems with the shipped schemas themselves: each must be a valid 2020-12 schema
    whose ``$id`` matches its file name, and every ``$ref`` must resolve."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    problems = []
    for name in SCHEMA_NAMES:
        try:
            schema = load_schema(name)
        except (OSError, ValueError) as exc:
            problems.append(f"{name}.schema.json: cannot be read ({type(exc).__name__})")
            continue
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            problems.append(f"{name}.schema.json: not a valid 2020-12 schema: {exc.message}")
        if schema.get("$id") != BASE_URI + f"{name}.schema.json":
            problems.append(f"{name}.schema.json: $id does not match the file name")
        for ref in _refs(schema):
            target = ref.split("#", 1)[0]
            if target and target.removesuffix(".schema.json") not in SCHEMA_NAMES:
                problems.append(f"{name}.schema.json: $ref to unknown schema {target}")
        try:
            _validator(name).is_valid({})
        except Exception as exc:  # an unresolvable reference surfaces here
            problems.append(f"{name}.schema.json: references do not resolve ({type(exc).__name__})")
    return problems


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
