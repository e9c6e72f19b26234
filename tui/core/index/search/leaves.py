"""Queries of our own, answered from bitsets by :class:`~.docsets.DocSets` and,
a segment at a time, by Whoosh: :class:`Docs` (a set of documents, each
scoring its boost) and :class:`ColumnRange` (``upvotes:`` ranges, scoring
nothing).
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher

from .bitsets import column_numbers, docs_of


class _Leaf(wq.Query):
    """A leaf query of our own: matched a segment at a time, each document
    scoring ``weight``, from the segment's documents :meth:`local` gives."""

    fieldname = None  # no field of the schema
    boost = 1.0
    weight = 0.0

    def _key(self) -> tuple:
        raise NotImplementedError

    def local(self, reader) -> list[int]:
        """The documents of one segment's reader (numbered in it) it matches."""
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __unicode__(self):
        return repr(self)

    __str__ = __unicode__

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return ixreader.doc_count()

    def matcher(self, searcher, context=None):
        docs = []
        for reader, offset in _leaves(searcher.reader()):
            docs += [d + offset for d in self.local(reader)]
        return ListMatcher(docs, all_weights=self.weight) if docs else NullMatcher()


class Docs(_Leaf):
    """The documents of ``bits`` (bit n: global document n of the searcher
    whose leaves' ``offsets`` are given, by segment id), each scoring
    ``boost``. :class:`DocSets` answers it from the bits; Whoosh, a segment
    at a time, from the same bits."""

    def __init__(self, bits: int, offsets: dict[str, int], boost: float = 1.0):
        self.bits = bits
        self.offsets = offsets
        self.boost = self.weight = boost

    def _key(self) -> tuple:
        return self.bits, self.boost

    def __repr__(self):
        return f"Docs({self.bits.bit_count()} documents, boost={self.boost})"

    def local(self, reader) -> list[int]:
        off = self.offsets.get(reader.segment().segment_id())
        if off is None:
            return []
        return docs_of((self.bits >> off) & ((1 << reader.doc_count_all()) - 1))


class ColumnRange(_Leaf):
    """The documents whose value in a numeric column is in ``low..high``
    (``upvotes:>=50`` is the range 50..2**31-1 of the ``votes`` column),
    scoring nothing."""

    def __init__(self, column: str, low: int, high: int):
        self.column, self.low, self.high = column, low, high

    def _key(self) -> tuple:
        return self.column, self.low, self.high

    def __repr__(self):
        return f"ColumnRange({self.column!r}, {self.low}, {self.high})"

    def local(self, reader) -> list[int]:
        try:
            values = column_numbers(reader.column_reader(self.column, translate=False))
        except Exception:
            return []
        low, high = self.low, self.high
        return [d for d, v in enumerate(values) if low <= v <= high and not reader.is_deleted(d)]


def _leaves(reader) -> list:
    """(segment reader, its first document in ``reader``) of a reader; none
    for the reader of an index without segments (no papers yet)."""
    if reader.is_atomic():
        return [(reader, 0)] if reader.segment() is not None else []
    return list(reader.leaf_readers())


def offsets(searcher) -> dict[str, int]:
    """Each segment's first global document in ``searcher``, by segment id."""
    return {r.segment().segment_id(): off for r, off in _leaves(searcher.reader())}
