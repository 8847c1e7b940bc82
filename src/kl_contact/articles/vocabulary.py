"""A catalog's vocabulary: synonyms and brand aliases, applied to articles and queries alike.

A vocabulary file (``vocabulary.schema.json``) declares, per locale, groups of words or
phrases that mean the same to a home user ("аккаунт", "учетная запись", "учётка"), and
brand aliases: how people write a product ("касперский", "kasper") and how the catalog
writes it ("kaspersky"). It is configuration: a broken one raises
:class:`~kl_contact.errors.DefinitionError` with the file, line and column.

:class:`Phrases` is the compiled form the matcher uses: phrases become sequences of stems
(so "учетной записи" meets "учетная запись"), an alias is replaced by the terms of its
canonical spelling, and every member of a synonym group by one shared term. The same
replacement runs over catalog text and over queries, so both sides meet. No I/O here
beyond the loader's reading of the files it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import attrs

from kl_contact.articles.analysis import terms_with_words
from kl_contact.definition.document import load_yaml

__all__ = [
    "Alias",
    "Phrases",
    "Replacement",
    "Vocabulary",
    "load_vocabulary",
    "parse_vocabulary",
]

T = TypeVar("T")
Replaced = tuple[str, tuple[T, ...], tuple[str, ...]]
"""A term, the origins of the stems it stands for, and the replacements that made it."""

_Item = tuple[str, str, tuple[T, ...], tuple[str, ...]]

_PREFIX = 5
"""How many first letters of each word identify it inside a phrase."""

_LONGEST_PHRASE = 6
"""Phrases of more words than this are refused by the loader."""


@attrs.frozen
class Alias:
    """One brand or product: how the catalog writes it, and how people write it."""

    canonical: str
    variants: tuple[str, ...]


@attrs.frozen
class Vocabulary:
    """Synonym groups per locale and brand aliases (for every locale)."""

    synonyms: Mapping[str, tuple[tuple[str, ...], ...]] = attrs.field(factory=dict)
    aliases: tuple[Alias, ...] = ()


def parse_vocabulary(text: str | bytes, source: str = "<string>") -> Vocabulary:
    """The vocabulary of one YAML or JSON document, checked against its schema."""
    from kl_contact.schemas import violations

    doc = load_yaml(text, source)
    for violation in violations("vocabulary", doc.data):
        raise doc.error(violation.message, code=f"schema.{violation.keyword}", path=violation.path)
    synonyms = {
        locale: tuple(tuple(group) for group in groups)
        for locale, groups in (doc.data.get("synonyms") or {}).items()
    }
    aliases = tuple(
        Alias(canonical=raw["canonical"], variants=tuple(raw["variants"]))
        for raw in doc.data.get("aliases") or ()
    )
    for locale, groups in synonyms.items():
        for number, group in enumerate(groups):
            for position, phrase in enumerate(group):
                if not _stems(phrase) or len(_stems(phrase)) > _LONGEST_PHRASE:
                    raise doc.error(
                        f"a synonym must have 1 to {_LONGEST_PHRASE} words that are not stop words",
                        code="synonym.empty",
                        path=("synonyms", locale, number, position),
                    )
    for number, alias in enumerate(aliases):
        for position, phrase in enumerate((alias.canonical, *alias.variants)):
            if not _stems(phrase) or len(_stems(phrase)) > _LONGEST_PHRASE:
                where = ("canonical",) if position == 0 else ("variants", position - 1)
                raise doc.error(
                    f"an alias must have 1 to {_LONGEST_PHRASE} words that are not stop words",
                    code="alias.empty",
                    path=("aliases", number, *where),
                )
    return Vocabulary(synonyms=synonyms, aliases=aliases)


def load_vocabulary(path: str | Path) -> Vocabulary:
    """The vocabulary of one file."""
    return parse_vocabulary(Path(path).read_bytes(), source=str(path))


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(term for term, _ in terms_with_words(phrase))


def _phrase_key(phrase: str) -> tuple[str, ...]:
    pairs = list(terms_with_words(phrase))
    return _key([w for _, w in pairs], [t for t, _ in pairs])


@attrs.frozen
class Replacement:
    """What a phrase of a text became: ``kind`` is ``"alias"`` or ``"synonym"``."""

    kind: str
    stems: tuple[str, ...]
    terms: tuple[str, ...]


def _key(words: Sequence[str], stems: Sequence[str]) -> tuple[str, ...]:
    """How a span is looked up: one word by its stem, a phrase by its words' first letters.

    The stemmer does not always cut the forms of one word alike ("запись" -> "зап",
    "записи" -> "запис"); inside a phrase the first letters are specific enough.
    """
    if len(stems) == 1:
        return (stems[0],)
    return tuple(word[:_PREFIX] for word in words)


class Phrases:
    """The vocabulary of one locale compiled to stem sequences and their replacements."""

    __slots__ = ("_heads", "_longest", "_table", "stems", "words")

    def __init__(self, vocabulary: Vocabulary, locale: str) -> None:
        table: dict[tuple[str, ...], Replacement] = {}
        for alias in vocabulary.aliases:
            canonical = _stems(alias.canonical)
            for variant in alias.variants:
                key = _phrase_key(variant)
                if _stems(variant) != canonical:
                    table.setdefault(key, Replacement("alias", key, canonical))
        # synonyms apply after aliases: their members are read as the catalog writes them
        for group in vocabulary.synonyms.get(locale, ()):
            keys = [self._rewrite(_phrase_key(phrase), table) for phrase in group]
            concept = "=" + "_".join(keys[0])
            for key in keys:
                table.setdefault(key, Replacement("synonym", key, (concept,)))
        self._table = table
        self._longest = max((len(key) for key in table), default=0)
        # what a span must start with to be worth looking up: a stem or a word's prefix
        self._heads = frozenset(key[0] for key in table)
        self.stems: frozenset[str] = frozenset(
            term
            for phrase in (
                *(v for alias in vocabulary.aliases for v in alias.variants),
                *(p for group in vocabulary.synonyms.get(locale, ()) for p in group),
            )
            for term in _stems(phrase)
        )
        """The stems of the phrases' words: words a query may use that no article has."""
        self.words: frozenset[str] = frozenset(
            word
            for phrase in (
                *(v for alias in vocabulary.aliases for v in alias.variants),
                *(p for group in vocabulary.synonyms.get(locale, ()) for p in group),
            )
            for _, word in terms_with_words(phrase)
        )
        """Every word of the vocabulary's phrases, for typo correction."""

    @staticmethod
    def _rewrite(
        key: tuple[str, ...], table: Mapping[tuple[str, ...], Replacement]
    ) -> tuple[str, ...]:
        found = table.get(key)
        return found.terms if found is not None and found.kind == "alias" else key

    def __len__(self) -> int:
        return len(self._table)

    def apply(self, items: Sequence[tuple[str, str, T]]) -> list[Replaced[T]]:
        """What a sequence of ``(stem, word, origin)`` becomes, longest phrase first.

        Each output term carries the origins of the stems it replaces and the kinds of
        replacement made (``"alias"``, ``"synonym"``). Aliases are applied first, then
        synonyms over what they gave, so a synonym may name a brand the way the catalog
        writes it.
        """
        current: list[_Item[T]] = [(term, word, (origin,), ()) for term, word, origin in items]
        for kind in ("alias", "synonym"):
            current = self._pass(current, kind)
        return [(term, origins, kinds) for term, _, origins, kinds in current]

    def _pass(self, items: list[_Item[T]], kind: str) -> list[_Item[T]]:
        out: list[_Item[T]] = []
        heads = self._heads
        at = 0
        while at < len(items):
            first = items[at]
            if first[0] not in heads and first[1][:_PREFIX] not in heads:
                out.append(first)
                at += 1
                continue
            for size in range(min(self._longest, len(items) - at), 0, -1):
                span = items[at : at + size]
                key = _key([w for _, w, _, _ in span], [t for t, _, _, _ in span])
                found = self._table.get(key)
                if found is not None and found.kind == kind:
                    origins = tuple(origin for _, _, group, _ in span for origin in group)
                    kinds = (*dict.fromkeys(k for _, _, _, ks in span for k in ks), kind)
                    out.extend((term, term, origins, kinds) for term in found.terms)
                    at += size
                    break
            else:
                out.append(items[at])
                at += 1
        return out

    def terms(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """The terms ``(stem, word)`` pairs become: catalog text after the vocabulary."""
        if not self._table:
            return [term for term, _ in pairs]
        return [term for term, _, _ in self.apply([(t, w, 0) for t, w in pairs])]
