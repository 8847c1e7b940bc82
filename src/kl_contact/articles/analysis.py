"""Text analysis for article search: the same words in, the same terms out, in Russian and English.

A text is first *normalised* so that what looks the same to a reader is the same to the
index: Unicode compatibility forms are folded (NFKC: fullwidth "ｖｐｎ" is "vpn"), case is
folded, "ё" is written "е", and combining marks are dropped (a stress mark or an accent typed
as a separate character no longer splits a word; "й" keeps its breve). The text is then
split into words, a hyphenated word ("wi-fi", "vpn-сервис") also yielding its joined form;
stop words and one-letter words are dropped, and each word is stemmed with the Snowball
stemmer of its script (Cyrillic words with the Russian one, Latin words with the English
one), so a Russian query that names "Kaspersky VPN" is analysed as a reader would expect.

:func:`transliterations` spells a word in the other script (Latin "aktivaciya" as
"активация", Cyrillic "впн" as "vpn"), for the matcher to try when a word is unknown.

This module keeps a bounded cache of the stems of catalog words and never keeps a word of a
query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from itertools import product
from typing import Any

__all__ = [
    "STOP_WORDS",
    "analyse",
    "fold",
    "is_cyrillic",
    "normalise",
    "stem",
    "stem_cache",
    "terms_with_words",
    "transliterations",
    "words",
]

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_HYPHENS = re.compile(r"[\u2010\u2011\u2012\u2013\u00ad]")
_CYRILLIC = re.compile(r"[а-я]")
_MARKS = re.compile(
    r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_SHORT_I = "\ue000"  # stands for "й" while the marks are stripped, so its breve stays


def normalise(text: str) -> str:
    """``text`` folded for matching: NFKC, case folded, "ё" as "е", no combining marks.

    >>> normalise("ＶＰＮ Ёлка Café")
    'vpn елка cafe'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    text = text.replace("ё", "е").replace("й", _SHORT_I)
    text = _MARKS.sub("", unicodedata.normalize("NFD", text))
    text = _HYPHENS.sub("-", unicodedata.normalize("NFC", text))
    return text.replace(_SHORT_I, "й")


def fold(text: str) -> str:
    """``text`` normalised (kept under its first name for callers)."""
    return normalise(text)


def is_cyrillic(word: str) -> bool:
    """Whether ``word`` has a Cyrillic letter (and is stemmed as Russian)."""
    return _CYRILLIC.search(word) is not None


_STOP_WORDS_TEXT = """
    a about after again all am an and any are as at be because been before being but by can
    could did do does doing don down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours out over own same she should so some
    such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself get got keep keeps please hi hello thanks thank also still even ve
    ll re t s d m doesn didn isn wasn weren aren won wont haven hasn hadn couldn wouldn
    shouldn dont cant
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
    только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже
    или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они
    тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под
    будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем
    чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после
    над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо
    свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это
    моё мои моего моей моих пожалуйста здравствуйте спасибо добрый день всё весь вся
"""

STOP_WORDS: frozenset[str] = frozenset(normalise(word) for word in _STOP_WORDS_TEXT.split())
"""Words too common to tell articles apart (normalised: lower case, "ё" as "е")."""

_STEMMERS: dict[str, Any] = {}


def _stemmer(language: str) -> Any:
    """The Snowball stemmer of a language, made on first use (not at import)."""
    stemmer = _STEMMERS.get(language)
    if stemmer is None:
        import snowballstemmer  # type: ignore[import-untyped]

        name = {"ru": "russian", "en": "english"}[language]
        stemmer = _STEMMERS[language] = snowballstemmer.stemmer(name)
    return stemmer


_CACHE_LIMIT = 200_000
_stems: dict[str, str] = {}


def stem(word: str, *, keep: bool = False) -> str:
    """The stem of one normalised word; ``keep`` adds it to the cache (catalog words only)."""
    found = _stems.get(word)
    if found is None:
        language = "ru" if is_cyrillic(word) else "en"
        found = _stemmer(language).stemWord(word)
        if keep and len(_stems) < _CACHE_LIMIT:
            _stems[word] = found
    return found


def stem_cache() -> Mapping[str, str]:
    """The cached stems of catalog words (read-only: never add a query's word to it)."""
    return _stems


