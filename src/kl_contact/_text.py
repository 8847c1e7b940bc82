"""Localised texts and named placeholders.

A text in a definition is a mapping of locale to string. Placeholders are ``{name}`` tokens
replaced by a regular expression over a closed set of names: no ``str.format`` ever runs on
anything that came from a user or a backend, so no attribute or index can be reached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["PLACEHOLDER", "localize", "placeholders_in", "substitute"]

Text = Mapping[str, str]

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def localize(text: Text, locale: str, fallback: str) -> str:
    """Pick ``locale`` from ``text``, else ``fallback``, else any value, else ``""``."""
    value = text.get(locale)
    if value is None:
        value = text.get(fallback)
    if value is None:
        value = next(iter(text.values()), "")
    return value


def placeholders_in(template: str) -> set[str]:
    """Names of the ``{placeholders}`` a template uses."""
    return set(PLACEHOLDER.findall(template))


def substitute(template: str, values: Mapping[str, str]) -> str:
    """Replace each known ``{name}`` by ``values[name]``; unknown names stay as written."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, match.group(0))

    return PLACEHOLDER.sub(repl, template)
