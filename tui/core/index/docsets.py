"""Document sets: the matches of simple queries as bitsets (Python ints),
counted and combined without decoding postings, the per-segment cache of
what searches read (term sets, listing-order keys, vocabulary letters), and
:class:`Docs`, a document set as a Whoosh query.
"""

from __future__ import annotations

import bisect
import heapq
import pickle
import re
import sys
from array import array

from whoosh import columns as wc
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.util.numeric import byte_to_length

from .bulk import BITS_EXT
from .schema import VOTES


_LENGTH = [byte_to_length(b) or 1 for b in range(256)]  # a field length's byte, decoded
_BITS_OF_BYTE = [tuple(i for i in range(8) if b >> i & 1) for b in range(256)]


class SegmentCache:
    """What searches read from each segment, kept across searchers: a segment
    never changes once written (only its deletions do, and those are applied
    per searcher), so after a library change re-indexes one paper the next
    search reuses the term sets, columns and vocabulary (a first letter's
    terms with their document counts) of every segment but the new one (the
    next search took ~150 ms instead of ~20 ms)."""

    TERMS = 512  # term sets kept per segment (each at most segment size / 8 bytes)

    def __init__(self):
        self._segments: dict[str, dict] = {}

    def of(self, reader) -> dict:
        segid = reader.segment().segment_id()
        entry = self._segments.get(segid)
        if entry is None:
            entry = self._segments[segid] = {"bits": None, "terms": {}, "columns": {}, "letters": {}}
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

    CACHE = 256  # term sets kept (each at most corpus/8 bytes)

    def __init__(self, searcher, segments: SegmentCache | None = None):
        self.searcher = searcher
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
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
        letter = (fieldname, text[:1]) if isinstance(text, str) else None
        bits = 0
        for i, (r, offset) in enumerate(self.leaves):
            terms = self._segs[i]["terms"]
            local = terms.get((fieldname, tbytes))
            if local is None and letter is not None:
                known = self._segs[i]["letters"].get(letter)  # the segment's terms, if read
                if known is not None and text not in known:
                    continue
            if local is None:
                stored = self._segment_bits(i).get((fieldname, tbytes))
                if stored is None:
                    stored = _postings_bits(r, fieldname, tbytes)
                local = int.from_bytes(stored, "little")
                if len(terms) >= SegmentCache.TERMS:
                    terms.pop(next(iter(terms)))
                terms[fieldname, tbytes] = local
            if local:
                bits |= local << offset
        bits &= self.live
        if len(self._cache) >= self.CACHE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = bits
        return bits

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
                        col = _numbers(reader(r))
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
        docs = _docs_of(bits)
        if len(docs) <= k:
            return sorted(docs, key=key.__getitem__, reverse=True)
        return heapq.nlargest(k, docs, key=key.__getitem__)

    def _order(self, key: list[int]) -> list[int]:
        """Every document, largest ``key`` first (ties in document order)."""
        got = self._orders.get(id(key))
        if got is None or got[0] is not key:
            got = self._orders[id(key)] = (key, sorted(range(len(key)), key=key.__getitem__, reverse=True))
        return got[1]


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
        return _docs_of((self.bits >> off) & ((1 << reader.doc_count_all()) - 1))


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
            values = _numbers(reader.column_reader(self.column, translate=False))
        except Exception:
            return []
        low, high = self.low, self.high
        return [d for d, v in enumerate(values) if low <= v <= high and not reader.is_deleted(d)]


def _leaves(reader) -> list:
    """(segment reader, its first document in ``reader``) of a reader."""
    if reader.is_atomic():
        return [(reader, 0)]
    return list(reader.leaf_readers())


def offsets(searcher) -> dict[str, int]:
    """Each segment's first global document in ``searcher``, by segment id."""
    return {r.segment().segment_id(): off for r, off in _leaves(searcher.reader())}


def _numbers(cr) -> list[int]:
    """The values of a NumericColumn reader, read in one go (iterating the
    reader unpacks one value a call: 160 ms for 100,000 documents)."""
    if not isinstance(cr, wc.NumericColumn.Reader) or array(cr._typecode).itemsize != cr._fixedlen:
        return list(cr)
    values = array(cr._typecode)
    values.frombytes(cr._dbfile.get(cr._basepos, cr._count * cr._fixedlen))
    if sys.byteorder == "little":
        values.byteswap()  # stored big-endian
    return values.tolist() + [cr._default] * (cr._doccount - cr._count)


_NONZERO_RUNS = re.compile(rb"[^\x00]+")


def _docs_of(bits: int) -> list[int]:
    """The set bits of ``bits``, ascending (the runs of non-zero bytes found
    by a regular expression: a sparse set costs its bits, not the corpus)."""
    out: list[int] = []
    data = bits.to_bytes((bits.bit_length() + 7) >> 3, "little")
    table = _BITS_OF_BYTE
    count = bits.bit_count()
    if len(data) // 4 <= count <= 6 * len(data):  # scattered over most bytes: every byte
        for i, byte in enumerate(data):
            if byte:
                base = i << 3
                out += [base + j for j in table[byte]]
        return out
    for m in _NONZERO_RUNS.finditer(data):
        i = m.start()
        for byte in m.group():
            base = i << 3
            out += [base + j for j in table[byte]]
            i += 1
    return out


def _postings_bits(r, fieldname: str, tbytes: bytes) -> bytes:
    """A segment's documents with this term, read from its postings."""
    if (fieldname, tbytes) not in r:
        return b""
    m = r.postings(fieldname, tbytes)
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):  # deletions are masked later
        m = m.child
    n = r.doc_count_all()
    b = bytearray((n >> 3) + 1)
    if not hasattr(m, "_read_ids"):  # not the codec's leaf matcher: the slow way
        for d in m.all_ids():
            b[d >> 3] |= 1 << (d & 7)
        return bytes(b)
    while not m._atend:
        if m._ids is None:
            m._read_ids()
        for d in m._ids:
            b[d >> 3] |= 1 << (d & 7)
        if m._lastblock:
            break
        m._next_block()
    return bytes(b)
