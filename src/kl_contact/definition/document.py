"""Reading YAML with positions, for definitions and catalogs.

PyYAML's safe loader is used (the C one when the installed PyYAML has it, unless the
environment variable ``KL_CONTACT_PURE_YAML`` is set to ``1``: then the pure-Python one, which
is what a PyYAML built without libyaml has, so that both readers are tested), with three
changes: a mapping may not repeat a key, dates stay strings (JSON has no date type), and
every mapping and sequence remembers where each of its entries starts, so that an error
found later (by the schema or by a semantic check) can name the line and column.

Before anything is built, one pass over the parser's events enforces the
:class:`~kl_contact.limits.Limits` on nesting depth, alias count and the size the document
would have with every alias expanded, so that no hostile document ("billion laughs", a
thousand nested brackets, a self-referencing anchor) costs more than reading it once.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any

import yaml

from kl_contact.errors import DefinitionError
from kl_contact.limits import DEFAULT_LIMITS, Limits

__all__ = ["Document", "load_yaml"]

PURE_YAML_VARIABLE = "KL_CONTACT_PURE_YAML"
"""Set to ``1`` to read YAML with PyYAML's pure-Python loader even when libyaml is there."""


def _base_loader() -> type[yaml.SafeLoader]:
    """libyaml's safe loader when PyYAML has it and the pure one is not asked for."""
    if os.environ.get(PURE_YAML_VARIABLE) == "1":
        return yaml.SafeLoader
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_Base = _base_loader()

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _MarkingLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that refuses duplicate keys and records positions."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML reads this class attribute
        key: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for key, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.positions: dict[
            int, tuple[tuple[int, int], dict[Any, tuple[int, int]] | list[tuple[int, int]]]
        ] = {}
        self._keep: list[object] = []

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # pragma: no cover - PyYAML checks first
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        where: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable) or isinstance(key, list | dict):
                raise DefinitionError(
                    "a mapping key must be a plain scalar",
                    code="yaml.bad_key",
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            if key in mapping:
                raise DefinitionError(
                    f"duplicate key {str(key)[:60]!r}",
                    code="yaml.duplicate_key",
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            where[key] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
        self._remember(mapping, node, where)
        return mapping

    def construct_sequence(self, node: Any, deep: bool = False) -> list[Any]:
        items = [self.construct_object(child, deep=True) for child in node.value]
        where = [(child.start_mark.line + 1, child.start_mark.column + 1) for child in node.value]
        self._remember(items, node, where)
        return items

    def _remember(self, obj: object, node: Any, where: Any) -> None:
        self._keep.append(obj)
        self.positions[id(obj)] = ((node.start_mark.line + 1, node.start_mark.column + 1), where)


_MarkingLoader.add_constructor("tag:yaml.org,2002:map", _MarkingLoader.construct_mapping)
_MarkingLoader.add_constructor("tag:yaml.org,2002:seq", _MarkingLoader.construct_sequence)


def _refuse_tag(loader: _MarkingLoader, node: Any) -> None:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {node.tag!r} is not allowed", node.start_mark
    )


for _tag in ("omap", "pairs", "set", "binary"):
    _MarkingLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


class Document:
    """A parsed YAML document that can say where any JSON path starts in the source."""

    def __init__(
        self, data: Any, source: str, positions: dict[int, Any], keep: list[object]
    ) -> None:
        self.data = data
        self.source = source
        self._positions = positions
        self._keep = keep

    def locate(self, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
        """Line and column of the deepest node along ``path`` that exists."""
        node: Any = self.data
        here: tuple[int | None, int | None] = self._positions.get(id(node), ((1, 1), None))[0]
        for part in path:
            entry = self._positions.get(id(node))
            if entry is None:
                break
            _, where = entry
            try:
                here = where[part]
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return here

    def error(
        self, message: str, *, code: str, path: tuple[str | int, ...], hint: str | None = None
    ) -> DefinitionError:
        """A :class:`DefinitionError` located at ``path``."""
        line, column = self.locate(path)
        return DefinitionError(
            message, code=code, source=self.source, line=line, column=column, path=path, hint=hint
        )


def _refuse(message: str, code: str, event: Any) -> DefinitionError:
    mark = event.start_mark
    return DefinitionError(message, code=code, line=mark.line + 1, column=mark.column + 1)


def _check_shape(text: str, limits: Limits) -> None:
    """Refuse a document that nests too deeply or grows too much through its aliases.

    One pass over the parser's events (no node is built): ``expanded`` counts the nodes the
    document would have with every alias replaced by a copy of its anchor.
    """
    depth = 0
    aliases = 0
    expanded = 0
    sizes: dict[str, int] = {}
    open_anchors: list[tuple[str | None, int]] = []
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.depth:
                raise _refuse(f"nesting deeper than {limits.depth}", "yaml.too_deep", event)
            open_anchors.append((event.anchor, expanded))
            expanded += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, start = open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.aliases:
                raise _refuse(f"more than {limits.aliases} aliases", "yaml.too_many_aliases", event)
            if any(anchor == event.anchor for anchor, _ in open_anchors):
                raise _refuse("an alias refers to its own anchor", "yaml.recursive_alias", event)
            expanded += sizes.get(event.anchor or "", 1)
        if expanded > limits.nodes:
            raise _refuse(
                f"more than {limits.nodes} nodes once aliases are expanded",
                "yaml.too_many_nodes",
                event,
            )


def load_yaml(
    text: str | bytes, source: str = "<string>", limits: Limits = DEFAULT_LIMITS
) -> Document:
    """Parse one YAML document; any YAML problem raises :class:`DefinitionError`."""
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise DefinitionError(
                f"not UTF-8 (byte {exc.start})",
                code="yaml.encoding",
                source=source,
                line=line,
                column=column,
            ) from None
    loader: _MarkingLoader | None = None
    try:
        _check_shape(text, limits)
        loader = _MarkingLoader(text)  # the pure reader checks the characters here
        data = loader.get_single_data()
    except DefinitionError as exc:
        exc.source = source
        raise DefinitionError(
            exc.message, code=exc.code, source=source, line=exc.line, column=exc.column
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        code = "yaml.tag" if "constructor" in type(exc).__name__.lower() else "yaml.syntax"
        if "nesting depth" in problem:  # libyaml's own limit, met before ours in flow style
            code = "yaml.too_deep"
        raise DefinitionError(
            problem,
            code=code,
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_and_column(text, exc.position)
        raise DefinitionError(
            f"character {exc.character!r} is not allowed in YAML",
            code="yaml.syntax",
            source=source,
            line=line,
            column=column,
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(str(exc)[:200], code="yaml.syntax", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, source, loader.positions, loader._keep)


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
