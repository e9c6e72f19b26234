"""Ranking: every query by Whoosh's own BM25F, over the real term frequencies
and field lengths, exactly; fast because most matches are never scored.

* :class:`~.scores.Scores` gives the exact score of chosen documents for a query tree,
  as Whoosh's matchers would: a term's BM25 at the document's own frequency
  (:meth:`~.docsets.DocSets.tf_planes`) and field length, times its boost;
  ``Or``, ``And``, ``AndMaybe`` add their parts, a phrase adds its words'
  scores times its boost, ``Not`` and a constant-score part add their boost.
  A part of another kind is scored by Whoosh's own matcher.
* :class:`~.bounds.Bounds` gives every match an upper bound of its score at once, as
  a bit-sliced sum of small whole numbers (levels): each term splits its
  documents by frequency (1, 2, 3-4, 5-8, ...) and by field length (a few
  groups of lengths), and a group's level is the score its most frequent,
  shortest document could reach, rounded up.
* :meth:`Ranking.best` scores the matches with the highest bounds first; once
  a page is full, its last score is a threshold, and only the documents
  whose bound reaches it are scored -- the others provably cannot enter
  the page. The result is the page Whoosh's scorer would give over every
  match, ties broken newest first.
"""

from __future__ import annotations

import heapq
import math
from typing import Callable

from ..answers import SearchStopped
from .bitsets import bits_of, docs_of
from .bounds import Bounds, Unbounded
from .docsets import DocSets
from .scores import Scores, _sure

PHRASE_BOOST = 4.0  # the title phrase of the query words (the searcher gives it as a boost)
PHRASE_SLOP = 2  # ... with at most one other word between two of them
SCORE_ALL = 1000  # matches up to this many are all scored
CHUNK = 4096  # documents scored at a time
TIE_DIGITS = 9  # decimals of a score that count: equal scores added in another order differ further down


class Ranking:
    """The best documents of a set of matches for one query: scored exactly,
    bounded first (see the module's notes)."""

    def __init__(self, sets: DocSets, q, stop: Callable[[], bool] | None = None):
        self.sets = sets
        self.q = q
        self.stop = stop  # asked before each chunk is scored: True gives up (SearchStopped)
        self.scores = Scores(sets)
        self.hopeful = not _sure(q)  # phrases to check: their hopeful scores first
        self.checked = 0  # documents whose match was checked
        self.matched = 0  # ... of which matched

    def best(self, hits: int, need: int, at_least: int = 0) -> list[tuple[int, float]]:
        """The ``need`` best matches of ``q`` among ``hits`` (every match of q
        in it, and maybe documents that do not match), ranked by score, ties
        newest first. ``at_least``: check this many documents at the least
        (to estimate how many of ``hits`` match)."""
        if need <= 0 or not hits:
            return []
        found: list[tuple[float, int, int]] = []  # (score, key, doc) of checked matches
        if hits.bit_count() <= max(SCORE_ALL, at_least):
            self._check(hits, found)
            return _ranked(found, need)
        try:
            bounds = Bounds(self.scores, self.q, hits)
        except Unbounded:  # score them all, a chunk at a time
            left = hits
            while left:
                chunk = bits_of(docs_of(left)[:CHUNK])
                self._check(chunk, found)
                left ^= chunk
            return _ranked(found, need)
        groups = None if self.hopeful else bounds.groups()
        if groups is not None:
            return self._from_groups(groups, need)
        pool: dict[int, float] = {}  # hopeful scores of documents not checked yet
        left = hits
        threshold = None  # the need-th best score found, once need are found
        step = max(need + need // 2, 64, min(at_least, CHUNK))
        pruned = None  # the threshold the pool was last pruned to
        while True:
            if threshold is not None and threshold != pruned:
                for d in [d for d, s in pool.items() if s < threshold]:
                    del pool[d]
                pruned = threshold
            if pool and (threshold is not None or len(found) + len(pool) >= need or not left):
                batch = heapq.nlargest(max(need - len(found) + 16, 32), pool.items(), key=lambda ds: ds[1])
                for d, _ in batch:
                    del pool[d]
                self._check(sorted(d for d, _ in batch), found)
            elif left and threshold is None:
                chunk = bounds.best(left, step)
                step = min(step * 2, CHUNK)
                left ^= chunk
                self._take(chunk, found, pool)
            elif left:
                chunk = bounds.at_least(left, math.floor(threshold / bounds.unit * (1 - 1e-9)))
                if not chunk:
                    left = 0
                    continue
                if chunk.bit_count() > CHUNK:
                    chunk = bounds.best(chunk, CHUNK)
                left ^= chunk
                self._take(chunk, found, pool, threshold)
            elif self.checked < at_least and pool:
                threshold = None
                continue
            else:
                break
            if len(found) >= need and self.checked >= at_least:
                found = heapq.nlargest(need, found)
                threshold = found[-1][0]
        return _ranked(found, need)

    def _from_groups(self, groups: list[tuple[float, int]], need: int) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        for score, docs in groups:
            out += [(d, score) for d in self.sets.newest(docs, need - len(out))]
            if len(out) >= need:
                break
        self.checked = self.matched = len(out)
        return out

    def _take(self, docs: int, found: list, pool: dict, threshold: float | None = None) -> None:
        """Score the documents of ``docs``: exactly, or with phrases to check,
        hopefully into ``pool`` (those that can reach ``threshold``)."""
        if not self.hopeful:
            self._check(docs, found)
            return
        if self.stop is not None and self.stop():
            raise SearchStopped("a newer search was asked for")
        hoped = self.scores.of(self.q, docs_of(docs), hopeful=True)
        for d, s in hoped.items():
            s = round(s, TIE_DIGITS)
            if threshold is None or s >= threshold:
                pool[d] = s

    def _check(self, docs: int, found: list) -> None:
        """Score ``docs`` exactly (phrases checked) and add the matches to ``found``."""
        if self.stop is not None and self.stop():
            raise SearchStopped("a newer search was asked for")
        keys = self.sets.keys
        docs = docs_of(docs) if isinstance(docs, int) else docs
        scores = self.scores.of(self.q, docs)
        self.checked += len(docs)
        self.matched += len(scores)
        found += [(round(s, TIE_DIGITS), keys[d], d) for d, s in scores.items()]


def _ranked(found: list[tuple[float, int, int]], need: int) -> list[tuple[int, float]]:
    return [(d, s) for s, _, d in heapq.nlargest(need, found)]


def rank_key(score: float, key: int) -> tuple[float, int]:
    """The order of a page (larger first): the score, where scores that
    differ only in how their float sums were added up count as equal
    (:data:`TIE_DIGITS`), then the newest."""
    return round(score, TIE_DIGITS), key
