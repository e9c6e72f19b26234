"""Writing segments fast: :class:`BulkWriter` (Whoosh's segment writer with
postings inverted in memory and written a block at a time), the term bitsets
a segment stores for broad queries, and the merge policy for small segments.
"""

from __future__ import annotations

import pickle
from collections import Counter, deque
from itertools import compress as _select, repeat as _repeat
from operator import setitem as _setitem
from typing import Iterable, Sequence

from whoosh import columns as wc
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from .analysis import WORDS
from .codec import CompactCodec, CompactPositions, encode_positions, to_int
from .postings_file import PostingsWriter, field_lengths, inlined_entry, segment_postings
from .schema import SURFACE_FIELDS, TEXT_FIELDS


class _MemoryPool:
    """Postings of the segment being written, inverted in memory as they come:
    field -> term -> flat [docnum, weight, value, docnum, ...].

    Whoosh's own pool pickles every posting to a run file and heap-merges the
    runs back at commit (about half of a cold build). Documents arrive in
    docnum order, so each term's list is already sorted; only the terms need
    sorting when the segment is written."""

    def __init__(self, compact: frozenset[str] = frozenset()):
        self.fields: dict[str, dict[bytes, list]] = {}
        self.postings = 0
        self.compact = compact  # fields whose values are held as the codec's ints

    def terms(self, fieldname: str) -> dict[bytes, list]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add(self, item) -> None:  # Whoosh's pool interface, used when merging segments
        fieldname, tbytes, docnum, weight, vbytes = item
        if fieldname in self.compact and type(vbytes) is bytes:
            vbytes = to_int(vbytes)
        terms = self.terms(fieldname)
        lst = terms.get(tbytes)
        if lst is None:
            terms[tbytes] = [docnum, weight, vbytes]
        else:
            lst += (docnum, weight, vbytes)
        self.postings += 1

    def iter_postings(self):
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                lst = terms[tbytes]
                for i in range(0, len(lst), 3):
                    yield fieldname, tbytes, lst[i], lst[i + 1], lst[i + 2]

    def cleanup(self) -> None:
        self.fields = {}
        self.postings = 0


