"""A compact inverted index of precomputed BM25 impacts, with a top-k search that prunes safely.

Each term keeps its postings in two flat arrays: the document numbers in ascending order and
the term's BM25 contribution to each of them (its *impact*), quantised once at build time to
a 16-bit integer on one scale shared by every term. There are no dicts per document and no
Python object per posting.

A search is term-at-a-time MaxScore: the query's terms are taken in order of the most they
can add to a score, highest first (rare terms, short lists). Each list is added into a
table of partial scores until the terms left could not, all together, lift an article that
has none of the terms read so far above the bar: the k-th best exact score of the articles
scored so far (the leaders of the strongest lists, then the best of those each list lifts);
from then on the remaining (long, common) lists only complete the scores of the candidates
that can still reach the top k (those a list has found by a set intersection, or each
looked up by bisection when the list is far longer than the candidates), and candidates
that cannot are dropped after each term; one already scored exactly needs none of them.
While the bar asks less than the least impact of the lists read, every document met is a
candidate and none is filtered. The per-posting work is done by C-level iterators (zip,
map, compress, set and dict operations), never by a Python loop. Every score is summed in
the same term order as :meth:`ImpactIndex.scores`, so the result is exactly that of scoring
every document. Pure Python and the standard library only; no I/O.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from operator import add, eq, le, lt, mul

__all__ = ["ImpactIndex"]

_LEVELS = 65_535
"""Impacts are stored as integers in 0..65535 on one scale for the whole index."""

_SLACK = 1e-9
"""Relative slack on every bound, so that rounding never drops a document that can tie."""

_PROBE = 16
"""How many of the documents a list lifted above the bar a search then scores exactly."""

_SCAN = 10
"""A list at most this many times longer than the candidates is intersected with them, not
bisected for each (a set intersection runs in C, a bisection per candidate in Python)."""

_TIERED = 128
"""Lists at least this long are split into impact tiers."""

_TIER_SHARES = (0.15,)
"""Where the tiers of a long list end, as shares of its postings by falling impact.

