"""Text analysis for article search: the same words in, the same terms out, in Russian and English.

A text becomes terms by folding case and "ё" to "е", splitting it into words, dropping stop
words and one-letter words, and stemming each word with the Snowball stemmer of its script
(Cyrillic words with the Russian one, Latin words with the English one), so a Russian query
that names "Kaspersky VPN" is analysed as a reader would expect. This module keeps a
bounded cache of the stems of catalog words, and never keeps a word of a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["STOP_WORDS", "analyse", "fold", "terms_with_words"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")


def fold(text: str) -> str:
    """``text`` in lower case with "ё" written as "е"."""
    return text.lower().replace("ё", "е")


_STOP_WORDS_TEXT = """
    a about after again all am an and any are as at be because been before being but by can
    could did do does doing don down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours out over own same she should so some
    such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself get got keep keeps please hi hello thanks thank also still even ve
    ll re t s d m
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

STOP_WORDS: frozenset[str] = frozenset(fold(word) for word in _STOP_WORDS_TEXT.split())
"""Words too common to tell articles apart (folded: lower case, "ё" as "е")."""

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


def _stem(word: str, *, keep: bool = True) -> str:
    stem = _stems.get(word)
    if stem is None:
        language = "ru" if _CYRILLIC.search(word) else "en"
        stem = _stemmer(language).stemWord(word)
        if keep and len(_stems) < _CACHE_LIMIT:
            _stems[word] = stem
    return stem


def terms_with_words(text: str) -> Iterator[tuple[str, str]]:
    """Each term of ``text`` with the folded word it came from, in text order.

    This is the analysis of what a user typed: it reads the stem cache but never adds to
    it, so no word of a query outlives the query.
    """
    for word in _WORD.findall(fold(text)):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        yield _stem(word, keep=False), word


def analyse(text: str) -> list[str]:
    """The terms of ``text`` in text order, repeats kept (they count as term frequency).

    Meant for catalog text: the stems of its words are cached for the next article.
    """
    stems = _stems
    return [
        stems.get(word) or _stem(word)
        for word in _WORD.findall(fold(text))
        if len(word) > 1 and word not in STOP_WORDS
    ]