class BulkWriter(SegmentWriter):
    """Whoosh's segment writer, made fast for this schema.

    * the text fields are analysed through :data:`WORDS` (a dict lookup a word);
    * postings are inverted in memory (:class:`_MemoryPool`) and written to the
      codec a block at a time, with the field lengths read once per field
      (Whoosh looks a length up, and stats a file, for every posting);
    * past :attr:`SEGMENT_POSTINGS` the segment is finished and a new one begun,
      so memory stays bounded; all of them become visible at :meth:`commit`,
      together, or none at :meth:`cancel`.

    What it writes is what Whoosh's writer writes for the same documents, byte
    for byte in every posting (a test compares the two).
    """

    SEGMENT_POSTINGS = 1_500_000  # about 100 MB of postings in memory

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", CompactCodec())
        super().__init__(ix, **kwargs)
        self._compact = frozenset(name for name, f in self.schema.items() if getattr(f.format, "compact", False))
        self.pool = _MemoryPool(self._compact)
        self._finished: list = []
        #: when a Counter, the words of the added documents' title and abstract,
        #: as written, are counted into it (see _WordCache.surface)
        self.words: Counter | None = None
        schema = self.schema
        if any(f.separate_spelling() or f.vector for _, f in schema.items()):
            self.cancel()
            raise ValueError("BulkWriter writes neither spelling fields nor term vectors")
        self._fast = {name for name in TEXT_FIELDS
                      if name in schema and type(schema[name].format) is CompactPositions}
        # fields that index nothing for "" (ID fields index the empty term)
        self._skip_empty = {name for name, f in schema.items() if not f.indexed or not list(f.index(""))}
        # fields that index a value as one term, itself (ID fields): weight of it
        self._verbatim = {}
        for name, f in schema.items():
            probe = "Ab c-1 é"
            if f.indexed and list(f.index(probe)) == [(probe.encode("utf-8"), 1, f.format.field_boost, b"")]:
                self._verbatim[name] = f.format.field_boost * 1.0
        self._memo: dict[tuple[str, str], list] = {}  # (field, value) -> postings of other fields

    def add_document(self, **fields):
        if any(name.startswith("_") for name in fields):  # boosts, stored overrides
            super().add_document(**fields)  # feeds self.pool.add, in docnum order too
        else:
            self._add_fast(fields)
        if self.pool.postings >= self.SEGMENT_POSTINGS:
            self._next_segment()

    def _add_fast(self, fields) -> None:
        self._check_state()
        schema = self.schema
        pdw = self.perdocwriter
        pool = self.pool
        docnum = self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        found = self.words
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                added = 0
                if not value and name in self._skip_empty:
                    pass
                elif name in self._fast:
                    poses, length = WORDS.scan(value, found if name in SURFACE_FIELDS else None)
                    if not field.scorable:
                        length = 0
                    terms = pool.terms(name)
                    fb = field.format.field_boost
                    one = _ONE_POSITION
                    for tbytes, pl in poses.items():
                        if pl.__class__ is int:  # one position: most words of an abstract
                            weight = fb
                            vbytes = one[pl] if pl < _ONE_LIMIT else _encode((pl,))
                        else:
                            weight = len(pl) * fb
                            vbytes = _encode(pl)
                        lst = terms.get(tbytes)
                        if lst is None:
                            terms[tbytes] = [docnum, weight, vbytes]
                        else:
                            lst += (docnum, weight, vbytes)
                    pool.postings += len(poses)
                elif name in self._verbatim:
                    tbytes = value.encode("utf-8")
                    terms = pool.terms(name)
                    lst = terms.get(tbytes)
                    if lst is None:
                        terms[tbytes] = [docnum, self._verbatim[name], b""]
                    else:
                        lst += (docnum, self._verbatim[name], b"")
                    pool.postings += 1
                    length = 1 if field.scorable else 0
                elif field.indexed:
                    terms = pool.terms(name)
                    items = self._memo.get((name, value))
                    if items is None:  # the digest and flag fields repeat: remember them
                        if len(self._memo) > 5000:
                            self._memo.clear()
                        items = self._memo[name, value] = list(field.index(value))
                    for tbytes, freq, weight, vbytes in items:
                        weight *= 1.0  # as Whoosh applies the (absent) field boost
                        length += freq
                        added += 1
                        lst = terms.get(tbytes)
                        if lst is None:
                            terms[tbytes] = [docnum, weight, vbytes]
                        else:
                            lst += (docnum, weight, vbytes)
                    if not field.scorable:
                        length = 0
                    pool.postings += added
                pdw.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    pdw.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        bits: dict[tuple[str, bytes], bytes] = {}
        try:
            fw = self.fieldwriter
            for fieldname in sorted(self.pool.fields):
                if fieldname not in self.schema:
                    continue
                terms = self.pool.fields[fieldname]
                if not terms:
                    continue
                lens = field_lengths(pdr, fieldname)
                if lens and fieldname in SURFACE_FIELDS:
                    bits["", fieldname, LENGTH_CLASSES] = length_classes(lens, self.docnum)
                fw.start_field(fieldname, self.schema[fieldname])
                boost = self.schema[fieldname].format.field_boost
                key = pack_ushort(fw._fieldid)
                write = PostingsWriter(fw, self.schema[fieldname].format, lens)
                for tbytes in sorted(terms):
                    flat = terms[tbytes]
                    if len(flat) == 3 and not flat[2]:  # one document, no positions: the posting goes in the term entry
                        fw._tindex.add(key + tbytes, inlined_entry(flat, lens).to_bytes())
                        continue
                    fw._tindex.add(key + tbytes, write(flat))
                    if len(flat) >= 3 * BITS_MIN_DF:
                        docs = flat[0::3]
                        bits[fieldname, tbytes] = _bitset(docs, self.docnum)
                        planes = tf_planes(docs, flat[1::3], boost, self.docnum)
                        if planes is not None:
                            bits[fieldname, tbytes, TF_PLANES] = planes
                fw.finish_field()
            fw.close()
        finally:
            pdr.close()
        if bits:
            f = self.newsegment.create_file(self.storage, BITS_EXT)
            f.write(pickle.dumps(bits, protocol=pickle.HIGHEST_PROTOCOL))
            f.close()

    def _next_segment(self) -> None:
        """Finish the segment being written and begin another."""
        self._finished.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.pool = _MemoryPool(self._compact)
        self.docnum = self.docbase = 0
        self._added = False

    def write_per_doc(self, fieldnames, reader):
        """Whoosh's write_per_doc (stored fields, lengths and columns of merged
        documents), with each field's lengths and column read once rather
        than looked up (and a file stat'd) per document and field."""
        schema = self.schema
        docmap = {} if reader.has_deletions() else None
        pdw = self.perdocwriter
        lens = {name: field_lengths(reader._perdoc, name) for name in fieldnames}
        cols = {}
        for name in fieldnames:
            column = schema[name].column_type
            if column and reader.has_column(name):
                creader = reader.column_reader(name, column)
                if isinstance(creader, wc.TranslatingColumnReader):
                    creader = creader.raw_column()
                cols[name] = creader
        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for name in fieldnames | {s for s in stored if s in schema}:
                length = lens.get(name)
                pdw.add_field(name, schema[name], stored.get(name), length[docnum] if length else 0)
                if name in cols:
                    pdw.add_column_value(name, schema[name].column_type, cols[name][docnum])
            pdw.finish_doc()
            self.docnum += 1
        return docmap

    def add_reader(self, reader) -> None:
        """Whoosh's add_reader (a merge), with the postings copied a block at a
        time instead of a generator step per posting (~1 ms a document)."""
        self._check_state()
        basedoc = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, reader)
        pool = self.pool
        for fieldname, tbytes, ids, weights, values in segment_postings(reader, indexed):
            if fieldname in self._compact and values and type(values[0]) is bytes:
                values = [to_int(v) for v in values]  # a segment of Whoosh's codec
            terms = pool.terms(fieldname)
            flat = terms.get(tbytes) or []
            for d, w, v in zip(ids, weights, values):
                d = docmap.get(d) if docmap is not None else basedoc + d
                if d is not None:
                    flat += (d, w, v)
            if flat:
                terms[tbytes] = flat
                pool.postings += len(flat) // 3  # an estimate: a term may span blocks
        self._added = True

    def finish_segment(self) -> None:
        """Write out the segment being filled now rather than at commit."""
        if self._added:
            self._next_segment()

    def finish_segments(self) -> list:
        """Finish writing without committing; the segments, for the writer that
        holds the lock to :meth:`adopt` (the helper process of a big build).
        The shared temporary folder is left for that writer to remove."""
        self._check_state()
        if self._added:
            self._finished.append(self._finalize_segment())
        else:
            self._close_segment()
        self.is_closed = True
        if self.writelock:
            self.writelock.release()
        return self._finished

    def adopt(self, segments: list) -> None:
        """Commit these finished segments (another writer's) with this writer's."""
        self._finished.extend(segments)

    def commit(self, mergetype=None, optimize=None, merge=None):
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge) + self._finished
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()


