"""Document sets: the matches of simple queries as bitsets (Python ints),
counted and combined without decoding postings, the per-segment cache of
what searches read (term sets, listing-order keys, vocabulary letters), and
:class:`Docs`, a document set as a Whoosh query.
"""

from __future__ import annotations

import bisect
import heapq
import pickle

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from ..build.bulk import BITS_EXT, LENGTH_CLASSES, TF_PLANES, length_classes, tf_planes
from ..build.schema import VOTES
from .bitsets import column_numbers, docs_of
from .leaves import ColumnRange, Docs
from .postings import BlockIndex, Decoded, TermBlocks


_LENGTH = [byte_to_length(b) or 1 for b in range(256)]  # a field length's byte, decoded


class SegmentCache:
    """What searches read from each segment, kept across searchers: a segment
    never changes once written (only its deletions do, and those are applied
    per searcher), so after a library change re-indexes one paper the next
    search reuses the term sets, columns and vocabulary (a first letter's
    terms with their document counts) of every segment but the new one (the
    next search took ~150 ms instead of ~20 ms)."""

    TERMS = 512  # term sets kept per segment (each at most segment size / 8 bytes)
    IDS = 20_000  # paper ids kept per segment

    def __init__(self):
        self._segments: dict[str, dict] = {}

    def of(self, reader) -> dict:
        segid = reader.segment().segment_id()
        entry = self._segments.get(segid)
        if entry is None:
            entry = self._segments[segid] = {"bits": None, "terms": {}, "tf": {}, "blocks": {}, "columns": {},
                                             "letters": {}, "ids": {}}
        return entry

    def keep_only(self, readers) -> None:
        """Forget the segments not among these readers' (merged away)."""
        current = {r.segment().segment_id() for r in readers}
        for segid in [s for s in self._segments if s not in current]:
            del self._segments[segid]


