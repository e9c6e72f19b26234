"""Positions stored compactly: :class:`CompactPositions` (the format of the
text fields) and :class:`CompactCodec` (Whoosh's codec, writing its values).

Whoosh's ``Positions`` format encodes a posting's positions as a pickled list
behind a 4-byte count, and its codec pickles each block's values (a tuple of
bytes) with pickle protocol 2, where every bytes object costs a dozen bytes of
framing: positions were four fifths of the postings (178 of 206 MB at 100,000
papers). Here a posting's positions are varint deltas (one byte for most of
them), and the codec stores each block's values as Python ints, which pickle
in two to five bytes: the same positions in about two fifths of the space.

Phrase queries read exactly the positions they read before; matchers still
hand out bytes (the codec turns the ints back on reading), so Whoosh's own
writer and readers work with the format unchanged.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.formats import Positions
from whoosh.matching import ListMatcher


def encode_positions(poslist) -> bytes:
    """Ascending positions as varint deltas (the first from 0)."""
    out = bytearray()
    prev = 0
    for p in poslist:
        d = p - prev
        prev = p
        while d >= 0x80:
            out.append(d & 0x7F | 0x80)
            d >>= 7
        out.append(d)
    return bytes(out)


def decode_positions(value: bytes) -> list[int]:
    out = []
    pos = 0
    d = shift = 0
    for b in value:
        d |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
            continue
        pos += d
        out.append(pos)
        d = shift = 0
    return out


def to_int(value: bytes) -> int:
    """A value as the int the codec stores (a high byte 1 keeps its length)."""
    return int.from_bytes(value + b"\x01", "little")


def to_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "little")[:-1]


class CompactPositions(Positions):
    """Positions as varint deltas (see the module notes)."""

    compact = True  # CompactCodec stores this format's values as ints

    def encode(self, poslist) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring) -> list[int]:
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring) -> int:
        return sum(1 for b in valuestring if b < 0x80)


class _CompactPostingsWriter(W3PostingsWriter):
    def _mini_values(self):
        values = self._values
        if getattr(self._format, "compact", False) and values:
            if type(values[0]) is int:  # the bulk writer's, already ints
                return tuple(values)
            return tuple(int.from_bytes(v + b"\x01", "little") for v in values)
        return super()._mini_values()

    def add_posting(self, id_, weight, vbytes, length=None):
        # Whoosh's add_posting insists on bytes; the bulk writer hands ints
        if type(vbytes) is int:
            vbytes = to_bytes(vbytes)
        super().add_posting(id_, weight, vbytes, length)


class _CompactLeafMatcher(W3LeafMatcher):
    def _read_values(self):
        super()._read_values()
        if getattr(self.format, "compact", False):
            self._values = tuple(to_bytes(n) if type(n) is int else n for n in self._values)


class CompactCodec(W3Codec):
    """Whoosh's codec, storing the values of a :class:`CompactPositions`
    field as ints. Segments remember their codec, so readers use it too."""

    def postings_writer(self, dbfile, byteids=False):
        return _CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a term of one document (see postings_file.inlined_entry)
            ids, weights, values = terminfo.inlined_postings()
            fixed = format_.fixed_value_size()
            if fixed == 0:
                values = (None,) * len(ids)  # as the codec's matcher gives them
            elif getattr(format_, "compact", False):
                values = tuple(to_bytes(n) if type(n) is int else n for n in values)
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return _CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