# A segment also stores, for each term in this many of its documents or more,
# the set of them as a bitset (a file in the segment): broad queries are then
# answered by integer AND/OR instead of decoding ~1 us of postings a document;
# and how often the term occurs in each of them, as bitsets too (TF_PLANES:
# see tf_planes), so that such queries are ranked by their real frequencies.
BITS_MIN_DF = 1000
BITS_EXT = ".bits"
TF_PLANES = "tf"  # the third part of the key of a term's frequency planes
LENGTH_CLASSES = "lengths"  # ... of a field's documents by length: ("", field, LENGTH_CLASSES)


def length_classes(lengths: Sequence[int | None], n: int) -> dict[int, bytes]:
    """The documents by their length of a field as Whoosh scores it (a
    document without one counts as 1): length -> bitset. Stored with the
    bitsets, so that ranking does not go through every document to split
    them (~40 ms a field at 100,000 papers)."""
    parts: dict[int, bytearray] = {}
    size = (n >> 3) + 1
    for d, length in enumerate(lengths):
        length = length or 1
        b = parts.get(length)
        if b is None:
            b = parts[length] = bytearray(size)
        b[d >> 3] |= 1 << (d & 7)
    return {length: bytes(b) for length, b in parts.items()}


def tf_planes(docs: Sequence[int], weights: Sequence[float], boost: float, n: int) -> tuple[bytes, ...] | None:
    """A term's frequency in each of its documents (a posting's weight is the
    frequency times the field's ``boost``) as bitsets: plane j holds the
    documents whose frequency minus one has bit j set (most words occur once:
    the planes are sparse). None when a weight is not such a multiple."""
    if weights.count(boost) == len(weights):
        return ()
    more: list[int] = []  # the documents where the word occurs more than once
    extras: list[int] = []  # and its frequency minus one in each
    for d, w in zip(docs, weights):
        if w != boost:
            tf = w / boost
            extra = int(tf) - 1
            if extra + 1 != tf or extra < 0:
                return None
            more.append(d)
            extras.append(extra)
    return tuple(_bitset(_select(more, [x >> j & 1 for x in extras]), n)
                 for j in range(max(extras).bit_length()))


