"""Hypothesis strategies for documents that a JSON Schema accepts.

This covers the keywords the shipped ticket, receipt and answers schemas use, and raises on
any other, so that a schema growing a new keyword fails the tests here instead of being
generated from too loosely. Every generated document is still checked against the real
schema by the tests that use it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

ANNOTATIONS = {"description", "title", "examples", "$defs", "$schema", "$id", "default"}
KNOWN = ANNOTATIONS | {
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "maxProperties",
    "propertyNames",
}
LONGEST_TEXT = 16
"""Generated strings stay short: length limits above this are checked by the unit tests."""


def from_schema(root: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Documents accepted by ``root``; references must be local (``#/$defs/...``)."""

    def resolve(ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are followed: {ref}")
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        return dict(node)

    def build(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        unknown = set(schema) - KNOWN
        if unknown:
            raise ValueError(f"keywords this generator does not know: {sorted(unknown)}")
        if "$ref" in schema:
            return st.deferred(lambda: build(resolve(schema["$ref"])))
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema and "properties" not in schema:
                return st.one_of([build(branch) for branch in schema[key]])
        kinds = schema.get("type")
        if isinstance(kinds, list):
            return st.one_of([build(dict(schema, type=kind)) for kind in kinds])
        if kinds == "null":
            return st.none()
        if kinds == "boolean":
            return st.booleans()
        if kinds == "integer":
            return st.integers(schema.get("minimum", -(2**53)), schema.get("maximum", 2**53))
        if kinds == "string":
            return _string(schema)
        if kinds == "array":
            return _array(schema)
        if kinds == "object":
            return _object(schema)
        raise ValueError(f"no type to generate from: {sorted(schema)}")

    def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
        low = schema.get("minLength", 0)
        if "pattern" in schema:
            high = schema.get("maxLength", 2**31)
            return st.from_regex(schema["pattern"]).filter(lambda s: low <= len(s) <= high)
        return st.text(min_size=low, max_size=min(schema.get("maxLength", 2**31), LONGEST_TEXT))

    def _array(schema: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
        items = build(schema.get("items", {"type": "string"}))
        return st.lists(
            items,
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 4), 4),
            unique_by=(lambda v: json.dumps(v, sort_keys=True))
            if schema.get("uniqueItems")
            else None,
        )

    def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and "properties" not in schema:  # a map: any keys
            return st.dictionaries(
                _string(schema.get("propertyNames", {})),
                build(extra),
                max_size=min(schema.get("maxProperties", 4), 4),
            )
        if extra is not False:
            raise ValueError("only closed objects (additionalProperties: false) are generated")
        branches = schema.get("oneOf") or schema.get("anyOf") or [{}]
        return st.one_of([_closed_object(schema, branch) for branch in branches])

    def _closed_object(
        schema: dict[str, Any], branch: dict[str, Any]
    ) -> st.SearchStrategy[dict[str, Any]]:
        # a branch narrows some properties of the object (for example a value by its type)
        properties = dict(schema["properties"], **branch.get("properties", {}))
        required = set(schema.get("required", ())) | set(branch.get("required", ()))
        fixed = {name: build(properties[name]) for name in sorted(required)}
        optional = {name: build(properties[name]) for name in sorted(properties.keys() - required)}
        return st.fixed_dictionaries(fixed, optional=optional)

    return build(root)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
"""Any small JSON value, to put where a document holds something else."""


def replace_member(node: Any, path: list[int], value: Any) -> Any:
    """``node`` with the member chosen by ``path`` (indices into its keys or items) replaced."""
    if not path or not isinstance(node, (dict, list)) or not node:
        return value
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    key = keys[path[0] % len(keys)]
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    copy[key] = replace_member(node[key], path[1:], value)
    return copy
