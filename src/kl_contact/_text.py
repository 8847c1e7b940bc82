"""Localised texts, named placeholders, and how much of a text a reader can see.

A text in a definition is a mapping of locale to string. Placeholders are ``{name}`` tokens
replaced by a regular expression over a closed set of names: no ``str.format`` ever runs on
anything that came from a user or a backend, so no attribute or index can be reached.

:func:`visible_length` counts what a person reading the text sees: zero-width, control and
other invisible characters are not counted, so forty zero-width spaces are an empty answer,
not a forty-character one. :func:`encodable` says whether a text can be written as UTF-8 at
all (a lone surrogate from a JSON ``\\ud800`` escape cannot). :func:`link_allowed` is the
one allow-list of links a view may carry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "LINK_SCHEMES",
    "PLACEHOLDER",
    "encodable",
    "link_allowed",
    "localize",
    "placeholders_in",
    "substitute",
    "text_direction",
    "visible_length",
]

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format (zero-width, bidi), surrogate, private-use, unassigned, line and
paragraph separators."""

_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
"""Characters that are letters or symbols by category yet print as nothing (Hangul fillers,
the blank Braille pattern, the Mongolian vowel separator)."""


_LINE_BREAKS = dict.fromkeys(map(ord, "\n\r\t"))
"""Control characters common in typed text; every other one takes the slow path."""
_COUNTED_BREAKS = ("\n", "\r", "\t")


def visible_length(text: str) -> int:
    """How many characters of ``text`` a reader sees, without the blanks at either end.

    >>> visible_length("\\u200b" * 40), visible_length(" Zed\\u200d "), visible_length("a b")
    (0, 3, 3)
    """
    if text.isprintable() and _BLANK_LETTERS.isdisjoint(text):
        return len(text.strip())  # the usual one-line answer: no control character at all
    if _BLANK_LETTERS.isdisjoint(text) and text.translate(_LINE_BREAKS).isprintable():
        # the usual answer: nothing invisible but line breaks and tabs, which strip() and
        # the count below treat alike (one C-level pass instead of one lookup a character)
        seen = text.strip()
        return len(seen) - sum(map(seen.count, _COUNTED_BREAKS))
    kept = "".join(
        ch
        for ch in text
        if ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )
    return len(kept.strip())


def encodable(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate).

    >>> encodable("Zed"), encodable("Zed\\ud800")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""The only schemes a link in a definition or a view may have: none of them runs code."""


def link_allowed(url: str, schemes: frozenset[str] = LINK_SCHEMES) -> bool:
    """Whether ``url`` is a plain link of one of ``schemes``: http(s) with a host and no
    user name or password, or ``mailto:`` / ``tel:`` with something after the colon.

    Whitespace, control characters, quotes and angle brackets anywhere refuse it, so a
    ``java\\tscript:`` or a link that breaks out of an attribute never passes.

    >>> [link_allowed(u) for u in ("https://a.example/x", "javascript:alert(1)", "data:,x")]
    [True, False, False]
    >>> link_allowed("mailto:help@example.com"), link_allowed("https://user@a.example/")
    (True, False)
    """
    if not url or any(ch.isspace() or ord(ch) < 32 or ch in '<>"\\`' for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in schemes or not encodable(url):
        return False
    if scheme in {"http", "https"}:
        return bool(parts.netloc) and not parts.username and not parts.password
    return bool(parts.path)


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