At 15 %, not a tenth: the postings just below the top tenth (a word twice in the body, a
short article) still weigh half as much again as most, which bounded the lower tier loosely;
cut lower, the lower tier's bound is close to most of its impacts and fewer candidates
survive each list, while the upper tier stays short (a fifth or more counted more
instructions again, on the benchmark's queries)."""

_LEADERS = 4
"""How many of its highest-impact documents each term remembers, to seed a search."""


def _leaders(docs: array[int], impacts: array[int]) -> array[int]:
    """The documents a term weighs most in, at most ``_LEADERS`` of them."""
    best = heapq.nlargest(_LEADERS, range(len(docs)), key=impacts.__getitem__)
    return array("i", [docs[i] for i in best])


class ImpactIndex:
    """BM25 over weighted term frequencies, built once, searched many times.

    ``documents[i]`` maps each term of document ``i`` to its (possibly field-weighted)
    frequency. ``k1`` and ``b`` are BM25's saturation and length normalisation; the inverse
    document frequency is ``ln(1 + (N - n + 0.5) / (n + 0.5))``, never negative.

    >>> index = ImpactIndex.from_tokens([["vpn", "slow"], ["vpn"], ["scan"]])
    >>> [doc for doc, _ in index.top({"vpn": 1.0, "slow": 1.0}, 2)]
    [0, 1]
    """

    __slots__ = (
        "_docs",
        "_group",
        "_impacts",
        "_leaders",
        "_maxima",
        "_minima",
        "_terms",
        "scale",
        "size",
    )

    def __init__(
        self, documents: Sequence[Mapping[str, float]], *, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.size = len(documents)
        lengths = [sum(doc.values()) for doc in documents]
        total = sum(lengths)
        average = total / len(lengths) if lengths and total else 1.0
        ids: dict[str, int] = {}
        docs: list[array[int]] = []
        parts: list[array[float]] = []
        for number, doc in enumerate(documents):
            norm = k1 * (1.0 - b + b * lengths[number] / average)
            for term, freq in doc.items():
                if freq > 0:
                    tid = ids.get(term)
                    if tid is None:
                        tid = ids[term] = len(docs)
                        docs.append(array("i"))
                        parts.append(array("f"))
                    docs[tid].append(number)
                    parts[tid].append(freq * (k1 + 1.0) / (freq + norm))
        idfs = [math.log(1.0 + (self.size - len(d) + 0.5) / (len(d) + 0.5)) for d in docs]
        # the largest impact any posting can have: the rarest term's idf times (k1 + 1)
        top = max(idfs, default=1.0) * (k1 + 1.0)
        self.scale = top / _LEVELS if top > 0 else 1.0
        """What one unit of a stored impact is worth in BM25 score."""
        self._terms: dict[str, tuple[int, ...]] = {}
        self._docs: list[array[int]] = []
        self._impacts: list[array[int]] = []
        self._maxima = array("H")
        self._minima = array("H")
        self._group = array("i")
        for term, tid in ids.items():
            factor = idfs[tid] / self.scale
            # part < k1 + 1 and idf <= the largest idf, so no impact exceeds _LEVELS
            quantised = [int(part * factor + 0.5) or 1 for part in parts[tid]]
            self._terms[term] = tuple(self._add_tiers(docs[tid], quantised, tid))
        self._leaders = [_leaders(d, i) for d, i in zip(self._docs, self._impacts, strict=True)]

    def _add_tiers(self, docs: array[int], impacts: list[int], group: int) -> Iterator[int]:
        """Store one term's postings as lists by impact tier, highest first; their ids.

        A long list is split by impact into a short list of its highest impacts and longer
        ones of lower impacts, each in document order. The most a lower tier can add is
        far below the term's best, so a search can leave it out of the lists it must read.
        """
        cuts = [0]
        if len(docs) >= _TIERED:
            ranked = sorted(impacts, reverse=True)
            cuts = sorted({ranked[int(len(ranked) * share)] for share in _TIER_SHARES})
            cuts = [cut for cut in cuts if cut < ranked[0]] + [0]
            cuts.sort(reverse=True)
        floor = _LEVELS + 1
        for cut in cuts:
            chosen = [i for i, impact in enumerate(impacts) if cut < impact < floor]
            floor = cut + 1
            if not chosen:
                continue
            self._docs.append(array("i", [docs[i] for i in chosen]))
            tier = array("H", [impacts[i] for i in chosen])
            self._impacts.append(tier)
            self._maxima.append(max(tier))
            self._minima.append(min(tier))
            self._group.append(group)
            yield len(self._docs) - 1

    @classmethod
    def from_tokens(cls, documents: Iterable[Sequence[str]], **params: float) -> ImpactIndex:
        """An index of plain token lists, each token counting once."""
        return cls([Counter(tokens) for tokens in documents], **params)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def document_frequency(self, term: str) -> int:
        """How many documents contain ``term``."""
        return sum(len(self._docs[tid]) for tid in self._terms.get(term, ()))

    def best_impact(self, term: str) -> float:
        """The largest score ``term`` adds to any one document (0 for an unknown term)."""
        tiers = self._terms.get(term)
        return self._maxima[tiers[0]] * self.scale if tiers else 0.0

    def impact(self, term: str, doc: int) -> float:
        """The score ``term`` adds to document ``doc`` (0 when the document lacks it)."""
        for tid in self._terms.get(term, ()):
            docs = self._docs[tid]
            at = bisect_left(docs, doc)
            if at < len(docs) and docs[at] == doc:
                return self._impacts[tid][at] * self.scale
        return 0.0

    def has(self, term: str, doc: int) -> bool:
        """Whether document ``doc`` contains ``term``."""
        return self.impact(term, doc) > 0

    def _plan(self, query: Mapping[str, float]) -> list[tuple[int, float]]:
        """The query's known terms as ``(term id, weight)``, most a term can add first.

        Both the pruned and the exhaustive search add terms up in this order, so their
        scores are equal to the last bit.
        """
        terms = self._terms
        maxima = self._maxima
        plan = [
            (tid, weight * self.scale)
            for term, weight in query.items()
            if weight > 0
            for tid in terms.get(term, ())
        ]
        plan.sort(key=lambda item: (-maxima[item[0]] * item[1], item[0]))
        return plan

    def scores(self, query: Mapping[str, float]) -> dict[int, float]:
        """The BM25 score of every document that shares a term with ``query`` (no pruning)."""
        out: dict[int, float] = {}
        for tid, weight in self._plan(query):
            get = out.get
            for doc, impact in zip(self._docs[tid], self._impacts[tid], strict=True):
                out[doc] = get(doc, 0.0) + impact * weight
        return out

    def top(
        self,
        query: Mapping[str, float],
        k: int,
        *,
        floor: float = 0.0,
        boost: Sequence[float] | None = None,
        max_boost: float = 1.0,
    ) -> list[tuple[int, float]]:
        """The best ``k`` documents for ``query`` (term -> weight) as ``(doc, score)``.

        ``boost[doc]`` (0 to ``max_boost``; 0 leaves the document out) multiplies the BM25
        score of each document. Documents scoring below ``floor`` or 0 are left out. They
        rank by score, highest first, then by document number.
        """
        plan = self._plan(query)
        if not plan or k <= 0:
            return []
        lift = (max_boost if boost is not None else 1.0) * (1.0 + _SLACK)
        floor = max(floor, 0.0) * (1.0 - _SLACK)
        maxima = self._maxima
        # rest[i]: the most that the terms from i on can add to one document
        # (a document is in one tier of a term only: a term adds its highest tier left)
        rest = [0.0] * (len(plan) + 1)
        highest: dict[int, float] = {}
        for i in range(len(plan) - 1, -1, -1):
            tid, weight = plan[i]
            bound = maxima[tid] * weight
            group = self._group[tid]
            rest[i] = rest[i + 1] + bound - highest.get(group, 0.0)
            highest[group] = bound
        best: dict[int, float] = {}  # exactly scored documents (boosted)
        # a first threshold: the exact scores of the documents the two strongest lists weigh
        # most in (more seeds cost more bisections than the bar they add saves)
        threshold = self._seed(
            plan, {d for tid, _ in plan[:2] for d in self._leaders[tid]}, best, k, boost, floor
        )
        acc: dict[int, float] = {}
        at = 0
        # phase 1: add whole lists, the most a term can add first, while a document that
        # none of them has could still reach the top k
        while at < len(plan) and rest[at] * lift >= threshold:
            tid, weight = plan[at]
            docs = self._docs[tid]
            adding = zip(docs, map(mul, self._impacts[tid], repeat(weight)), strict=True)
            if not acc:
                acc = dict(adding)
                met: set[int] = set()
            else:
                # only documents already met need their partial scores added, in C; the
                # sum is the partial score plus the impact, in that order, as in scores()
                met = acc.keys() & docs
                before = list(map(acc.__getitem__, met))
                acc.update(adding)
                if met:
                    acc.update(zip(met, map(add, before, map(acc.__getitem__, met)), strict=True))
            at += 1
            if at < len(plan):
                # the documents this list lifted above the bar may raise it: score the best
                # of them exactly (an exact score is never below a partial one); a document
                # new to this list holds its impact alone, above the bar only if the list's
                # best is
                cut = threshold / lift
                if maxima[tid] * weight > cut:
                    hot = list(compress(docs, map(lt, repeat(cut), map(acc.__getitem__, docs))))
                else:
                    hot = list(compress(met, map(lt, repeat(cut), map(acc.__getitem__, met))))
                if len(hot) > _PROBE:
                    hot = heapq.nlargest(_PROBE, hot, key=acc.__getitem__)
                threshold = self._seed(plan, hot, best, k, boost, threshold)
        # phase 2: the lists left only complete the candidates that can still make it; a
        # document already scored exactly needs none of them
        candidates: set[int] | None = None  # None: every document with a partial score
        # every partial score is at least the least impact of a list it holds
        low = min((self._minima[tid] * weight for tid, weight in plan[:at]), default=0.0)
        for step in range(at, len(plan)):
            need = threshold / lift - rest[step]
            if candidates is None:
                if need > low:
                    candidates = set(compress(acc.keys(), map(le, repeat(need), acc.values())))
            else:
                candidates = set(
                    compress(candidates, map(le, repeat(need), map(acc.__getitem__, candidates)))
                )
            if candidates is not None:
                candidates.difference_update(best.keys())
                if not candidates:
                    break
            tid, weight = plan[step]
            self._complete(tid, weight, candidates, acc)
        if at < len(plan):
            if candidates is not None:
                acc = {doc: acc[doc] for doc in candidates}
            else:
                acc = {doc: score for doc, score in acc.items() if doc not in best}
            if boost is not None:
                acc = {doc: score * boost[doc] for doc, score in acc.items()}
            acc.update(best)
        elif boost is not None:
            acc = {doc: score * boost[doc] for doc, score in acc.items()}
        ranked = heapq.nsmallest(
            k, ((-score, doc) for doc, score in acc.items() if score >= floor and score > 0)
        )
        return [(doc, -negative) for negative, doc in ranked]

    def _complete(
        self, tid: int, weight: float, candidates: set[int] | None, acc: dict[int, float]
    ) -> None:
        """Add list ``tid`` into the partial scores of the ``candidates`` it holds.

        ``None`` stands for every document with a partial score.
        """
        docs, impacts = self._docs[tid], self._impacts[tid]
        size = len(docs)
        if candidates is None:
            # the documents the list has, found in C: only they are bisected
            found = list(acc.keys() & docs)
            places: Iterable[int] = map(bisect_left, repeat(docs), found)
        elif size <= _SCAN * len(candidates):
            # the candidates the list has, found in C, are few: only they are bisected
            found = list(candidates.intersection(docs))
            places = map(bisect_left, repeat(docs), found)
        else:
            # bisected within the list's last place, so that each place can be read
            found = list(candidates)
            at = list(map(bisect_left, repeat(docs), found, repeat(0), repeat(size - 1)))
            held = list(map(eq, map(docs.__getitem__, at), found))
            found = list(compress(found, held))
            places = compress(at, held)
        impact = map(mul, map(impacts.__getitem__, places), repeat(weight))
        acc.update(zip(found, map(add, map(acc.__getitem__, found), impact), strict=True))

    def _seed(
        self,
        plan: list[tuple[int, float]],
        docs: Iterable[int],
        best: dict[int, float],
        k: int,
        boost: Sequence[float] | None,
        threshold: float,
    ) -> float:
        """Score ``docs`` exactly into ``best``; the threshold their k-th best sets."""
        for doc in docs:
            if doc not in best:
                score = self._exact(plan, doc, boost)
                if score > 0:
                    best[doc] = score
        if len(best) >= k:
            kth = heapq.nlargest(k, best.values())[-1]
            threshold = max(threshold, kth * (1.0 - _SLACK))
        return threshold

    def _exact(
        self, plan: list[tuple[int, float]], doc: int, boost: Sequence[float] | None
    ) -> float:
        """The (boosted) score of ``doc``, summed in plan order like :meth:`scores`."""
        score = 0.0
        all_docs, all_impacts = self._docs, self._impacts
        for tid, weight in plan:
            docs = all_docs[tid]
            at = bisect_left(docs, doc)
            if at < len(docs) and docs[at] == doc:
                score = score + all_impacts[tid][at] * weight
        return score if boost is None else score * boost[doc]