class DocSets:
    """The documents of simple queries (And/Or/Not of terms) as bitsets: Python
    ints whose bit n is global document n. A term's set comes from the bitset
    its segment stored at indexing (frequent terms, BITS_MIN_DF) or from its
    postings (the rest, short); AND/OR of 100,000-bit integers cost
    microseconds. Bound to one searcher; what it reads from a segment is kept
    in a :class:`SegmentCache` for the next searcher."""

    CACHE = 512  # term sets kept (each at most corpus/8 bytes): the for-you order's 400 beside a search's

    def __init__(self, searcher, segments: SegmentCache | None = None):
        self.searcher = searcher
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
                       if sub.reader().segment() is not None]  # none in an index without papers yet
        self._starts = [offset for _, offset in self.leaves]
        self.size = searcher.reader().doc_count_all()
        segments = segments or SegmentCache()
        segments.keep_only(r for r, _ in self.leaves)
        self._segs = [segments.of(r) for r, _ in self.leaves]
        self._cache: dict[tuple, int] = {}
        self._live: int | None = None
        self._columns: dict[str, list[int]] = {}
        self._sorted: dict[str, tuple[list[int], list[int]]] = {}
        self._by_votes: list[int] | None = None
        self._orders: dict[int, tuple[list[int], list[int]]] = {}
        self._tf_cache: dict[tuple, tuple[int, ...]] = {}
        self._length_classes: dict[str, list[tuple[int, int]]] = {}
        self._length_groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self.decoded = Decoded()  # postings blocks read for phrases

    @property
    def live(self) -> int:
        """Every document not deleted."""
        if self._live is None:
            dead = bytearray((self.size >> 3) + 1)
            for r, offset in self.leaves:
                if r.has_deletions():
                    for d in r.segment().deleted_docs():
                        d += offset
                        dead[d >> 3] |= 1 << (d & 7)
            self._live = ((1 << self.size) - 1) & ~int.from_bytes(dead, "little")
        return self._live

    def _segment_bits(self, i: int) -> dict:
        seg = self._segs[i]
        if seg["bits"] is None:
            r, _ = self.leaves[i]
            try:
                with r._storage.open_file(r.segment().make_filename(BITS_EXT)) as f:
                    seg["bits"] = pickle.loads(f.read())
            except Exception:  # none written (a small segment)
                seg["bits"] = {}
        return seg["bits"]

    def term(self, fieldname: str, text) -> int:
        key = (fieldname, text)
        if key in self._cache:
            return self._cache[key]
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None or not field.indexed:
            return 0
        tbytes = text if isinstance(text, bytes) else field.to_bytes(text)
        bits = 0
        for i, (r, offset) in enumerate(self.leaves):
            local = self._local(i, field, fieldname, text, tbytes)
            if local:
                bits |= local << offset
        bits &= self.live
        if len(self._cache) >= self.CACHE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = bits
        return bits

    def _local(self, i: int, field, fieldname: str, text, tbytes: bytes) -> int:
        """Segment ``i``'s documents with the term (numbered in the segment)."""
        terms = self._segs[i]["terms"]
        local = terms.get((fieldname, tbytes))
        if local is not None:
            return local
        if isinstance(text, str):
            known = self._segs[i]["letters"].get((fieldname, text[:1]))  # the segment's terms, if read
            if known is not None and text not in known:
                return 0
        stored = self._segment_bits(i).get((fieldname, tbytes))
        if stored is None:
            r, _ = self.leaves[i]
            stored, planes = _postings_read(r, fieldname, tbytes, field.format.field_boost)
            _keep(self._segs[i]["tf"], (fieldname, tbytes), tuple(int.from_bytes(b, "little") for b in planes))
        local = int.from_bytes(stored, "little")
        _keep(terms, (fieldname, tbytes), local)
        return local

    def bytes_of(self, bits: int) -> bytes:
        """A bitset as bytes, one bit a document (for testing a few documents)."""
        return bits.to_bytes((self.size >> 3) + 1, "little")

    def term_bytes(self, fieldname: str, text) -> bytes:
        """:meth:`term` as bytes (kept while the term's set is)."""
        key = ("bytes", fieldname, text)
        got = self._cache.get(key)
        if got is None:
            got = self.bytes_of(self.term(fieldname, text))
            if len(self._cache) >= self.CACHE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = got
        return got

    def term_docs(self, fieldname: str, text, most: int) -> list[int] | None:
        """The documents with the term, ascending, if they are at most ``most``."""
        key = ("docs", fieldname, text)
        got = self._cache.get(key)
        if got is None:
            bits = self.term(fieldname, text)
            got = self._cache[key] = (bits.bit_count(), None)
        count, docs = got
        if count > most:
            return None
        if docs is None:
            docs = docs_of(self.term(fieldname, text))
            self._cache[key] = (count, docs)
        return docs

    def tf_bytes(self, fieldname: str, text) -> tuple[bytes, ...]:
        """:meth:`tf_planes` as bytes."""
        key = ("tf bytes", fieldname, text)
        got = self._cache.get(key)
        if got is None:
            got = tuple(self.bytes_of(p) for p in self.tf_planes(fieldname, text))
            if len(self._cache) >= self.CACHE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = got
        return got

    def ids(self, docs: list[int]) -> list[str]:
        """The paper ids of these documents, kept per segment once read (the
        same papers come back as a query is typed a letter at a time)."""
        out = []
        starts = self._starts
        for d in docs:
            i = bisect.bisect_right(starts, d) - 1
            r, offset = self.leaves[i]
            known = self._segs[i]["ids"]
            pid = known.get(d - offset)
            if pid is None:
                if len(known) >= SegmentCache.IDS:
                    known.pop(next(iter(known)))
                pid = known[d - offset] = r.stored_fields(d - offset)["id"]
            out.append(pid)
        return out

    def term_blocks(self, i: int, fieldname: str, tbytes: bytes) -> TermBlocks | None:
        """The term's postings in segment ``i``, read through this searcher's
        reader (None: not there); where its blocks lie is kept per segment."""
        cache = self._segs[i]["blocks"]
        key = (fieldname, tbytes)
        reader = self.leaves[i][0]
        if key in cache:
            index = cache[key]
        else:
            index = BlockIndex.read(reader, fieldname, tbytes)
            _keep(cache, key, index)
        if index is None:
            return None
        return TermBlocks(index, reader._terms._postfile, (reader.segment().segment_id(), fieldname, tbytes))

    def tf_planes(self, fieldname: str, text) -> tuple[int, ...]:
        """How often the term occurs in each of its documents, as bit planes:
        plane j holds the documents whose count minus one has bit j set, so a
        document in none of them has the term once (its posting's weight is
        the count times the field's boost). From the planes a segment stored
        for its frequent terms, or from the postings of the others."""
        key = (fieldname, text)
        got = self._tf_cache.get(key)
        if got is not None:
            return got
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None or not field.indexed or not self.term(fieldname, text):
            return ()
        tbytes = text if isinstance(text, bytes) else field.to_bytes(text)
        planes: list[int] = []
        for i, (r, offset) in enumerate(self.leaves):
            if not self._local(i, field, fieldname, text, tbytes):
                continue
            cache = self._segs[i]["tf"]
            local = cache.get((fieldname, tbytes))
            if local is None:
                stored = self._segment_bits(i).get((fieldname, tbytes, TF_PLANES))
                if stored is None:
                    stored = _postings_read(r, fieldname, tbytes, field.format.field_boost)[1]
                local = tuple(int.from_bytes(b, "little") for b in stored)
                _keep(cache, (fieldname, tbytes), local)
            while len(planes) < len(local):
                planes.append(0)
            for j, bits in enumerate(local):
                planes[j] |= bits << offset
        live = self.live
        out = tuple(p & live for p in planes)
        if len(self._tf_cache) >= self.CACHE:
            self._tf_cache.pop(next(iter(self._tf_cache)))
        self._tf_cache[key] = out
        return out

    def length_classes(self, fieldname: str) -> list[tuple[int, int]]:
        """The documents by their length of ``fieldname`` as Whoosh scores it:
        (length, the documents of that length) for each length found,
        shortest first (kept per segment, like the lengths)."""
        got = self._length_classes.get(fieldname)
        if got is not None:
            return got
        name = f"_{fieldname}_len"
        merged: dict[int, int] = {}
        for i, ((r, offset), seg) in enumerate(zip(self.leaves, self._segs)):
            classes = seg["columns"].get(("classes", name))
            if classes is None:
                stored = self._segment_bits(i).get(("", fieldname, LENGTH_CLASSES))
                if stored is None:  # a segment too small to have stored them
                    self.lengths(fieldname)  # fills each segment's column of lengths
                    stored = length_classes(seg["columns"][name], r.doc_count_all())
                classes = seg["columns"]["classes", name] = {n: int.from_bytes(b, "little")
                                                             for n, b in stored.items()}
            for n, bits in classes.items():
                merged[n] = merged.get(n, 0) | bits << offset
        live = self.live
        out = self._length_classes[fieldname] = [(n, merged[n] & live) for n in sorted(merged)]
        return out

    def length_groups(self, fieldname: str, groups: int) -> list[tuple[int, int, int]]:
        """The documents in about ``groups`` groups of neighbouring lengths of
        ``fieldname``, each of about as many documents: (the shortest and the
        longest length in the group, its documents), shortest first."""
        key = (fieldname, groups)
        got = self._length_groups.get(key)
        if got is None:
            classes = self.length_classes(fieldname)
            counts = [bits.bit_count() for _, bits in classes]
            per = max(1, sum(counts) // groups)
            got, acc, start, n = [], 0, None, 0
            for (length, bits), c in zip(classes, counts):
                if start is None:
                    start = length
                acc |= bits
                n += c
                if n >= per:
                    got.append((start, length, acc))
                    acc, start, n = 0, None, 0
            if start is not None:
                got.append((start, classes[-1][0], acc))
            self._length_groups[key] = got
        return got

    def evaluate(self, q, superset: bool = False) -> int | None:
        """The documents ``q`` matches, or None if it has parts bitsets cannot
        answer. With ``superset``, those parts are widened instead (a phrase to
        all its words, anything else to every document): a superset."""
        if superset:
            return self._superset(q)
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, Docs):
            return q.bits & self.live
        if isinstance(q, ColumnRange):
            return self.in_range(q.column, q.low, q.high)
        if q is wq.NullQuery:
            return 0
        if isinstance(q, wq.Every):
            return self.live if q.fieldname in (None, "*") else None
        if isinstance(q, wq.Not):
            inner = self.evaluate(q.query)
            return None if inner is None else self.live & ~inner
        if isinstance(q, (wq.AndMaybe, wq.AndNot, wq.Require)):
            a, b = self.evaluate(q.a), self.evaluate(q.b)
            if a is None or (b is None and not isinstance(q, wq.AndMaybe)):
                return None
            return a if isinstance(q, wq.AndMaybe) else a & ~b if isinstance(q, wq.AndNot) else a & b
        if isinstance(q, (wq.And, wq.Or)) and type(q) in (wq.And, wq.Or):
            parts = [self.evaluate(c) for c in q.children()]
            if any(p is None for p in parts):
                return None
            if not parts:
                return 0
            out = parts[0]
            for p in parts[1:]:
                out = out & p if isinstance(q, wq.And) else out | p
            return out
        return None

    def _superset(self, q) -> int | None:
        exact = self.evaluate(q)
        if exact is not None:
            return exact
        if isinstance(q, wq.Phrase):
            out = self.live
            for w in q.words:
                out &= self.term(q.fieldname, w)
            return out
        if isinstance(q, (wq.AndMaybe, wq.AndNot)):
            return self._superset(q.a)  # AndNot: dropping the exclusion widens
        if isinstance(q, wq.Require):
            a, b = self._superset(q.a), self._superset(q.b)
            return None if a is None or b is None else a & b
        if isinstance(q, (wq.And, wq.Or)) and type(q) in (wq.And, wq.Or):
            parts = [self._superset(c) for c in q.children()]
            if any(p is None for p in parts):
                return None
            out = parts[0] if parts else 0
            for p in parts[1:]:
                out = out & p if isinstance(q, wq.And) else out | p
            return out
        if isinstance(q, wq.Sequence):  # its parts, anywhere
            out = self.live
            for c in q.children():
                part = self._superset(c)
                if part is None:
                    return None
                out &= part
            return out
        return self.live  # a negation, or a query of another kind: any document may match

    def column(self, name: str, default: int = 0) -> list[int]:
        """Each document's value in the numeric column ``name``."""
        return self._per_doc(name, lambda r: r.column_reader(name, translate=False), lambda col: col, default)

    def lengths(self, fieldname: str) -> list[int]:
        """Each document's length of ``fieldname`` as Whoosh scores it (the
        byte it keeps per document, decoded; 1 when there is none)."""
        name = f"_{fieldname}_len"
        return self._per_doc(name, lambda r: r._perdoc.column_reader(name, LENGTHS_COLUMN),
                             lambda col: [_LENGTH[b] for b in col], 1)

    def _per_doc(self, name: str, reader, decode, default: int) -> list[int]:
        """A value per document from each segment's column ``name`` (its
        ``reader``, values through ``decode``), kept per segment."""
        values = self._columns.get(name)
        if values is None:
            values = []
            for (r, _), seg in zip(self.leaves, self._segs):
                cols = seg["columns"]
                if name not in cols:
                    try:
                        col = column_numbers(reader(r))
                    except Exception:
                        col = []
                    cols[name] = decode(col) if len(col) == r.doc_count_all() else [default] * r.doc_count_all()
                values += cols[name]
            self._columns[name] = values
        return values

    @property
    def keys(self) -> list[int]:
        """Each document's place in the listing order (``order``; larger is newer)."""
        return self.column("order")

    @property
    def by_votes(self) -> list[int]:
        """Each document's place by upvotes (unknown last), then newest first."""
        if self._by_votes is None:
            self._by_votes = [(v + 1) << 64 | k for v, k in zip(self.column(VOTES, -1), self.keys)]
        return self._by_votes

    def in_range(self, name: str, low: int, high: int) -> int:
        """The documents whose value in column ``name`` is in low..high."""
        key = ("", name, low, high)
        bits = self._cache.get(key)
        if bits is None:
            if name not in self._sorted:
                values = self.column(name, -1)
                order = sorted(range(len(values)), key=values.__getitem__)
                self._sorted[name] = (order, [values[d] for d in order])
            order, values = self._sorted[name]
            b = bytearray((self.size >> 3) + 1)
            for d in order[bisect.bisect_left(values, low):bisect.bisect_right(values, high)]:
                b[d >> 3] |= 1 << (d & 7)
            bits = self._cache[key] = int.from_bytes(b, "little") & self.live
        return bits

    def newest(self, bits: int, k: int) -> list[int]:
        """The ``k`` newest documents of ``bits``."""
        return self.top(bits, k, self.keys)

    def top(self, bits: int, k: int, key: list[int]) -> list[int]:
        """The ``k`` documents of ``bits`` with the largest ``key`` (ties in
        document order): of a set of many, the first of every document in
        that order (sorted once) that are in it."""
        if k <= 0 or not bits:
            return []
        count = bits.bit_count()
        if k < count and count * 16 >= self.size:
            data = bits.to_bytes((self.size >> 3) + 1, "little")
            out = []
            for d in self._order(key):
                if data[d >> 3] >> (d & 7) & 1:
                    out.append(d)
                    if len(out) == k:
                        break
            return out
        docs = docs_of(bits)
        if len(docs) <= k:
            return sorted(docs, key=key.__getitem__, reverse=True)
        return heapq.nlargest(k, docs, key=key.__getitem__)

    def _order(self, key: list[int]) -> list[int]:
        """Every document, largest ``key`` first (ties in document order)."""
        got = self._orders.get(id(key))
        if got is None or got[0] is not key:
            got = self._orders[id(key)] = (key, sorted(range(len(key)), key=key.__getitem__, reverse=True))
        return got[1]


def _keep(cache: dict, key, value) -> None:
    """Put ``value`` in a segment's cache of at most SegmentCache.TERMS entries."""
    if len(cache) >= SegmentCache.TERMS:
        cache.pop(next(iter(cache)))
    cache[key] = value


def _postings_read(r, fieldname: str, tbytes: bytes, boost: float) -> tuple[bytes, tuple[bytes, ...]]:
    """A segment's documents with this term, read from its postings, and the
    frequency planes of their weights (see :meth:`DocSets.tf_planes`)."""
    blocks = TermBlocks.read(r, fieldname, tbytes)
    if blocks is None:
        return b"", ()
    ids, weights = blocks.postings()
    n = r.doc_count_all()
    b = bytearray((n >> 3) + 1)
    for d in ids:
        b[d >> 3] |= 1 << (d & 7)
    return bytes(b), tf_planes(ids, weights, boost, n)
