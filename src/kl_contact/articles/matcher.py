"""The built-in article matcher: BM25 over a catalog, forgiving how people type, shaped by answers.

Articles are indexed once, one index per locale, with field weights (a word in the title
counts more than one in the keywords, the summary or the body), after the catalog's
vocabulary has replaced aliases and synonyms (:mod:`kl_contact.articles.vocabulary`).

A query is read the same way, and each word no article has is given a second chance, in
this order: split in two known words (run-together words), spelt in the other script
(transliteration), corrected to the closest known word (:mod:`kl_contact.articles.spelling`).
Repeated words saturate instead of adding up. The answers (product, category, platform)
either raise the articles that fit them or keep only those (:class:`FilterRule`); an answer
the catalog does not know is reported, never silently applied. A query without a platform
answer is read as being about the catalog's most common platform, more softly. The score
of a match is a relevance from 0 to 1 — the BM25 score over the best the query's words
could get, times the share of the query's words that were found — which a definition's
``min_score`` compares.

:meth:`Bm25Matcher.explain` says where a score came from. The matcher never reads files and
keeps no query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from kl_contact.articles.analysis import (
    STOP_WORDS,
    is_cyrillic,
    stem,
    stem_cache,
    transliterations,
    words,
)
from kl_contact.articles.index import ImpactIndex
from kl_contact.articles.model import (
    FILTER_NAMES,
    AppliedFilter,
    Article,
    ArticleMatch,
    ArticleQuery,
    ArticleSearch,
    Explanation,
    FieldContribution,
    FilterRule,
    TermContribution,
)
from kl_contact.articles.spelling import Speller
from kl_contact.articles.vocabulary import Phrases, Vocabulary
from kl_contact.errors import ValidationIssue

if TYPE_CHECKING:  # the definition imports channels, which must not need the matcher
    from kl_contact.definition.model import Workflow

__all__ = [
    "ASSUMED_PLATFORM_FACTOR",
    "DEFAULT_FILTERS",
    "FIELD_WEIGHTS",
    "MOST_COMMON",
    "Bm25Matcher",
]

FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "keywords": 3.0, "summary": 1.5, "body": 1.0}
"""How much one occurrence of a term counts in each field of an article."""

_K1 = 1.6
"""BM25's term-frequency saturation: a little above the textbook 1.2, so that a term in the
title and the keywords counts more than one mention in the body."""

_B = 0.3
"""BM25's length normalisation: weak, as a longer support article is rarely less relevant."""

DEFAULT_FILTERS: Mapping[str, FilterRule] = {
    "product": FilterRule("boost", 1.6),
    "category": FilterRule("boost", 1.3),
    "platform": FilterRule("boost", 1.5),
}
"""What each answer does unless told otherwise: all three raise the articles that fit."""

MOST_COMMON = "most-common"
"""``Bm25Matcher(assumed_platform=MOST_COMMON)``: assume each locale's most common platform."""

ASSUMED_PLATFORM_FACTOR = 1.2
"""The factor of the articles for the assumed platform (or for every platform) when a query
names none: softer than an answer's, so words that name another platform still win."""

_WEIGHTS = {"exact": 1.0, "split": 0.9, "translit": 0.9, "typo": 0.8, "translit+typo": 0.7}
"""How much a query word counts, by how it was recognised."""

_COVERAGE = 2.0
"""The relevance is multiplied by (words found / words) to this power."""

_SHARE = 0.5
"""The relevance is also multiplied by (the found words an article has / words found) to
this power: an article that has one word of three the catalog knows is a weak match."""

_FOUND = {"exact": 1.0, "split": 0.75, "translit": 1.0, "typo": 0.85, "translit+typo": 0.7}
"""How much of a word a second chance finds, for the coverage: a guess is not a word read."""

_BOOST_CACHE = 32
"""How many combinations of answers keep their per-article factors between searches."""

_LOWEST_DEMOTION = 0.5
"""Feedback never divides an article's score by more than two."""


def _fields(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "keywords": " | ".join(article.keywords),
        "summary": article.summary,
        "body": article.body,
    }


