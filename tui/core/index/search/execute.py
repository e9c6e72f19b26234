"""Running a rewritten query against one searcher: its matches found from
bitsets (:class:`~.docsets.DocSets`; phrases checked when their candidates
are few), ranked exactly by Whoosh's BM25F over the real term frequencies
(:class:`~.rank.Ranking`); a costly phrase with many candidates is checked on
the best of them until the page is certain, its total estimated."""

from __future__ import annotations

import bisect
from typing import Callable, Iterable

from whoosh import query as wq

from .bitsets import bits_of, docs_of
from .docsets import DocSets
from .leaves import ColumnRange
from .phrases import phrase_docs
from .rank import Ranking
from .rewrite import _note


class Execution:
    """One query's run: the searcher and its document sets, the notes the
    search reports, the limits (candidates a costly phrase checks at least,
    candidates of a phrase checked to count it exactly) as the query module
    sets them."""

    def __init__(self, searcher, sets: DocSets, notes: list[str], sample_min: int, verify_max: int = 0,
                 stop: Callable[[], bool] | None = None):
        self.searcher = searcher
        self.sets = sets
        self.notes = notes
        self.sample_min = sample_min
        self.verify_max = verify_max
        self.stop = stop  # asked between the ranking's steps (see Ranking)
        #: the ``for-you`` order: each document's key, given the document sets
        self.order: Callable[[DocSets], list[int]] | None = None

    def run(self, q, boosts: list, offset: int, limit: int,
            sort: str = "relevance") -> tuple[int, list[tuple[int, float]]]:
        """Total and (docnum, score) of the page, by relevance, or sorted
        (``newest``, ``upvotes``: see :meth:`_sorted`).

        By relevance, every query is ranked by the score Whoosh's BM25F gives
        ``q`` with its ``boosts`` (``AndMaybe(q, Or(boosts))``), ties newest
        first, whatever it costs to find the matches: those come from bitsets,
        a phrase's checked on its candidates when they are few
        (:meth:`_exact`); with more, the candidates are checked best first
        until the page is certain and the total is estimated from the share
        that matched."""
        sets = self.sets
        if sort != "relevance" or _unranked(q):
            return self._sorted(q, offset, limit, sort)
        need = offset + limit
        final = wq.AndMaybe(q, wq.Or(boosts)) if boosts else q
        hits = sets.evaluate(q)
        if hits is None:
            candidates = sets.evaluate(q, superset=True)
            if candidates is None:
                candidates = sets.live
            hits = self._exact(q, candidates)
            if hits is None:
                ranking = Ranking(sets, final, self.stop)
                page = ranking.best(candidates, need, at_least=self.sample_min)
                return self._estimate(candidates, ranking.checked, ranking.matched, "best"), page[offset:]
        total = hits.bit_count()
        if not total:
            return 0, []
        return total, Ranking(sets, final, self.stop).best(hits, need)[offset:]

    def _estimate(self, candidates: int, checked: int, matched: int, first: str) -> int:
        """How many of ``candidates`` match, from the ``checked`` of them that
        were (``first``: which ones), with a note unless all were."""
        count = candidates.bit_count()
        if checked >= count:
            return matched
        total = max(matched, round(count * matched / checked)) if checked else matched
        _note(self.notes, f"about {total:,} papers match (estimated from the {first} {checked:,} candidates)")
        return total

    def _exact(self, q, within: int, most: int | None = None) -> int | None:
        """The documents of ``within`` that ``q`` matches, from bitsets, its
        phrases checked on their candidates (at most ``most`` a phrase, by
        default ``verify_max``: those left after the bitsets narrowed them);
        None if more, or for a part bitsets cannot answer."""
        sets = self.sets
        most = self.verify_max if most is None else most
        bits = sets.evaluate(q)
        if bits is not None:
            return bits & within
        if isinstance(q, (wq.Phrase, wq.Sequence)):
            candidates = sets.evaluate(q, superset=True)
            if candidates is None:
                return None
            candidates &= within
            if candidates.bit_count() > most:
                return None
            return bits_of(list(self._verify(q, docs_of(candidates))))
        if type(q) in (wq.And, wq.Or):
            children = sorted(q.children(), key=lambda c: sets.evaluate(c) is None)  # bitsets first
            acc = within if type(q) is wq.And else 0
            for child in children:
                part = self._exact(child, acc if type(q) is wq.And else within & ~acc, most)
                if part is None:
                    return None
                acc = part if type(q) is wq.And else acc | part
            return acc
        if isinstance(q, (wq.AndNot, wq.Require)):
            a = self._exact(q.a, within, most)
            b = None if a is None else self._exact(q.b, a, most)
            return None if b is None else a & ~b if isinstance(q, wq.AndNot) else b
        if isinstance(q, wq.AndMaybe):
            return self._exact(q.a, within, most)
        if isinstance(q, wq.Not):
            inner = self._exact(q.query, within, most)
            return None if inner is None else within & sets.live & ~inner
        return None

    def key(self, sort: str) -> list[int]:
        """Each document's place in a sort order (larger first); ``for-you``
        is the :attr:`order` given (most upvoted first without one)."""
        if sort == "for-you" and self.order is not None:
            return self.order(self.sets)
        return self.sets.by_votes if sort in ("upvotes", "for-you") else self.sets.keys

    def _sorted(self, q, offset: int, limit: int, sort: str) -> tuple[int, list[tuple[int, float]]]:
        """The page of ``q`` newest first (``newest``, and queries with nothing
        to rank by such as ``upvotes:>=50``), or most upvoted first (then
        newest; unknown upvotes last): from bitsets when they answer ``q``,
        else by checking candidates in that order (:meth:`_sampled`)."""
        sets = self.sets
        hits = sets.evaluate(q)
        if hits is None:
            candidates = sets.evaluate(q, superset=True)
            return self._sampled(q, sets.live if candidates is None else candidates, offset, limit, sort)
        return hits.bit_count(), [(d, 0.0) for d in sets.top(hits, offset + limit, self.key(sort))[offset:]]

    def _sampled(self, q, candidates: int, offset: int, limit: int, sort: str) -> tuple[int, list[tuple[int, float]]]:
        """A costly query with phrases, newest or most upvoted first: its
        candidates (papers with all the words) are checked in that order
        until the page is full; the total is estimated from the share that
        matched unless all were checked."""
        sets = self.sets
        need = offset + limit
        found: list[tuple[int, float]] = []
        checked = 0
        left = candidates
        step = max(need + need // 2, self.sample_min)
        key = self.key(sort)
        while left and (len(found) < need or checked < self.sample_min):
            chunk = sets.top(left, step, key)
            inside = bits_of(chunk)
            exact = self._exact(q, inside, len(chunk))
            matched = set(docs_of(exact)) if exact is not None else set(self._verify(q, sorted(chunk)))
            found += [(d, 0.0) for d in chunk if d in matched]
            checked += len(chunk)
            left &= ~inside
            step = min(step * 2, 4096)
        first = {"upvotes": "most upvoted", "for-you": "best for you"}.get(sort, "newest")
        return self._estimate(candidates, checked, len(found), first), found[offset:need]

    def _verify(self, q, docs: list[int]) -> Iterable[int]:
        """Those of ``docs`` (ascending) that ``q`` matches (a phrase from its
        postings' positions, :func:`~.phrases.phrase_docs`)."""
        if isinstance(q, wq.Phrase):
            return phrase_docs(self.sets, q.fieldname, list(q.words), docs, q.slop)
        return self._matched(q, docs)

    def _matched(self, q, docs: list[int]) -> Iterable[int]:
        """Those of ``docs`` (ascending) that ``q`` matches, by Whoosh."""
        searcher = self.searcher
        leaves = searcher.leaf_searchers()
        offsets = [off for _, off in leaves]
        i = 0
        while i < len(docs):
            k = bisect.bisect_right(offsets, docs[i]) - 1
            sub, off = leaves[k]
            end = off + sub.doc_count_all()
            j = bisect.bisect_left(docs, end, i)
            m = q.matcher(sub, searcher.boolean_context())
            for d in docs[i:j]:
                if not m.is_active():
                    break
                m.skip_to(d - off)
                if m.is_active() and m.id() == d - off:
                    yield d
            i = j


def _unranked(q) -> bool:
    """``q`` has no term to rank by (``upvotes:>=50`` alone)."""
    return isinstance(q, ColumnRange) or (
        any(isinstance(leaf, ColumnRange) for leaf in q.leaves()) and not any(True for _ in q.iter_all_terms()))
