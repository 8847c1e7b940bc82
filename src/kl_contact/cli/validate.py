"""The ``validate`` command: check documents against a shipped schema, by kind.

A document may be JSON or YAML; each problem is reported with its file, line and column,
the JSON pointer of the offending value (RFC 6901) and a message that never quotes the
value, which may be personal data (a stored session, a ticket).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from kl_contact.cli.errors import from_os_error
from kl_contact.definition.document import load_yaml
from kl_contact.errors import DefinitionError
from kl_contact.schemas import SCHEMA_NAMES, violations

__all__ = ["KINDS", "Problem", "json_pointer", "validate_files"]

KINDS = tuple(name for name in SCHEMA_NAMES if name != "common")
"""The document kinds ``kl-contact validate`` knows: every shipped schema but the shared one."""


def json_pointer(path: Sequence[str | int]) -> str:
    """``path`` as a JSON pointer: ``("steps", 2, "id")`` is ``/steps/2/id``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@attrs.frozen
class Problem:
    """One problem with one file: where, which rule (``code``) and what is wrong."""

    file: str
    line: int | None
    column: int | None
    pointer: str
    code: str
    message: str

    def __str__(self) -> str:
        where = self.file + "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{where}: {self.code}: {self.message}{at}"

    def document(self) -> dict[str, Any]:
        """The problem as JSON data (``--json``)."""
        return attrs.asdict(self)


def _read(name: str) -> bytes | Problem:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        error = from_os_error(exc, name)
        return Problem(name, None, None, "", error.code, f"{error.message}; {error.hint}")


def validate_files(kind: str, files: Sequence[str]) -> list[Problem]:
    """Every problem of every file checked against ``KIND.schema.json``, in file order."""
    problems: list[Problem] = []
    for name in files:
        raw = _read(name)
        if isinstance(raw, Problem):
            problems.append(raw)
            continue
        try:
            doc = load_yaml(raw, name)
        except DefinitionError as exc:
            problems.append(Problem(name, exc.line, exc.column, "", exc.code, exc.message))
            continue
        for violation in violations(kind, doc.data):
            line, column = doc.locate(violation.path)
            problems.append(
                Problem(
                    name,
                    line,
                    column,
                    json_pointer(violation.path),
                    f"schema.{violation.keyword}",
                    violation.message,
                )
            )
    return problems
