"""How the command line reports trouble: one line with a code and a hint, never a traceback.

Every way a command can fail ends here as a :class:`CommandError`, whether it started as a
missing file, a broken definition, a wrong option or a closed pipe; :func:`report` prints
it as one line on standard error (or one JSON object with ``--json``). Nothing here prints
what a user typed into the demo.
"""

from __future__ import annotations

import json
from typing import TextIO

from kl_contact.errors import DefinitionError, UsageError, format_path

__all__ = [
    "CommandError",
    "from_definition_error",
    "from_os_error",
    "from_usage_error",
    "report",
]


class CommandError(Exception):
    """A command cannot go on: a stable ``code``, a message, a hint and the exit status."""

    def __init__(self, code: str, message: str, hint: str, *, status: int = 2) -> None:
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status
        super().__init__(f"{code}: {message}")

    def line(self) -> str:
        """The one line shown to the person at the terminal."""
        return f"kl-contact: error: {self.code}: {self.message}; hint: {self.hint}"

    def document(self) -> dict[str, str]:
        """The same error as JSON data (``--json``)."""
        return {"code": self.code, "message": self.message, "hint": self.hint}


def report(error: CommandError, err: TextIO, *, as_json: bool = False) -> int:
    """Print ``error`` as one line on ``err``; returns its exit status."""
    if as_json:
        print(json.dumps({"error": error.document()}, ensure_ascii=False), file=err)
    else:
        print(error.line(), file=err)
    return error.status


def from_os_error(exc: OSError, name: str, what: str = "file") -> CommandError:
    """A file that cannot be read: missing, a folder, or not permitted."""
    if isinstance(exc, FileNotFoundError):
        return CommandError(
            "file.not_found", f"no such {what}: {name}", "check the path (relative to this folder)"
        )
    if isinstance(exc, IsADirectoryError):
        return CommandError("file.is_directory", f"{name} is a folder", f"name a {what} in it")
    reason = exc.strerror or type(exc).__name__
    return CommandError(
        "file.unreadable", f"cannot read {name} ({reason})", "check the file's permissions"
    )


def from_definition_error(exc: DefinitionError) -> CommandError:
    """A broken definition or catalog, located at its file, line and column."""
    from kl_contact.definition.lint import Finding

    finding = Finding.from_error(exc)
    at = f" (at {format_path(exc.path)})" if exc.path else ""
    return CommandError(exc.code, f"{exc.location}: {exc.message}{at}", finding.hint)


def from_usage_error(exc: UsageError) -> CommandError:
    """A document or an option the library refuses."""
    message = str(exc).removeprefix(f"{exc.code}: ")
    return CommandError(exc.code, message, "see kl-contact --help")