def _bitset(docs: Iterable[int], n: int) -> bytes:
    """Little-endian bitset of ``docs`` (each < ``n``), made in C: a "0"/"1"
    character a bit, read as a base-2 number."""
    size = (n >> 3) + 1
    bits = bytearray(b"0") * (size << 3)
    _consume(map(_setitem, _repeat(bits), docs, _repeat(49)))  # "1"
    bits.reverse()
    return int(bits, 2).to_bytes(size, "little")


def _encode(poslist) -> int:
    """Positions as the codec stores them (CompactPositions.encode, as an int)."""
    return to_int(encode_positions(poslist))


# _encode([p]) for small p: most postings of an abstract have one position.
_ONE_LIMIT = 2048
_ONE_POSITION = [_encode([p]) for p in range(_ONE_LIMIT)]
_consume = deque(maxlen=0).extend  # runs an iterator to its end


MERGE_COUNT = 6  # this many small segments are merged into one
MERGE_MAX = 3000  # documents; bigger segments are left alone (a rebuild compacts)


def merge_policy(writer, segments):
    """Merge the small segments (library updates write one-paper segments, an
    added digest a hundred-paper one) once there are :data:`MERGE_COUNT` of a
    size, so no commit merges more than about :data:`MERGE_MAX` documents and
    a big segment is never rewritten. (Whoosh's default, a Fibonacci rule over
    the segment sizes, can pull big segments into an ordinary commit.)"""
    from whoosh.reading import SegmentReader

    tiers: dict[int, list] = {}
    for seg in segments:
        n = seg.doc_count_all()
        if n < MERGE_MAX:
            tiers.setdefault(len(str(n)), []).append(seg)  # 1-9, 10-99, 100-999 ...
    below: list = []
    merge: list = []
    for _, segs in sorted(tiers.items()):
        below += segs
        if len(segs) >= MERGE_COUNT and sum(s.doc_count_all() for s in below) <= MERGE_MAX:
            merge = list(below)  # a full tier, with every smaller segment
    if len(merge) < 2:
        return segments
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merge]


def drop_all(writer, segments) -> list:
    """A merge policy that keeps none of the index's segments (a rewrite)."""
    return []
