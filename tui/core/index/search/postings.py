"""A term's postings in one segment, read the short way.

Whoosh's matcher walks a term's blocks one after the other, reading each
block's header with ``pickle.load`` on the (compound) file: a dozen small
reads a block, ~20 us each; to check a phrase in a few hundred documents
spread over a common word's postings it read thousands of headers.
:class:`TermBlocks` reads a term's postings region once, notes where each
block lies and its last document, and decodes only the blocks asked for
(:class:`Cursor`); what it decodes is what the matcher decodes (ids,
weights, positions), so the answers are the same.
"""

from __future__ import annotations

import bisect
import io
import pickle
import struct
import zlib

from itertools import accumulate

from ..build.codec import decode_positions, to_bytes

_LENGTH = struct.Struct("!i")
_MAGIC = b"W3Bl"


class BlockIndex:
    """Where a term's blocks lie in a segment's postings file (see the module
    notes): each block's last document and the span of its data; a term of
    one posting keeps it in its term entry (``inline``). It holds no file:
    a segment's index is kept across searchers, whose readers open the file
    anew (:class:`TermBlocks` pairs it with the file of the reader in use)."""

    def __init__(self, last: list[int], spans: list[tuple[int, int, int]], inline: tuple | None = None):
        self.last = last  # each block's last document
        self.spans = spans  # each block's data: (start, end, compression)
        self.inline = inline  # (ids, weights, values) of an inlined term

    @classmethod
    def read(cls, reader, fieldname: str, tbytes: bytes) -> "BlockIndex | None":
        """The term's blocks in ``reader``'s segment, or None if it has none."""
        if (fieldname, tbytes) not in reader:
            return None
        info = reader.term_info(fieldname, tbytes)
        if info.is_inlined():
            ids, weights, values = info.inlined_postings()
            return cls([ids[-1]] if ids else [], [], (tuple(ids), tuple(weights), tuple(values)))
        offset, length = info.extent()
        if isinstance(length, tuple):  # as Whoosh's term info reads it back
            length = length[0]
        data = reader._terms._postfile.get(offset, length)
        if data[:4] != _MAGIC:
            raise ValueError("not a block of postings")
        last, spans = [], []
        pos = 4
        while pos < len(data):
            size = _LENGTH.unpack_from(data, pos)[0]
            start, end = pos + 4, pos + 4 + abs(size)
            stream = io.BytesIO(data[start:end])
            count, maxid, _, compression, _, _ = pickle.load(stream)
            last.append(maxid)
            spans.append((offset + start + stream.tell(), offset + end, compression))
            if size < 0:
                break
            pos = end
        return cls(last, spans)


class TermBlocks:
    """A term's blocks (its :class:`BlockIndex`) read from the postings file
    of the segment reader in use; ``key`` names the term in its segment."""

    def __init__(self, index: BlockIndex, postfile, key: tuple):
        self.index = index
        self.last = index.last
        self.postfile = postfile
        self.key = key

    @classmethod
    def read(cls, reader, fieldname: str, tbytes: bytes) -> "TermBlocks | None":
        index = BlockIndex.read(reader, fieldname, tbytes)
        if index is None:
            return None
        return cls(index, reader._terms._postfile, (reader.segment().segment_id(), fieldname, tbytes))

    def block(self, k: int) -> tuple[list[int], object, tuple]:
        """Block ``k``'s document ids, weights and values, as stored."""
        inline = self.index.inline
        if inline is not None:
            return list(inline[0]), inline[1], inline[2]
        start, end, compression = self.index.spans[k]
        raw = self.postfile.get(start, end - start)
        ids, weights, values = pickle.loads(zlib.decompress(raw) if compression else raw)
        return list(accumulate(ids)), weights, values  # the ids are stored as deltas

    def __len__(self) -> int:
        return len(self.index.spans) if self.index.inline is None else 1

    def postings(self) -> tuple[list[int], list[float]]:
        """Every document id and weight, in order."""
        ids: list[int] = []
        weights: list[float] = []
        for k in range(len(self)):
            block_ids, block_weights, _ = self.block(k)
            ids += block_ids
            if block_weights is None:
                weights += [1.0] * len(block_ids)
            elif isinstance(block_weights, float):
                weights += [block_weights] * len(block_ids)
            else:
                weights += block_weights
        return ids, weights


class Decoded:
    """The blocks decoded last (at most :attr:`LIMIT`, ~10 kB each), shared by
    the cursors of one searcher: the checks of a query's phrases, and of the
    next query typed, read the same blocks again."""

    LIMIT = 2048

    def __init__(self):
        self._blocks: dict[tuple, tuple] = {}

    def get(self, blocks: TermBlocks, k: int) -> tuple:
        key = (blocks.key, k)
        got = self._blocks.pop(key, None)
        if got is None:
            got = blocks.block(k)
            if len(self._blocks) >= self.LIMIT:
                self._blocks.pop(next(iter(self._blocks)))
        self._blocks[key] = got  # the newest last
        return got


class Cursor:
    """Positions of a term in documents asked for in ascending order
    (``format``: the field's, which decodes the positions it stored)."""

    def __init__(self, blocks: TermBlocks, format_, decoded: Decoded | None = None):
        self.blocks = blocks
        self.format = format_
        self.decoded = decoded
        self.k = -1
        self.ids: list[int] = []
        self.values: tuple = ()

    def positions(self, doc: int) -> list[int] | None:
        """The term's positions in ``doc`` (of the segment), or None."""
        blocks = self.blocks
        k = bisect.bisect_left(blocks.last, doc, max(self.k, 0))
        if k >= len(blocks.last):
            return None
        if k != self.k:
            self.k = k
            self.ids, _, self.values = self.decoded.get(blocks, k) if self.decoded else blocks.block(k)
        i = bisect.bisect_left(self.ids, doc)
        if i == len(self.ids) or self.ids[i] != doc:
            return None
        value = self.values[i]
        if type(value) is int:  # the compact codec's (see codec.py)
            return decode_positions(to_bytes(value))
        return self.format.decode_positions(value)
