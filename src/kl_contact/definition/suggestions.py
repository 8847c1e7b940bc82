"""Small words that make a finding easier to act on: "did you mean", "a" or "an".

Lint messages are read by the author of a definition, who fixes a misspelt id faster when
the nearest known one is named. These helpers only compare words; they never read a file
and never decide whether something is wrong.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = ["closest", "did_you_mean", "key_slip_hint", "schema_hint", "with_article"]

_VOWELS = frozenset("aeiou")


def closest(word: object, known: Iterable[object]) -> str | None:
    """The known word nearest to ``word``, when one is near enough to be a slip.

    Anything a YAML document may hold is compared by its text (a key may be null or a number).
    """
    word = str(word)
    candidates = sorted({str(k) for k in known} - {word})
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not found:  # a short word with two neighbours swapped can score low on similarity
        found = [c for c in candidates if _swapped(word, c)][:1]
    if not found:
        lowered = {c.lower(): c for c in candidates}
        found = [lowered[word.lower()]] if word.lower() in lowered else []
    return found[0] if found else None


def _swapped(one: str, other: str) -> bool:
    """Whether ``other`` is ``one`` with two neighbouring letters swapped."""
    if len(one) != len(other):
        return False
    differ = [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and one[differ[0]] == other[differ[1]]
        and one[differ[1]] == other[differ[0]]
    )


def did_you_mean(word: object, known: Iterable[object], otherwise: str | None = None) -> str | None:
    """``did you mean 'x'?`` for the nearest known word, else ``otherwise``.

    >>> did_you_mean("detials", ["details", "articles"])
    "did you mean 'details'?"
    """
    match = closest(word, known)
    if match is None:
        return otherwise
    suggestion = f"did you mean {match!r}?"
    return f"{suggestion} ({otherwise})" if otherwise else suggestion


def with_article(word: str) -> str:
    """``word`` after the indefinite article that fits it: ``an 'en'``, ``a 'ru'``.

    The article follows the first letter after any quote (``an email``, ``a request``).
    """
    first = word.lstrip("'\"`")[:1].lower()
    return f"{'an' if first in _VOWELS else 'a'} {word}"


def key_slip_hint(key: str, allowed: Iterable[str], owner: str | None) -> str | None:
    """A hint for a key that is not allowed where it stands.

    A misspelt key gets the nearest allowed one; any other key is most often one that
    belongs one level up (``required`` indented under a question's ``label``), so the hint
    names ``owner``, what the enclosing object is ("question", "step"), when it is known.
    """
    near = closest(key, allowed)
    if near is not None:
        return f"did you mean {near!r}?"
    if owner is not None:
        return f"if {key!r} belongs to the {owner}, move it one level out"
    return None


class _Violation(Protocol):
    """What :func:`schema_hint` reads of a schema violation."""

    @property
    def path(self) -> tuple[str | int, ...]: ...

    @property
    def keyword(self) -> str: ...

    @property
    def allowed(self) -> tuple[str, ...]: ...


# What the object holding a list entry is called, by the list's key.
_OWNERS = {
    "steps": "step",
    "questions": "question",
    "options": "option",
    "channels": "channel",
    "self_service": "resource",
    "routes": "route",
    "instructions": "instruction",
}


def _owner(path: Sequence[str | int]) -> str | None:
    """What the object that holds ``path``'s last-but-one node is ("question", "step")."""
    for index in range(len(path) - 2, 0, -1):
        if isinstance(path[index], int) and isinstance(path[index - 1], str):
            return _OWNERS.get(str(path[index - 1]))
    return None


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def schema_hint(violation: _Violation, data: Any) -> str | None:
    """A "did you mean" for a schema violation of a definition, when one fits.

    An unknown key gets the nearest known key or, failing that, the thought that it belongs
    one level up; a value outside an ``enum`` gets the nearest allowed value; a text's key
    that is no locale code gets the declared locales.
    """
    path = violation.path
    if violation.keyword == "additionalProperties":
        here = _at(data, path)
        unknown = [k for k in here if k not in violation.allowed] if isinstance(here, dict) else []
        if unknown:
            return key_slip_hint(str(unknown[0]), violation.allowed, _owner((*path, "")))
    if violation.keyword == "enum":
        value = _at(data, path)
        if isinstance(value, str):
            return did_you_mean(value, violation.allowed)
    if violation.keyword == "pattern" and path and isinstance(path[-1], str):
        locales = data.get("locales") if isinstance(data, dict) else None
        parent = _at(data, path[:-1])
        if isinstance(locales, list) and isinstance(parent, dict) and path[-1] in parent:
            declared = ", ".join(str(locale) for locale in locales)
            slip = key_slip_hint(str(path[-1]), [str(x) for x in locales], _owner(path))
            return f"a text's keys are locale codes ({declared}); " + (slip or "remove this key")
    return None
