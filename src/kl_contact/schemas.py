"""The one place that knows where the shipped JSON Schemas are and how to check against them.

The schemas live in the top-level ``schemas/`` folder of the source tree and inside the
wheel as ``kl_contact/schemas``. Validators are built once per schema, on first use, so that
``import kl_contact`` does not pay for importing jsonschema.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

__all__ = [
    "BASE_URI",
    "SCHEMA_NAMES",
    "SchemaViolation",
    "load_schema",
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
    "wire",
    "answers",
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


def _describe(error: Any) -> str:
    keyword = str(error.validator)
    text: str = error.message
    expected = error.validator_value
    if keyword in {
        "type",
        "enum",
        "const",
        "required",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
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


def violations(name: str, document: object) -> Iterator[SchemaViolation]:
    """Every way ``document`` breaks schema ``name``, most specific first."""
    from jsonschema.exceptions import relevance

    validator = _validator(name)
    if isinstance(document, dict) and isinstance(document.get("type"), str):
        validator = _branches(name).get(document["type"], validator)
    errors = sorted(validator.iter_errors(document), key=relevance, reverse=True)  # type: ignore[arg-type]
    for error in errors:
        yield SchemaViolation(
            path=tuple(error.absolute_path),
            keyword=str(error.validator),
            message=_describe(error),
        )


def validate(name: str, document: object) -> None:
    """Raise :class:`kl_contact.errors.UsageError` when ``document`` breaks schema ``name``."""
    from kl_contact.errors import UsageError, format_path

    for violation in violations(name, document):
        raise UsageError(
            f"document does not match {name}.schema.json at {format_path(violation.path)}: "
            f"{violation.message}",
            code="schema.invalid",
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