def _analyse(text: str, phrases: Phrases) -> tuple[list[str], list[str]]:
    """The terms of a catalog text after the vocabulary, and its plain words."""
    pairs: list[tuple[str, str]] = []
    parts: list[str] = []
    plain = list(words(text))
    cached = stem_cache()
    for at, word in enumerate(plain):
        if word[0] == "-":
            word = plain[at] = word[1:]
            parts.append(cached.get(word) or stem(word, keep=True))
        else:
            pairs.append((cached.get(word) or stem(word, keep=True), word))
    return phrases.terms(pairs) + parts, plain


class _LocaleIndex:
    __slots__ = (
        "_boosts",
        "_speller",
        "_words",
        "articles",
        "by_value",
        "common_platform",
        "cyrillic",
        "index",
        "known",
        "phrases",
    )

    def __init__(
        self, articles: list[Article], weights: Mapping[str, float], phrases: Phrases
    ) -> None:
        self.articles = articles
        self.phrases = phrases
        documents: list[dict[str, float]] = []
        seen: dict[str, int] = {}
        stems: set[str] = set()
        for article in articles:
            counts: dict[str, float] = {}
            for field, text in _fields(article).items():
                weight = weights.get(field, 0.0)
                if weight <= 0:
                    continue
                terms, plain = _analyse(text, phrases)
                for term in terms:
                    counts[term] = counts.get(term, 0.0) + weight
                for word in plain:
                    seen[word] = seen.get(word, 0) + 1
            documents.append(counts)
        for word in seen:
            stems.add(stem(word))
        self.index = ImpactIndex(documents, k1=_K1, b=_B)
        self.cyrillic = sum(map(is_cyrillic, seen)) * 2 > len(seen)
        """Whether most of the catalog's words are Cyrillic (Russian articles)."""
        self.known = frozenset(stems | phrases.stems)
        """Stems a query may use: every stem of the catalog text, and the vocabulary's."""
        self._words = seen
        self._speller: Speller | None = None
        self.by_value: dict[str, dict[str, list[int]]] = {name: {} for name in FILTER_NAMES}
        for number, article in enumerate(articles):
            for name, listed in zip(
                FILTER_NAMES, (article.products, article.categories, article.platforms), strict=True
            ):
                for value in listed:
                    self.by_value[name].setdefault(value, []).append(number)
        platforms = self.by_value["platform"]
        self.common_platform: str | None = min(
            platforms, key=lambda value: (-len(platforms[value]), value), default=None
        )
        """The platform most articles of the locale are for (ties: the first by name)."""
        self._boosts: OrderedDict[tuple[object, ...], list[float]] = OrderedDict()

    @property
    def speller(self) -> Speller:
        """The typo index of the catalog's words and the vocabulary's, built on first need."""
        if self._speller is None:
            counts = dict(self._words)
            for key in self.phrases.words:
                counts.setdefault(key, 1)
            self._speller = Speller(counts)
        return self._speller

    def boosts(self, key: tuple[object, ...], build: Callable[[], list[float]]) -> list[float]:
        found = self._boosts.get(key)
        if found is None:
            found = self._boosts[key] = build()
            if len(self._boosts) > _BOOST_CACHE:
                self._boosts.popitem(last=False)
        else:
            self._boosts.move_to_end(key)
        return found


class _Term:
    """One term of a query: its weight and where it came from."""

    __slots__ = ("count", "how", "weight", "words")

    def __init__(self) -> None:
        self.weight = 0.0
        self.count = 0
        self.how: list[str] = []
        self.words: list[int] = []


class _Reading:
    """A query as the index reads it: weighted terms, and how many words were not found."""

    __slots__ = ("found", "found_at", "terms", "total", "unknown")

    def __init__(self) -> None:
        self.terms: dict[str, _Term] = {}
        self.total = 0
        self.unknown = 0
        self.found = 0.0
        self.found_at: dict[int, float] = {}

    def share(self, held: Iterable[str]) -> float:
        """The share of the found words that the terms ``held`` (an article's) stand for."""
        if not self.found:
            return 0.0
        numbers = {number for term in held for number in self.terms[term].words}
        return sum(self.found_at[number] for number in numbers) / self.found

    def weights(self) -> dict[str, float]:
        # a term met c times counts 2c / (c + 1) times its best weight: 1, 1.33, 1.5 ... < 2
        return {
            term: info.weight * 2.0 * info.count / (info.count + 1)
            for term, info in self.terms.items()
        }


