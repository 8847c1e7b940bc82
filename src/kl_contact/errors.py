"""Errors, and whose fault they are.

Three kinds of trouble reach a caller, and each has its own shape:

* a **configuration mistake** in a workflow definition or catalog raises
  :class:`DefinitionError`, which names the file, line and column of the offending node;
* a **host programming mistake** (an event the current step does not accept, a naive
  datetime) raises :class:`UsageError`;
* a **user's mistake** (a missing answer, a malformed e-mail address) never raises: it comes
  back as :class:`ValidationIssue` values inside the view.

No message built here ever includes a value a user typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

__all__ = ["DefinitionError", "KlContactError", "Severity", "UsageError", "ValidationIssue"]

Severity = Literal["error", "warning"]
"""How serious a :class:`ValidationIssue` is: ``error`` blocks progress, ``warning`` does not."""


class KlContactError(Exception):
    """Base class of every exception this library raises on purpose."""


class DefinitionError(KlContactError):
    """A workflow definition or article catalog is broken.

    ``source`` is the file name (or ``<string>``), ``line`` and ``column`` are 1-based,
    ``path`` is the JSON path of the offending node and ``code`` is a stable identifier
    such as ``schema.enum`` or ``ref.unknown_step``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        source: str = "<string>",
        line: int | None = None,
        column: int | None = None,
        path: tuple[str | int, ...] = (),
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        self.hint = hint
        self.others: tuple[DefinitionError, ...] = ()
        """Further problems found in the same document (linters show them all)."""
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``file:line:column`` of the offending node (line and column may be unknown)."""
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = f"{self.location}: {self.code}: {self.message}"
        if self.path:
            text += f" (at {format_path(self.path)})"
        if self.hint:
            text += f"; hint: {self.hint}"
        return text


class UsageError(KlContactError):
    """The host used the API in a way it does not allow.

    ``code`` is stable (for example ``event.not_allowed`` or ``time.naive``); the message
    names the step and event type only, never what a user typed. For an event the step does
    not accept, ``step``, ``event`` and ``allowed`` (the event types it would take) say so
    as data.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        step: str | None = None,
        event: str | None = None,
        allowed: tuple[str, ...] = (),
    ) -> None:
        self.code = code
        self.step = step
        self.event = event
        self.allowed = allowed
        super().__init__(f"{code}: {message}")


@attrs.frozen
class ValidationIssue:
    """One problem with what a user entered, as data.

    ``path`` points at the answer (``("answers", "email")``) or at the step (``()``);
    ``params`` carries the numbers a frontend may want to show (a limit, a count), never
    the user's own text. ``code`` and ``params`` are the issue; ``message`` is their wording
    from the message catalog, and a view always words it in the session's locale.
    """

    code: str
    path: tuple[str | int, ...]
    message: str
    severity: Severity = "error"
    params: Mapping[str, str | int] = attrs.field(factory=dict)

    @property
    def question(self) -> str | None:
        """The question id this issue is about, when it is about one answer."""
        if len(self.path) >= 2 and self.path[0] == "answers":
            return str(self.path[1])
        return None


def format_path(path: tuple[str | int, ...]) -> str:
    """Render a JSON path as ``steps[2].questions[0].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "<root>"
