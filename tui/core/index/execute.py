"""Running a rewritten query against one searcher: ranked by Whoosh when
its terms have few postings, else its matches are found from bitsets
(:class:`~.docsets.DocSets`; phrases checked when their candidates are few)
and ranked from them (:class:`~.rank.Ranker`); a costly phrase with many
candidates checks its best candidates (:meth:`Execution._sampled`)."""

from __future__ import annotations

import bisect
from typing import Iterable

from whoosh import query as wq

from .docsets import ColumnRange, Docs, DocSets, _docs_of
from .phrases import phrase_docs
from .rank import FIELDS, Ranker, _bits_of
from .rewrite import _note

TERM_COST = 30  # postings' worth of Whoosh's work to open a term's matcher in a segment


class Execution:
    """One query's run: the searcher and its document sets, the notes the
    search reports, the limits (postings Whoosh may rank, candidates a costly
    phrase checks at least, candidates of a phrase checked to count it
    exactly) as the query module sets them."""

    def __init__(self, searcher, sets: DocSets, notes: list[str], cost_max: int, sample_min: int,
                 verify_max: int = 0):
        self.searcher = searcher
        self.sets = sets
        self.notes = notes
        self.cost_max = cost_max
        self.sample_min = sample_min
        self.verify_max = verify_max

    def run(self, q, boosts: list, offset: int, limit: int,
            sort: str = "relevance") -> tuple[int, list[tuple[int, float]]]:
        """Total and (docnum, score) of the page, by relevance, or sorted
        (``newest``, ``upvotes``: see :meth:`_sorted`).

        Whoosh decodes every posting of every query term to rank (~2 us each:
        a block of ids, weights and positions at a time), and counts the
        matches in a second pass. A query whose terms have at most COST_MAX
        postings is ranked by Whoosh; its matches are counted from bitsets
        (:class:`DocSets`) when it is simple (terms, And, Or, Not). A costlier
        query's matches come from bitsets, its phrases checked when their
        candidates are few (:meth:`_exact`), and are ranked from bitsets
        (:meth:`_ranked`); a phrase with too many candidates to check them all
        checks its best ones until the page is full (:meth:`_sampled`)."""
        sets = self.sets
        if sort != "relevance" or _unranked(q):
            return self._sorted(q, offset, limit, sort)
        reader = self.searcher.reader()
        cheap = _cost(q, reader, self.cost_max) <= self.cost_max
        hits = sets.evaluate(q)
        final = wq.AndMaybe(q, wq.Or(boosts)) if boosts else q
        if hits is None:
            if cheap:
                return self._scored(final, offset, limit)
            candidates = sets.evaluate(q, superset=True)
            if candidates is None or candidates.bit_count() <= self.sample_min:
                return self._scored(final, offset, limit)
            hits = self._exact(q, candidates)
            if hits is None:
                return self._sampled(q, candidates, offset, limit, boosts=boosts)
        total = hits.bit_count()
        if not total:
            return 0, []
        if cheap:
            return total, self._scored(final, offset, limit, total)[1]
        return total, self._ranked(q, hits, boosts, offset + limit)[offset:]

    def _scored(self, q, offset: int, limit: int, total: int | None = None) -> tuple[int, list[tuple[int, float]]]:
        results = self.searcher.search(q, limit=offset + limit, terms=False)
        end = min(results.scored_length(), offset + limit)
        page = [(results.docnum(i), results.score(i)) for i in range(offset, end)]
        return (len(results) if total is None else total), page

    def _ranked(self, q, hits: int, boosts: list, need: int) -> list[tuple[int, float]]:
        """The ``need`` best of ``hits`` by :class:`Ranker`: a paper whose title
        is the query (or has its symbols as written) first, the title phrase
        of the query words boosted, as the boosts do in Whoosh."""
        sets = self.sets
        first = 0
        phrase = None
        for b in boosts:
            if isinstance(b, wq.Term) and b.fieldname == "id":
                first |= sets.term("id", b.text)
            elif isinstance(b, Docs):
                first |= b.bits
            elif isinstance(b, wq.Phrase) and b.fieldname == "title":
                phrase = list(b.words)
        return self._ranker(q, hits).rank(need, first, phrase)

    def _ranker(self, q, hits: int) -> Ranker:
        return Ranker(self.sets, {f: self.searcher.schema[f].format.field_boost for f in FIELDS}, q, hits)

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
            return _bits_of(list(self._verify(q, _docs_of(candidates))))
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
        """Each document's place in a sort order (larger first)."""
        return self.sets.by_votes if sort == "upvotes" else self.sets.keys

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

    def _sampled(self, q, candidates: int, offset: int, limit: int, sort: str = "relevance",
                 boosts: list | None = None) -> tuple[int, list[tuple[int, float]]]:
        """A costly query with phrases: its candidates (papers with all the
        words) are checked best first (by :class:`Ranker`, or newest or most
        upvoted first) until the page is full; the total is estimated from
        the share that matched unless all were checked."""
        sets = self.sets
        need = offset + limit
        found: list[tuple[int, float]] = []
        checked = 0
        left = candidates
        total_candidates = candidates.bit_count()
        step = max(need + need // 2, self.sample_min)
        key = None if sort == "relevance" else self.key(sort)
        while left and (len(found) < need or checked < self.sample_min):
            if key is None:
                chunk = self._ranked(q, left, boosts or [], step)
            else:
                chunk = [(d, 0.0) for d in sets.top(left, step, key)]
            inside = _bits_of([d for d, _ in chunk])
            exact = self._exact(q, inside, len(chunk))
            matched = (set(_docs_of(exact)) if exact is not None
                       else set(self._verify(q, sorted(d for d, _ in chunk))))
            found += [ds for ds in chunk if ds[0] in matched]
            checked += len(chunk)
            left &= ~inside
            step = min(step * 2, 4096)
        if not left:
            total = len(found)
        else:
            total = max(len(found), round(total_candidates * len(found) / checked))
            first = {"relevance": "best", "upvotes": "most upvoted"}.get(sort, "newest")
            _note(self.notes, f"about {total:,} papers match (estimated from the {first} {checked:,} "
                              f"candidates)")
        return total, found[offset:need]

    def _verify(self, q, docs: list[int]) -> Iterable[int]:
        """Those of ``docs`` (ascending) that ``q`` matches (a phrase from its
        postings' positions, :func:`~.phrases.phrase_docs`)."""
        if isinstance(q, wq.Phrase):
            return phrase_docs(self.searcher, q.fieldname, list(q.words), docs, q.slop)
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


def _cost(q, reader, limit: int) -> int:
    """What Whoosh would spend to rank ``q``, in postings decoded: its terms'
    document counts, and for each term and segment the matcher it opens
    (measured at 100,000 papers in 13 segments: ~1 ms a term, the time of
    ~400 postings); counted only until it is past ``limit``."""
    terms = list(q.iter_all_terms())
    segments = 1 if reader.is_atomic() else len(reader.leaf_readers())
    total = TERM_COST * len(terms) * segments
    for fieldname, text in terms:
        if total > limit:
            break
        try:
            total += reader.doc_frequency(fieldname, text)
        except Exception:
            pass
    return total
