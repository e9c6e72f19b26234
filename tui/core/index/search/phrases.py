"""Phrases checked from the postings themselves.

Whoosh checks a phrase through its span machinery (a matcher tree, spans
objects for every position); :func:`phrase_docs` reads each word's
positions straight from its postings (:mod:`.postings`), a segment at a
time, for the few documents it is asked about -- the same answer (Whoosh's
``Phrase``: the words in order, each 1..slop positions after the one
before), many times faster, so a costly query's phrases can be checked on
its best candidates.
"""

from __future__ import annotations

import bisect

from .postings import Cursor


def phrase_docs(sets, fieldname: str, words: list[str], docs: list[int], slop: int = 1) -> list[int]:
    """Those of ``docs`` (ascending, numbered in the searcher of ``sets``, a
    :class:`~.docsets.DocSets`) whose ``fieldname`` has ``words`` as
    Whoosh's ``Phrase(fieldname, words, slop)`` matches them."""
    if not docs or not words:
        return []
    schema = sets.searcher.schema
    if fieldname not in schema:
        return []
    field = schema[fieldname]
    try:
        terms = [field.to_bytes(w) for w in words]
    except ValueError:
        return []
    starts = [off for _, off in sets.leaves]
    out: list[int] = []
    i = 0
    while i < len(docs):
        k = bisect.bisect_right(starts, docs[i]) - 1
        reader, off = sets.leaves[k]
        j = bisect.bisect_left(docs, off + reader.doc_count_all(), i)
        blocks = [sets.term_blocks(k, fieldname, t) for t in terms]
        if all(b is not None for b in blocks):
            cursors = [Cursor(b, field.format, sets.decoded) for b in blocks]
            for d in docs[i:j]:
                if _has(cursors, d - off, slop):
                    out.append(d)
        i = j
    return out


def _has(cursors: list[Cursor], doc: int, slop: int) -> bool:
    """The phrase in document ``doc`` of the cursors' segment."""
    ends = None
    for c in cursors:
        positions = c.positions(doc)
        if positions is None:
            return False
        if ends is None:
            ends = positions
        else:  # positions 1..slop after an end so far (both ascending)
            last = ends
            ends = []
            for p in positions:
                x = bisect.bisect_left(last, p - slop)
                if x < len(last) and last[x] < p:
                    ends.append(p)
            if not ends:
                return False
    return True
