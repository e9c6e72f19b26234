"""Phrases checked from the postings themselves.

Whoosh checks a phrase through its span machinery (a matcher tree, spans
objects for every position); :func:`phrase_docs` reads each word's
positions straight from its postings, a segment at a time, for the few
documents it is asked about -- the same answer (Whoosh's ``Phrase``: the
words in order, each 1..slop positions after the one before), several times
faster, so a costly query's phrases can be checked on their candidates.
"""

from __future__ import annotations

import bisect


def phrase_docs(searcher, fieldname: str, words: list[str], docs: list[int], slop: int = 1) -> list[int]:
    """Those of ``docs`` (ascending, numbered in ``searcher``) whose
    ``fieldname`` has ``words`` as Whoosh's ``Phrase(fieldname, words, slop)``
    matches them."""
    if not docs or not words:
        return []
    schema = searcher.schema
    if fieldname not in schema:
        return []
    field = schema[fieldname]
    try:
        terms = [field.to_bytes(w) for w in words]
    except ValueError:
        return []
    leaves = searcher.leaf_searchers()
    starts = [off for _, off in leaves]
    out: list[int] = []
    i = 0
    while i < len(docs):
        k = bisect.bisect_right(starts, docs[i]) - 1
        sub, off = leaves[k]
        j = bisect.bisect_left(docs, off + sub.doc_count_all(), i)
        reader = sub.reader()
        if all((fieldname, t) in reader for t in terms):
            matchers = [_leaf(reader.postings(fieldname, t)) for t in terms]
            for d in docs[i:j]:
                if _has(matchers, d - off, slop):
                    out.append(d)
        i = j
    return out


def _leaf(m):
    """The codec's own matcher under a matcher of deletions (the documents
    asked about are never deleted ones)."""
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):
        m = m.child
    return m


def _at(m, doc: int) -> bool:
    """Move ``m`` to ``doc`` (never back); True when ``doc`` has the term.
    The codec's matcher goes block by block, then by bisection in the block
    (Whoosh's skip_to steps through it a posting at a time)."""
    if not hasattr(m, "_read_ids"):  # another matcher (inlined postings)
        if not m.is_active():
            return False
        if m.id() < doc:
            m.skip_to(doc)
        return m.is_active() and m.id() == doc
    while not m._atend and doc > m._maxid:
        m._next_block()
    if m._atend:
        return False
    if m._ids is None:
        m._read_ids()
    m._i = bisect.bisect_left(m._ids, doc, m._i)
    return m._i < m._blocklength and m._ids[m._i] == doc


def _has(matchers: list, doc: int, slop: int) -> bool:
    """The phrase in document ``doc`` of the matchers' segment."""
    ends = None
    for m in matchers:
        if not _at(m, doc):
            return False
        positions = m.value_as("positions")
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
