"""Localised texts and named placeholders.

A text in a definition is a mapping of locale to string. Placeholders are ``{name}`` tokens
replaced by a regular expression over a closed set of names: no ``str.format`` ever runs on
anything that came from a user or a backend, so no attribute or index can be reached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

__all__ = ["PLACEHOLDER", "localize", "placeholders_in", "substitute", "text_direction"]

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


_RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
)


def text_direction(locale: str) -> Literal["ltr", "rtl"]:
    """The direction text in ``locale`` is written in (``he``, ``ar-EG``... are ``rtl``).

    >>> text_direction("ar-EG"), text_direction("ru")
    ('rtl', 'ltr')
    """
    language = locale.replace("_", "-").split("-", 1)[0].lower()
    return "rtl" if language in _RTL_LANGUAGES else "ltr"
