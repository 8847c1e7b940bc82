"""Reading YAML with positions, for definitions and catalogs.

PyYAML's safe loader is used (the C one when the installed PyYAML has it), with three
changes: a mapping may not repeat a key, dates stay strings (JSON has no date type), and
every mapping and sequence remembers where each of its entries starts, so that an error
found later (by the schema or by a semantic check) can name the line and column.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from kl_contact.errors import DefinitionError

__all__ = ["Document", "load_yaml"]

try:  # pragma: no cover - depends on how PyYAML was built
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

MAX_ALIASES = 100
"""How many alias references a document may use: aliases are how a "billion laughs" grows."""

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
        self.alias_count = 0
        self._keep: list[object] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise DefinitionError(
                    f"more than {MAX_ALIASES} aliases",
                    code="yaml.too_many_aliases",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
        return super().compose_node(parent, index)

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
_MarkingLoader.add_constructor("tag:yaml.org,2002:omap", None)
_MarkingLoader.add_constructor("tag:yaml.org,2002:pairs", None)
_MarkingLoader.add_constructor("tag:yaml.org,2002:set", None)


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


def load_yaml(text: str | bytes, source: str = "<string>") -> Document:
    """Parse one YAML document; any YAML problem raises :class:`DefinitionError`."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DefinitionError(
                f"not UTF-8 (byte {exc.start})", code="yaml.encoding", source=source
            ) from None
    loader = _MarkingLoader(text)
    try:
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
        raise DefinitionError(
            problem,
            code=code,
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(str(exc)[:200], code="yaml.syntax", source=source) from None
    finally:
        loader.dispose()
    return Document(data, source, loader.positions, loader._keep)
