"""Typo tolerance: the closest word of an index's vocabulary to a word nobody wrote there.

:class:`Speller` is a symmetric-delete index: every known word is stored under itself and
under each spelling with one letter deleted; a typed word is looked up the same way (and,
for long words, with two letters deleted), and the candidates met are checked with the
optimal-string-alignment distance (insertions, deletions, substitutions and swaps of two
neighbouring letters). The search is bounded: words shorter than 4 letters are never
corrected, at most one edit is allowed up to 7 letters and two beyond, and a look-up costs
in proportion to the length of the word, never to the size of the vocabulary. Pure Python;
no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["Speller", "edit_distance"]

_SHORTEST = 4
"""Words shorter than this are never corrected: too many words are one edit away."""

_LONG = 8
"""Words at least this long may be two edits away from what was meant."""


def edit_distance(one: str, other: str, bound: int = 2) -> int:
    """The optimal-string-alignment distance of two words, or ``bound + 1`` when above it.

    >>> edit_distance("прогамму", "программу")
    1
    >>> edit_distance("teh", "the")
    1
    """
    if abs(len(one) - len(other)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(other) + 1))
    for i in range(1, len(one) + 1):
        current = [i] + [0] * len(other)
        for j in range(1, len(other) + 1):
            cost = 0 if one[i - 1] == other[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and one[i - 1] == other[j - 2] and one[i - 2] == other[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= bound else bound + 1


def _deletes(word: str, count: int) -> set[str]:
    """Every spelling of ``word`` with exactly ``count`` letters deleted (slices, not joins:
    this runs for every word a user types)."""
    found = {word}
    for _ in range(count):
        found = {
            spelling[:at] + spelling[at + 1 :] for spelling in found for at in range(len(spelling))
        }
    return found


class Speller:
    """The known words of one vocabulary, each with how often it occurs.

    >>> speller = Speller({"программу": 3, "активировать": 2})
    >>> speller.correct("прогамму")
    ('программу', 1)
    >>> speller.correct("xyz") is None
    True
    """

    __slots__ = ("_counts", "_deleted")

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._counts = dict(counts)
        deleted: dict[str, str | list[str]] = {}
        for word in self._counts:
            if len(word) < _SHORTEST - 1:
                continue
            for key in {word, *_deletes(word, 1)}:
                held = deleted.get(key)
                if held is None:
                    deleted[key] = word
                elif isinstance(held, str):
                    deleted[key] = [held, word]
                else:
                    held.append(word)
        self._deleted = deleted

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def _met(self, keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for key in keys:
            held = self._deleted.get(key)
            if held is None:
                continue
            if isinstance(held, str):
                out.add(held)
            else:
                out.update(held)
        return out

    def correct(self, word: str) -> tuple[str, int] | None:
        """The known word closest to ``word`` and its distance, or ``None`` if none is near.

        Ties go to the more frequent word, then to the alphabetically first.
        """
        if len(word) < _SHORTEST or word in self._counts:
            return None
        bound = 2 if len(word) >= _LONG else 1
        keys = {word, *_deletes(word, 1)}
        if bound == 2:
            keys |= _deletes(word, 2)
        best: tuple[int, int, str] | None = None
        for candidate in self._met(keys):
            distance = edit_distance(word, candidate, bound)
            if distance > bound:
                continue
            rank = (distance, -self._counts[candidate], candidate)
            if best is None or rank < best:
                best = rank
        return None if best is None else (best[2], best[0])
