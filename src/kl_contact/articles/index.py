"""An inverted index of precomputed BM25 impacts with a top-k search that skips hopeless postings.

Each term keeps its postings twice, in compact arrays: by document (to look a document's
impact up by bisection) and by impact, highest first. A search reads the impact-ordered
lists a chunk at a time, always from the list whose next postings weigh most, scores each
document it meets exactly, and stops once the next unread impacts of all lists together
cannot beat the k-th best score found: Fagin's threshold algorithm, which keeps MaxScore's
rule of never reading a posting that cannot change the top k. The result is the same as
scoring every document. Pure Python and the standard library only; no I/O.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice

__all__ = ["ImpactIndex"]

_CHUNK = 16
"""How many postings of one list a search reads before it looks at the threshold again."""

_SLACK = 1e-9
"""Relative slack so that rounding never drops a document that ties the threshold."""


class _Postings:
    __slots__ = ("by_impact", "docs", "impacts", "max_impact", "negated")

    def __init__(self, docs: array[int], impacts: list[float]) -> None:
        self.docs = docs
        self.impacts = array("f", impacts)
        negated = [-impact for impact in self.impacts]
        # a stable sort by impact keeps equal impacts in document order
        ranked = sorted(range(len(docs)), key=negated.__getitem__)
        self.negated = array("f", [negated[i] for i in ranked])
        self.by_impact = array("i", [docs[i] for i in ranked])
        self.max_impact = -float(self.negated[0])

    def impact(self, doc: int) -> float:
        docs = self.docs
        at = bisect_left(docs, doc)
        if at < len(docs) and docs[at] == doc:
            return float(self.impacts[at])
        return 0.0


class ImpactIndex:
    """BM25 over weighted term frequencies, built once, searched many times.

    ``documents[i]`` maps each term of document ``i`` to its (possibly field-weighted)
    frequency. ``k1`` and ``b`` are BM25's saturation and length normalisation; the inverse
    document frequency is ``ln(1 + (N - n + 0.5) / (n + 0.5))``, never negative.
    """

    def __init__(
        self, documents: Sequence[Mapping[str, float]], *, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.size = len(documents)
        lengths = [sum(doc.values()) for doc in documents]
        average = (sum(lengths) / len(lengths)) if lengths and sum(lengths) else 1.0
        # parallel arrays, not lists of tuples: millions of small tuples would keep the
        # garbage collector busy for most of the build
        collected: dict[str, tuple[array[int], array[float]]] = {}
        for number, doc in enumerate(documents):
            norm = k1 * (1.0 - b + b * lengths[number] / average)
            for term, freq in doc.items():
                if freq > 0:
                    entry = collected.get(term)
                    if entry is None:
                        entry = collected[term] = (array("i"), array("d"))
                    entry[0].append(number)
                    entry[1].append(freq * (k1 + 1.0) / (freq + norm))
        self._postings: dict[str, _Postings] = {}
        for term, (docs, parts) in collected.items():
            idf = math.log(1.0 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            self._postings[term] = _Postings(docs, [idf * part for part in parts])

    @classmethod
    def from_tokens(cls, documents: Iterable[Sequence[str]], **params: float) -> ImpactIndex:
        """An index of plain token lists, each token counting once."""
        return cls([Counter(tokens) for tokens in documents], **params)

    def __len__(self) -> int:
        return self.size

    def has(self, term: str, doc: int) -> bool:
        """Whether document ``doc`` contains ``term``."""
        postings = self._postings.get(term)
        return postings is not None and postings.impact(doc) > 0

    def scores(self, query: Mapping[str, float]) -> dict[int, float]:
        """The BM25 score of every document that shares a term with ``query`` (no pruning)."""
        out: dict[int, float] = {}
        for term, weight in query.items():
            postings = self._postings.get(term)
            if postings is not None:
                for doc, impact in zip(postings.docs, postings.impacts, strict=True):
                    out[doc] = out.get(doc, 0.0) + impact * weight
        return out

    def top(
        self,
        query: Mapping[str, float],
        k: int,
        *,
        floor: float = 0.0,
        rank: Callable[[int], tuple[int, float]] | None = None,
        max_boost: float = 1.0,
    ) -> list[tuple[int, float]]:
        """The best ``k`` documents for ``query`` (term -> weight) as ``(doc, score)``.

        ``rank(doc)`` gives the document's tier (0 is best) and boost (at most
        ``max_boost``). A document's score is its BM25 score times its boost; documents
        scoring below ``floor`` are left out. They rank by tier, then by score, highest
        first, then by document number.
        """
        terms = [
            (self._postings[term], weight)
            for term, weight in sorted(query.items())
            if weight > 0 and term in self._postings
        ]
        if not terms or k <= 0:
            return []
        # the impact each term's next unread posting has (0 once the list is read out)
        cuts = [postings.max_impact * weight for postings, weight in terms]
        read = [0] * len(terms)
        scored: dict[int, tuple[int, float]] = {}
        best: list[float] = []  # min-heap of the k best scores among tier-0 documents
        bound = floor * (1.0 - _SLACK)
        while sum(cuts) * max_boost >= bound and any(cuts):
            # read a chunk of the list whose next postings weigh most (Fagin's threshold
            # algorithm: sorted access by impact, random access by bisection)
            term = max(range(len(terms)), key=cuts.__getitem__)
            postings, weight = terms[term]
            start = read[term]
            stop = read[term] = min(start + _CHUNK, len(postings.by_impact))
            for doc in islice(postings.by_impact, start, stop):
                if doc in scored:
                    continue
                raw = 0.0
                for other, other_weight in terms:
                    raw += other.impact(doc) * other_weight
                tier, boost = rank(doc) if rank is not None else (0, 1.0)
                score = raw * boost
                scored[doc] = (tier, score)
                if tier == 0 and score >= bound:
                    if len(best) < k:
                        heapq.heappush(best, score)
                    elif score > best[0]:
                        heapq.heapreplace(best, score)
                    if len(best) == k:
                        bound = max(bound, best[0] * (1.0 - _SLACK))
            cuts[term] = (
                -float(postings.negated[stop]) * weight if stop < len(postings.negated) else 0.0
            )
        ranked = [
            (tier, -score, doc)
            for doc, (tier, score) in scored.items()
            if score >= floor and score > 0
        ]
        return [(doc, -negative) for _, negative, doc in heapq.nsmallest(k, ranked)]