def _held(group: _LocaleIndex, reading: _Reading, doc: int) -> list[str]:
    """The query's terms that article ``doc`` has."""
    return [term for term in reading.terms if group.index.has(term, doc)]


def _with_share(relevance: float, reading: _Reading, held: Iterable[str]) -> float:
    """The relevance weighed by the share of the found words the article has (at most 1)."""
    return min(1.0, relevance * float(reading.share(held) ** _SHARE))


class Bm25Matcher:
    """The default :class:`~kl_contact.articles.model.ArticleMatcher`: BM25 that forgives.

    ``vocabulary`` declares the catalog's synonyms and brand aliases; ``filters`` says, per
    answer, whether it raises the fitting articles or keeps only those; ``min_score`` (0-1,
    take it from the definition with :meth:`for_workflow`) drops weak matches, and
    ``category_min_score`` sets it per chosen category. ``demotions`` (article id -> factor,
    as :func:`kl_contact.analytics.demotions` computes them from users' "not helpful"
    feedback) lowers articles users keep rejecting, and ``category_demotions`` does so for
    the queries of one category (similar questions); a factor is kept between 0.5 and 1.
    ``assumed_platform`` is the platform a query without a platform answer is taken to be
    about (:data:`MOST_COMMON`, the default: each locale's most common one; ``None``: none):
    its articles, and those for every platform, get :data:`ASSUMED_PLATFORM_FACTOR`, which
    orders matches but leaves their relevance alone.

    >>> from kl_contact.articles.catalog import sample_catalog, sample_vocabulary
    >>> matcher = Bm25Matcher(sample_catalog(), vocabulary=sample_vocabulary())
    >>> query = ArticleQuery(locale="en", text="activation code is not accepted", product="plus")
    >>> matcher.search(query, 1)[0].id
    'activation-code-invalid-en'
    """

    def __init__(
        self,
        articles: Iterable[Article],
        *,
        vocabulary: Vocabulary | None = None,
        min_score: float = 0.0,
        category_min_score: Mapping[str, float] | None = None,
        filters: Mapping[str, FilterRule] | None = None,
        demotions: Mapping[str, float] | None = None,
        category_demotions: Mapping[str, Mapping[str, float]] | None = None,
        field_weights: Mapping[str, float] = FIELD_WEIGHTS,
        assumed_platform: str | None = MOST_COMMON,
    ) -> None:
        rules = dict(DEFAULT_FILTERS)
        rules.update(filters or {})
        unknown = set(rules) - set(FILTER_NAMES)
        if unknown:
            raise ValueError(f"unknown filters: {sorted(unknown)}")
        self.filters: Mapping[str, FilterRule] = rules
        self.min_score = min_score
        self.category_min_score: Mapping[str, float] = dict(category_min_score or {})
        self.demotions: Mapping[str, float] = {
            article: min(1.0, max(_LOWEST_DEMOTION, factor))
            for article, factor in (demotions or {}).items()
        }
        self.category_demotions: Mapping[str, Mapping[str, float]] = {
            category: {a: min(1.0, max(_LOWEST_DEMOTION, f)) for a, f in factors.items()}
            for category, factors in (category_demotions or {}).items()
        }
        self.assumed_platform = assumed_platform
        self.vocabulary = vocabulary or Vocabulary()
        by_locale: dict[str, list[Article]] = {}
        for article in sorted(articles, key=lambda a: a.id):
            by_locale.setdefault(article.locale, []).append(article)
        self._locales = {
            locale: _LocaleIndex(group, field_weights, Phrases(self.vocabulary, locale))
            for locale, group in by_locale.items()
        }
        self._field_weights = dict(field_weights)

    @classmethod
    def for_workflow(
        cls, articles: Iterable[Article], workflow: Workflow, **options: object
    ) -> Bm25Matcher:
        """A matcher with the ``min_score`` of the definition's ``articles:`` settings."""
        return cls(articles, min_score=workflow.articles.min_score, **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ search

    def search(self, query: ArticleQuery, limit: int) -> Sequence[ArticleMatch]:
        """Up to ``limit`` matches for ``query``, best first (unknown answers not applied)."""
        return list(self.find(query, limit).matches)

    def find(self, query: ArticleQuery, limit: int, *, prune: bool = True) -> ArticleSearch:
        """The matches for ``query`` and the issues with its answers.

        ``prune=False`` scores every article instead of skipping those that cannot make the
        top ``limit``; the result is the same, only slower (benchmarks compare the two).
        """
        group = self._locales.get(query.locale)
        issues = self._issues(query, group)
        if group is None or limit <= 0:
            return ArticleSearch(issues=issues)
        reading = self._read(query.text, group)
        weights = reading.weights()
        if not weights:
            return ArticleSearch(issues=issues)
        chosen = self._chosen(query, issues)
        boost, max_boost = self._boost(group, chosen, self._assumed(group, chosen))
        ideal = sum(w * group.index.best_impact(t) for t, w in weights.items())
        coverage = self._coverage(reading)
        if ideal <= 0 or coverage <= 0:
            return ArticleSearch(issues=issues)
        threshold = self._threshold(query)
        # the relevance compares the score before the answers' factors; a factor below 1
        # (feedback) can lower a score that still clears the threshold
        lowest = _LOWEST_DEMOTION if boost is not None else 1.0
        floor = threshold * ideal / coverage * lowest
        if prune:
            found = group.index.top(weights, limit, floor=floor, boost=boost, max_boost=max_boost)
        else:
            found = self._exhaustive(group.index, weights, limit, floor, boost)
        matches = []
        for doc, score in found:
            factor = boost[doc] if boost is not None else 1.0
            relevance = score / factor / ideal * coverage
            if relevance < threshold:
                continue
            held = _held(group, reading, doc)
            relevance = _with_share(relevance, reading, held)
            if relevance >= threshold:
                matches.append(self._match(group, doc, relevance, held, query))
        matches_tuple = tuple(matches)
        return ArticleSearch(matches=matches_tuple, issues=issues)

    @staticmethod
    def _exhaustive(
        index: ImpactIndex,
        weights: Mapping[str, float],
        limit: int,
        floor: float,
        boost: Sequence[float] | None,
    ) -> list[tuple[int, float]]:
        scored = [
            (score * (boost[doc] if boost is not None else 1.0), doc)
            for doc, score in index.scores(weights).items()
        ]
        ranked = sorted((-s, d) for s, d in scored if s > 0 and s >= floor * (1.0 - 1e-9))
        return [(doc, -negative) for negative, doc in ranked[:limit]]

    def _threshold(self, query: ArticleQuery) -> float:
        if query.category and query.category in self.category_min_score:
            return self.category_min_score[query.category]
        return self.min_score

    @staticmethod
    def _coverage(reading: _Reading) -> float:
        if not reading.total:
            return 0.0
        return float((reading.found / reading.total) ** _COVERAGE)

    # ------------------------------------------------------------------ the query's words

    def _read(self, text: str, group: _LocaleIndex) -> _Reading:
        """The query's terms: each word as typed when known, else its best second chance."""
        reading = _Reading()
        items: list[tuple[str, str, tuple[int, str]]] = []
        for word in words(text):
            if word.startswith("-"):
                continue  # the joined word stands for its parts
            if group.cyrillic and any(w in STOP_WORDS for w in transliterations(word)[:1]):
                continue  # a stop word typed in the other script ("kak", "ne")
            number = reading.total
            reading.total += 1
            items.extend(
                (term, spelt, (number, how)) for term, spelt, how in self._recognise(word, group)
            )
        found: dict[int, float] = {}
        for term, origins, kinds in group.phrases.apply(items):
            if term not in group.index:
                continue
            info = reading.terms.setdefault(term, _Term())
            info.count += 1
            weight = min(_WEIGHTS[how] for _, how in origins)
            info.weight = max(info.weight, weight)
            for number, how in origins:
                found[number] = max(found.get(number, 0.0), _FOUND[how])
                if number not in info.words:
                    info.words.append(number)
                for name in (*how.split("+"), *kinds):
                    if name not in info.how and name != "exact":
                        info.how.append(name)
        reading.unknown = reading.total - len(found)
        reading.found = sum(found.values())
        reading.found_at = found
        return reading

    def _recognise(self, word: str, group: _LocaleIndex) -> list[tuple[str, str, str]]:
        """``word`` as ``(stem, word, how)``: the known stems it stands for, and how."""
        known = group.known
        own = stem(word)
        if own in known:
            return [(own, word, "exact")]
        # a hyphenated word the catalog writes apart, or two words typed as one
        if "-" not in word and len(word) >= 6:
            for at in range(3, len(word) - 2):
                head, tail = stem(word[:at]), stem(word[at:])
                if head in known and tail in known:
                    return [(head, word[:at], "split"), (tail, word[at:], "split")]
        # Latin spelling of Russian only where articles are Russian; Cyrillic brand names
        # spelt in Latin letters everywhere
        spellings = [
            w
            for w in transliterations(word)
            if w not in STOP_WORDS and (group.cyrillic or not is_cyrillic(w))
        ]
        for spelling in spellings:
            if stem(spelling) in known:
                return [(stem(spelling), spelling, "translit")]
        corrected = group.speller.correct(word)
        if corrected is not None:
            return [(stem(corrected[0]), corrected[0], "typo")]
        # a transliteration with a typo: the closest of the spellings' corrections
        best: tuple[int, str] | None = None
        for spelling in spellings:
            found = group.speller.correct(spelling)
            if found is not None and (best is None or found[1] < best[0]):
                best = (found[1], found[0])
        if best is not None:
            return [(stem(best[1]), best[1], "translit+typo")]
        return []

    # ------------------------------------------------------------------ answers

    def _issues(
        self, query: ArticleQuery, group: _LocaleIndex | None
    ) -> tuple[ValidationIssue, ...]:
        out = []
        for name in FILTER_NAMES:
            value = getattr(query, name)
            if not value:
                continue
            if group is None or value not in group.by_value[name]:
                known = sorted(group.by_value[name]) if group is not None else []
                out.append(
                    ValidationIssue(
                        code="articles.unknown_filter",
                        path=("query", name),
                        message=f"No article of this catalog is for this {name}.",
                        params={"filter": name, "known": ", ".join(known)},
                    )
                )
        return tuple(out)

    @staticmethod
    def _chosen(
        query: ArticleQuery, issues: Sequence[ValidationIssue]
    ) -> tuple[tuple[str, str], ...]:
        refused = {issue.path[-1] for issue in issues}
        return tuple(
            (name, value)
            for name in FILTER_NAMES
            if (value := getattr(query, name)) and name not in refused
        )

    def _assumed(self, group: _LocaleIndex, chosen: tuple[tuple[str, str], ...]) -> str | None:
        """The platform a query is taken to be about when it names none (or ``None``)."""
        if self.assumed_platform is None or any(name == "platform" for name, _ in chosen):
            return None
        if self.assumed_platform == MOST_COMMON:
            return group.common_platform
        return (
            self.assumed_platform if self.assumed_platform in group.by_value["platform"] else None
        )

    def _boost(
        self, group: _LocaleIndex, chosen: tuple[tuple[str, str], ...], assumed: str | None
    ) -> tuple[list[float] | None, float]:
        """Each article's factor for the chosen answers (``None`` when all are 1)."""
        category = dict(chosen).get("category")
        by_category = self.category_demotions.get(category, {}) if category else {}
        if not chosen and not self.demotions and assumed is None:
            return None, 1.0
        rules = [(name, value, self.filters[name]) for name, value in chosen]
        if assumed is not None:
            rules.append(("platform", assumed, FilterRule("boost", ASSUMED_PLATFORM_FACTOR)))
        max_boost = 1.0
        for _, _, rule in rules:
            if rule.mode == "boost":
                max_boost *= rule.factor

        def build() -> list[float]:
            size = len(group.articles)
            factors = [1.0] * size
            for name, value, rule in rules:
                fits = [False] * size
                for doc in group.by_value[name].get(value, ()):
                    fits[doc] = True
                for doc, article in enumerate(group.articles):
                    if not _listed(article, name):
                        fits[doc] = True
                for doc in range(size):
                    if fits[doc]:
                        if rule.mode == "boost":
                            factors[doc] *= rule.factor
                    elif rule.mode == "only":
                        factors[doc] = 0.0
            for doc, article in enumerate(group.articles):
                factors[doc] *= self._demotion(article.id, by_category)
            return factors

        return group.boosts((chosen, assumed), build), max_boost

    def _demotion(self, article_id: str, by_category: Mapping[str, float]) -> float:
        """The feedback factor of an article: its category's if known, else its overall one."""
        return by_category.get(article_id, self.demotions.get(article_id, 1.0))

    # ------------------------------------------------------------------ results

    def _match(
        self,
        group: _LocaleIndex,
        doc: int,
        relevance: float,
        held: Sequence[str],
        query: ArticleQuery,
    ) -> ArticleMatch:
        """The match of article ``doc``; ``held`` are the query's terms it has."""
        article = group.articles[doc]
        reasons = [f"term:{term}" for term in held]
        for name, value in self._chosen(query, self._issues(query, group)):
            listed = _values(article, name)
            if not listed or value in listed:
                reasons.append(name)
            else:
                reasons.append(f"other_{name}")
        return ArticleMatch(
            id=article.id,
            title=article.title,
            url=article.url,
            score=round(relevance, 4),
            summary=article.summary,
            reasons=tuple(reasons),
        )

    def explain(self, query: ArticleQuery, article_id: str) -> Explanation:
        """Why ``article_id`` scores what it does for ``query``: per term and per field.

        A term's score is split across the fields in proportion to the weighted
        occurrences each field holds; the filters say which answers the article fits.
        """
        group = self._locales.get(query.locale)
        if group is None:
            return Explanation(article_id=article_id, relevance=0.0, bm25=0.0)
        numbers = {article.id: n for n, article in enumerate(group.articles)}
        doc = numbers.get(article_id)
        reading = self._read(query.text, group)
        weights = reading.weights()
        threshold = self._threshold(query)
        if doc is None or not weights:
            return Explanation(
                article_id=article_id,
                relevance=0.0,
                bm25=0.0,
                unknown_words=reading.unknown,
                threshold=threshold,
            )
        article = group.articles[doc]
        per_field: dict[str, dict[str, float]] = {}
        for field, text in _fields(article).items():
            weight = self._field_weights.get(field, 0.0)
            if weight > 0:
                counts: dict[str, float] = {}
                for term in _analyse(text, group.phrases)[0]:
                    counts[term] = counts.get(term, 0.0) + weight
                per_field[field] = counts
        terms = []
        bm25 = 0.0
        for term, info in reading.terms.items():
            score = group.index.impact(term, doc) * weights[term]
            bm25 += score
            held = {field: counts.get(term, 0.0) for field, counts in per_field.items()}
            total = sum(held.values())
            fields = tuple(
                FieldContribution(field, score * share / total)
                for field, share in held.items()
                if share > 0 and total > 0
            )
            terms.append(
                TermContribution(
                    term=term,
                    weight=weights[term],
                    score=score,
                    how=tuple(info.how),
                    fields=fields,
                    positions=tuple(info.words),
                )
            )
        issues = self._issues(query, group)
        chosen = self._chosen(query, issues)
        applied = []
        for name, value in chosen:
            rule = self.filters[name]
            listed = _values(article, name)
            fits = not listed or value in listed
            effect = (rule.factor if fits else 1.0) if rule.mode == "boost" else float(fits)
            applied.append(AppliedFilter(name=name, mode=rule.mode, fits=fits, effect=effect))
        ideal = sum(w * group.index.best_impact(t) for t, w in weights.items())
        relevance = 0.0
        if ideal:
            relevance = bm25 / ideal * self._coverage(reading)
            relevance = _with_share(relevance, reading, _held(group, reading, doc))
        return Explanation(
            article_id=article_id,
            relevance=round(relevance, 4),
            bm25=bm25,
            terms=tuple(terms),
            filters=tuple(applied),
            demotion=self._demotion(
                article_id, self.category_demotions.get(query.category or "", {})
            ),
            unknown_words=reading.unknown,
            threshold=threshold,
        )


def _values(article: Article, name: str) -> tuple[str, ...]:
    return {
        "product": article.products,
        "category": article.categories,
        "platform": article.platforms,
    }[name]


def _listed(article: Article, name: str) -> bool:
    return bool(_values(article, name))
