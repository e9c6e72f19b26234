"""A segment's postings file, written and read without Whoosh's per-posting
calls: :class:`PostingsWriter` writes a term's postings and returns its term
entry (the bytes Whoosh writes for the same postings), :func:`inlined_entry`
the entry of a term of one document kept without a block, and
:func:`segment_postings` reads every block of a segment back (merging small
segments)."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from operator import sub as _sub
from pickle import dumps as _dumps
from typing import Iterator, Sequence
from zlib import compress as _compress

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import delta_decode

from .codec import to_int


def segment_postings(reader, fieldnames: set[str]) -> Iterator[tuple[str, bytes, Sequence, Sequence, Sequence]]:
    """(field, term, ids, weights, values) of every block of a segment's
    postings, in term order: the whole postings file is read at once and its
    blocks decoded as the codec's matcher does, without building a matcher per
    term (~40 us each, most of a merge of small segments); inlined postings
    are taken from the term entries. A reader of another kind goes through
    the matchers."""
    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    try:
        size = reader._storage.file_length(reader.segment().make_filename(".pst"))
        data = postfile.get(0, size)
    except Exception:
        data = None
    schema = reader.schema
    items = [(k, info) for k, info in terms.items() if k[0] in fieldnames] if data is not None else []
    for (fieldname, tbytes), info in items:
        fixed = schema[fieldname].format.fixed_value_size()
        if info.is_inlined():  # a term of one document (see inlined_entry)
            ids, weights, values = info.inlined_postings()
            yield fieldname, tbytes, list(ids), array("f", weights), (None,) * len(ids) if fixed == 0 else values
            continue
        pos = info.extent()[0] + 4  # past the b"W3Bl" header
        while True:
            length = struct.unpack_from("!i", data, pos)[0]
            last = length < 0
            start, end = pos + 4, pos + 4 + abs(length)
            stream = io.BytesIO(data[start:end])
            count, _, _, compressed, _, _ = pickle.load(stream)
            block = stream.read()
            ids, weights, values = pickle.loads(zlib.decompress(block) if compressed else block)
            ids = list(delta_decode(ids))
            if weights is None:
                weights = [1.0] * count
            elif isinstance(weights, float):
                weights = [weights] * count
            if fixed is None or fixed < 0:
                pass
            elif fixed == 0:
                values = (None,) * count
            else:
                values = [values[i:i + fixed] for i in range(0, len(values), fixed)]
            yield fieldname, tbytes, ids, array("f", weights), values
            if last:
                break
            pos = end
    if data is None:  # the slow way
        for fieldname in sorted(fieldnames):
            for tbytes in reader.lexicon(fieldname):
                m = reader.postings(fieldname, tbytes)
                while not hasattr(m, "_read_ids") and hasattr(m, "child"):
                    m = m.child  # deleted documents are left out by the caller
                rows = []
                while m.is_active():
                    rows.append((m.id(), m.weight(), m.value()))
                    m.next()
                if rows:
                    ids, weights, values = zip(*rows)
                    yield fieldname, tbytes, ids, weights, values


def field_lengths(pdr, fieldname: str) -> list | None:
    """Per document, the length of ``fieldname`` as the codec stores it (a byte),
    or None where it has none."""
    lenfield = f"_{fieldname}_len"
    if not pdr.has_column(lenfield):
        return None
    return [byte_to_length(b) if b else None for b in pdr.column_reader(lenfield, LENGTHS_COLUMN)]


def inlined_entry(flat: list, lens: list | None) -> W3TermInfo:
    """The term entry of a term in one document and without positions (the
    ids), with its posting inlined: the statistics a block of one posting
    gives, without a block in the postings file (~100 bytes each). Terms with
    positions keep their block: inlined, Whoosh pickles them bigger, and the
    term file, hashed for lookups, would outgrow the postings."""
    doc, weight, value = flat
    ti = W3TermInfo()
    (weight,) = array("f", [weight])  # as a block stores it
    length = lens[doc] if lens else None
    ti._weight = weight
    ti._df = 1
    ti._minlength = length or None
    ti._maxlength = length or 0
    ti._maxweight = max(0, weight)
    ti._minid = ti._maxid = doc
    ti.set_inlined((doc,), (weight,), (value,) if value else ())
    return ti


class PostingsWriter:
    """Writes a term's postings (a pool's flat list) to a segment's postings
    file and returns its term entry: the bytes Whoosh's postings writer
    writes for the same postings added one by one -- the same blocks, block
    statistics and term statistics -- without its per-posting and per-block
    calls (about half of writing a segment)."""

    def __init__(self, fw, format_, lens: list | None):
        self.file = fw._postfile
        codec = fw._codec
        self.limit = codec._blocklimit
        self.level = codec._compression
        self.lens = lens
        fixed = format_.fixed_value_size()
        # how a block's values are kept: "tuple" (positions), None (no values), b"" (fixed size, joined)
        self.values = "tuple" if fixed is None or fixed < 0 else None if fixed == 0 else b""
        self.compact = getattr(format_, "compact", False)

    def __call__(self, flat: list) -> bytes:
        if len(flat) == 3:
            return self._one(*flat)
        f = self.file
        start = f.tell()
        docs, weights, values = flat[0::3], flat[1::3], flat[2::3]
        n = len(docs)
        limit, level, lens, kind = self.limit, self.level, self.lens, self.values
        # the term's statistics, as W3TermInfo.add_block keeps them
        total, shortest, longest, heaviest = 0, None, 0, 0
        out = [_BLOCKS_MAGIC]
        for s in range(0, n, limit):
            e = s + limit if s + limit < n else n
            ids = docs[s:e]
            ws = weights[s:e]
            wa = array("f", ws)
            w0 = wa[0]
            if wa.count(w0) == e - s:
                mini_weights = None if w0 == 1.0 else w0
            else:
                mini_weights = tuple(wa)
            if kind == "tuple":
                vs = values[s:e]
                if not all(vs):
                    vs = [v for v in vs if v]
                if self.compact and vs and type(vs[0]) is not int:
                    vs = [to_int(v) for v in vs]
                vs = tuple(vs)
            elif kind is None:
                vs = None
            else:
                vs = kind.join([v for v in values[s:e] if v])
            data = _dumps(((ids[0], *map(_sub, ids[1:], ids)), mini_weights, vs), 2)
            if level:
                data = _compress(data, level)
            if lens:
                ls = list(map(lens.__getitem__, ids))
                if not all(ls):
                    ls = [x for x in ls if x]
                minlength = min(ls) if ls else None
                maxlength = max(ls) if ls else 0
            else:
                minlength, maxlength = None, 0
            maxweight = max(0, max(ws))
            info = _dumps((e - s, ids[-1], maxweight, level, length_to_byte(minlength), length_to_byte(maxlength)), 2)
            size = len(info) + len(data)
            out += (_pack_int(-size if e == n else size), info, data)
            total += sum(wa)
            shortest = minlength if shortest is None else min(shortest, minlength)
            longest = max(longest, maxlength)
            heaviest = max(heaviest, maxweight)
        block = b"".join(out)
        f.write(block)
        return _term_entry(total, n, shortest, longest, heaviest, docs[0], docs[-1], start, len(block))

    def _one(self, doc: int, weight: float, value) -> bytes:
        """__call__ for a term of one document (most terms of a segment)."""
        f = self.file
        start = f.tell()
        w32 = array("f", (weight,))[0]
        kind = self.values
        if kind == "tuple":
            if self.compact and value and type(value) is not int:
                value = to_int(value)
            vs = (value,) if value else ()
        elif kind is None:
            vs = None
        else:
            vs = value or kind
        data = _dumps(((doc,), None if w32 == 1.0 else w32, vs), 2)
        if self.level:
            data = _compress(data, self.level)
        length = self.lens[doc] if self.lens else None
        maxweight = max(0, weight)
        info = _dumps((1, doc, maxweight, self.level, length_to_byte(length or None), length_to_byte(length or 0)), 2)
        block = b"".join((_BLOCKS_MAGIC, _pack_int(-len(info) - len(data)), info, data))
        f.write(block)
        return _term_entry(0 + w32, 1, length or None, length or 0, max(0, maxweight), doc, doc, start, len(block))


def _term_entry(weight: float, df: int, minlength: int | None, maxlength: int, maxweight: float,
                minid: int, maxid: int, offset: int, length: int) -> bytes:
    """The term entry W3TermInfo.to_bytes writes for a term whose postings
    are in the postings file, at ``offset``, ``length`` bytes."""
    return _TERM_INFO.pack(0, weight, df, 0 if minlength is None else length_to_byte(minlength),
                           length_to_byte(maxlength), maxweight, minid, maxid) + pack_long(offset) + pack_int(length)


_BLOCKS_MAGIC = WHOOSH3_HEADER_MAGIC
_pack_int = struct.Struct("!i").pack
_TERM_INFO = W3TermInfo._struct
