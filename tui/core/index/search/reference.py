"""The straightforward ranking the fast one must equal: Whoosh's own scorer
(BM25F over the real postings: every posting of every query term decoded)
over every match of the query the search pipeline makes, ties newest first.

:func:`reference_search` answers a query as :meth:`Index.search` does, but
ranked this way; the agreement test and ``papers bench`` compare the two.
It costs what Whoosh costs: up to seconds for a common word at 100,000 papers.
"""

from __future__ import annotations

from whoosh import query as wq

from .execute import Execution, _unranked
from .rank import rank_key


class ReferenceExecution(Execution):
    """An :class:`Execution` whose relevance ranking is Whoosh's own, over
    every match; the other orders are the fast path's."""

    def run(self, q, boosts: list, offset: int, limit: int, sort: str = "relevance"):
        if sort != "relevance" or _unranked(q):
            return super().run(q, boosts, offset, limit, sort)
        final = wq.AndMaybe(q, wq.Or(boosts)) if boosts else q
        results = self.searcher.search(final, limit=None, optimize=False, terms=False)
        keys = self.sets.keys
        scored = sorted(((rank_key(results.score(i), keys[results.docnum(i)]), results.docnum(i))
                         for i in range(results.scored_length())), reverse=True)
        return len(scored), [(d, s) for (s, _), d in scored[offset:offset + limit]]


def reference_search(index, query: str, limit: int = 10, offset: int = 0):
    """``index.search(query, limit, offset)`` ranked by :class:`ReferenceExecution`."""
    searcher = index.searching
    saved = searcher.execution
    searcher.execution = ReferenceExecution
    try:
        return index.search(query, limit=limit, offset=offset)
    finally:
        searcher.execution = saved