def words(text: str) -> Iterator[str]:
    """The normalised words of ``text`` that carry meaning, in text order.

    A hyphenated word comes out joined ("wi-fi" as "wifi"); its parts follow it, each
    marked by a leading "-" so that callers can tell them apart.
    """
    for token in _WORD.findall(normalise(text)):
        if "-" not in token:
            if len(token) > 1 and token not in STOP_WORDS:
                yield token
            continue
        yield token.replace("-", "")
        for part in token.split("-"):
            if len(part) > 1 and part not in STOP_WORDS:
                yield "-" + part


def terms_with_words(text: str) -> Iterator[tuple[str, str]]:
    """Each term of ``text`` with the normalised word it came from, in text order.

    This is the analysis of what a user typed: it reads the stem cache but never adds to
    it, so no word of a query outlives the query. Parts of hyphenated words are left out
    (the joined word stands for them).
    """
    for word in words(text):
        if not word.startswith("-"):
            yield stem(word), word


def analyse(text: str) -> list[str]:
    """The terms of ``text`` in text order, repeats kept (they count as term frequency).

    Meant for catalog text: a hyphenated word yields its joined form and its parts, and the
    stems of its words are cached for the next article.
    """
    stems = _stems
    return [stems.get(word) or stem(word, keep=True) for word in _plain(words(text))]


def _plain(found: Iterator[str]) -> Iterator[str]:
    for word in found:
        yield word[1:] if word.startswith("-") else word


# ---------------------------------------------------------------- transliteration

_TO_LATIN = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g",), "д": ("d",), "е": ("e",),
    "ж": ("zh",), "з": ("z",), "и": ("i",), "й": ("y", "i"), "к": ("k",), "л": ("l",),
    "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",), "с": ("s",),
    "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("h", "kh"), "ц": ("ts", "c"),
    "ч": ("ch",), "ш": ("sh",), "щ": ("shch", "sch"), "ъ": ("",), "ы": ("y",), "ь": ("",),
    "э": ("e",), "ю": ("yu",), "я": ("ya",),
}  # fmt: skip

_TO_CYRILLIC = {
    "shch": ("щ",), "sch": ("щ",), "zh": ("ж",), "kh": ("х",), "ts": ("ц",), "ch": ("ч",),
    "sh": ("ш",), "ya": ("я",), "ja": ("я",), "yu": ("ю",), "ju": ("ю",), "yo": ("е",),
    "jo": ("е",), "ye": ("е",), "je": ("е",),
    "a": ("а",), "b": ("б",), "v": ("в",), "g": ("г",), "d": ("д",), "e": ("е", "э"),
    "z": ("з",), "i": ("и",), "j": ("й",), "k": ("к",), "l": ("л",), "m": ("м",),
    "n": ("н",), "o": ("о",), "p": ("п",), "r": ("р",), "s": ("с",), "t": ("т",),
    "u": ("у",), "f": ("ф",), "h": ("х",), "c": ("ц", "к"), "y": ("ы", "й"), "w": ("в",),
    "x": ("кс",), "q": ("к",), "'": ("ь",),
}  # fmt: skip

_LONGEST = max(len(key) for key in _TO_CYRILLIC)
_VARIANTS = 8
"""At most this many spellings are tried for one word."""


def transliterations(word: str) -> list[str]:
    """``word`` spelt in the other script, most usual spelling first (at most a few).

    A Cyrillic word comes out in Latin letters, a Latin one in Cyrillic; a word with
    letters of neither script has none.

    >>> transliterations("aktivaciya")[0]
    'активация'
    >>> transliterations("впн")
    ['vpn']
    """
    if is_cyrillic(word):
        pieces = [_TO_LATIN.get(char, (char,)) for char in word]
        # "-ий" ends a Russian name that English spells "-y" ("касперский", "kaspersky")
        if word.endswith("ий"):
            pieces[-2:] = [("y", "iy"), ("",)]
    else:
        pieces = []
        at = 0
        while at < len(word):
            for size in range(min(_LONGEST, len(word) - at), 0, -1):
                options = _TO_CYRILLIC.get(word[at : at + size])
                if options is not None:
                    pieces.append(options)
                    at += size
                    break
            else:
                if word[at].isascii() and word[at].isalpha():
                    pieces.append((word[at],))
                else:
                    return []
                at += 1
    out: list[str] = []
    for spelling in product(*pieces):
        joined = "".join(spelling)
        if joined and joined != word and joined not in out:
            out.append(joined)
            if len(out) == _VARIANTS:
                break
    return out
