"""Running a rewritten query against one searcher: ranked by Whoosh when
its terms have few postings, else answered from bitsets
(:class:`~.docsets.DocSets`): the exact title first, then by how many query
words a title has, newest first; a costly query with phrases checks its
newest candidates (:meth:`Execution._sampled`)."""

from __future__ import annotations

import bisect
from typing import Iterable, Iterator

from whoosh import query as wq

from .docsets import ColumnRange, Docs, DocSets
from .rewrite import MAX_QUERY_TERMS, _note


class Execution:
    """One query's run: the searcher and its document sets, the notes the
    search reports, and the limits (postings Whoosh may rank, candidates a
    costly phrase checks at least) as the query module sets them."""

    def __init__(self, searcher, sets: DocSets, notes: list[str], cost_max: int, sample_min: int):
        self.searcher = searcher
        self.sets = sets
        self.notes = notes
        self.cost_max = cost_max
        self.sample_min = sample_min

    def run(self, q, boosts: list, offset: int, limit: int,
            sort: str = "relevance") -> tuple[int, list[tuple[int, float]]]:
        """Total and (docnum, score) of the page, by relevance, or sorted
        (``newest``, ``upvotes``: see :meth:`_sorted`).

        Whoosh decodes every posting of every query term to rank (~2 us each:
        a block of ids, weights and positions at a time), and counts the
        matches in a second pass. A query whose terms have at most COST_MAX
        postings is ranked by Whoosh; its matches are counted from bitsets
        (:class:`DocSets`) when it is simple (terms, And, Or, Not). A costlier
        query is answered from bitsets (:meth:`_broad`), or, with phrases, by
        checking the newest candidates (:meth:`_sampled`)."""
        sets = self.sets
        if sort != "relevance" or _unranked(q):
            return self._sorted(q, offset, limit, sort)
        reader = self.searcher.reader()
        cheap = _cost(q, reader) <= self.cost_max
        hits = sets.evaluate(q)
        final = wq.AndMaybe(q, wq.Or(boosts)) if boosts else q
        if hits is None:
            if cheap:
                return self._scored(final, offset, limit)
            candidates = sets.evaluate(q, superset=True)
            if candidates is None or candidates.bit_count() <= self.sample_min:
                return self._scored(final, offset, limit)
            return self._sampled(q, candidates, offset, limit)
        total = hits.bit_count()
        if not total:
            return 0, []
        if cheap:
            return total, self._scored(final, offset, limit, total)[1]
        return total, self._broad(q, hits, boosts, offset, limit)

    def _scored(self, q, offset: int, limit: int, total: int | None = None) -> tuple[int, list[tuple[int, float]]]:
        results = self.searcher.search(q, limit=offset + limit, terms=False)
        end = min(results.scored_length(), offset + limit)
        page = [(results.docnum(i), results.score(i)) for i in range(offset, end)]
        return (len(results) if total is None else total), page

    def _broad(self, q, hits: int, boosts: list, offset: int, limit: int) -> list[tuple[int, float]]:
        """The page of a query too costly to rank whole (``hits``, its matches):
        the paper whose title is the query, then papers by how many of the query
        words their title has, each group newest first (all from bitsets)."""
        sets = self.sets
        _note(self.notes, "many papers match: those with more of the words in the title first, then newest")
        need = offset + limit
        exact = 0
        for b in boosts:
            if isinstance(b, wq.Term) and b.fieldname == "titlekey":
                exact |= sets.term("titlekey", b.text) & hits
            elif isinstance(b, Docs):
                exact |= b.bits & hits
        out = sets.newest(exact, need)
        rest = hits & ~exact
        groups = [g for g in (_title_only(c) for c in _word_groups(q)) if g is not None]
        for tier in _by_count([sets.evaluate(g) or 0 for g in groups[:MAX_QUERY_TERMS]]):
            if len(out) >= need:
                break
            tier &= rest
            out += sets.newest(tier, need - len(out))
            rest &= ~tier
        if len(out) < need:
            out += sets.newest(rest, need - len(out))
        return [(d, 0.0) for d in out[offset:need]]

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

    def _sampled(self, q, candidates: int, offset: int, limit: int,
                 sort: str = "newest") -> tuple[int, list[tuple[int, float]]]:
        """A costly query with phrases: its candidates (papers with all the
        words) are checked newest (or most upvoted) first until the page is
        full; the total is estimated from the share that matched unless all
        were checked."""
        sets = self.sets
        need = offset + limit
        order = sets.top(candidates, candidates.bit_count(), self.key(sort))
        found: list[int] = []
        checked = 0
        step = max(need + need // 2, self.sample_min)
        while checked < len(order) and (len(found) < need or checked < self.sample_min):
            chunk = order[checked:checked + step]
            matched = set(self._verify(q, sorted(chunk)))
            found += [d for d in chunk if d in matched]
            checked += len(chunk)
            step = min(step * 2, 4096)
        if checked >= len(order):
            total = len(found)
        else:
            total = max(len(found), round(len(order) * len(found) / checked))
            first = "most upvoted" if sort == "upvotes" else "newest"
            _note(self.notes, f"about {total:,} papers match (estimated from the {first} {checked:,} "
                              f"candidates); {first} first")
        return total, [(d, 0.0) for d in found[offset:need]]

    def _verify(self, q, docs: list[int]) -> Iterable[int]:
        """Those of ``docs`` (ascending) that ``q`` matches."""
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


def _cost(q, reader) -> int:
    """The postings Whoosh would decode to rank ``q``: its terms' document counts."""
    total = 0
    for fieldname, text in q.iter_all_terms():
        try:
            total += reader.doc_frequency(fieldname, text)
        except Exception:
            pass
    return total


def _word_groups(q) -> list:
    """The parts of ``q`` that stand for one query word each: the children of a
    top-level And or Or (a word's fields and expansions are an Or below)."""
    while isinstance(q, (wq.AndMaybe, wq.AndNot)):
        q = q.a
    if type(q) in (wq.And, wq.Or) and any(not c.is_leaf() for c in q.children()):
        return list(q.children())
    return [q]


def _by_count(sets: list[int]) -> Iterator[int]:
    """Documents by how many of ``sets`` have them, most first (never zero),
    from a bit-sliced counter: plane i holds bit i of each document's count."""
    planes: list[int] = []
    for s in sets:
        carry = s
        for i in range(len(planes)):
            planes[i], carry = planes[i] ^ carry, planes[i] & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    for n in range(len(sets), 0, -1):
        out = -1
        for i, plane in enumerate(planes):
            out &= plane if n >> i & 1 else ~plane
        if n >> len(planes):
            continue
        if out:
            yield out


def _title_only(q):
    """``q`` with its abstract terms dropped (``a b`` -> both in the title), or
    None when that is not a narrowing of ``q`` (negations) or drops everything."""
    def ok(node) -> bool:
        if isinstance(node, (wq.And, wq.Or)):
            return all(ok(c) for c in node.children())
        return isinstance(node, wq.Term) or node is wq.NullQuery

    if not ok(q):
        return None

    def strip(node):
        if isinstance(node, wq.Term):
            return node if node.fieldname == "title" else wq.NullQuery
        if node is wq.NullQuery:
            return node
        return node.apply(strip)

    out = strip(q).normalize()
    return None if out is wq.NullQuery else out
