"""A linear score of every document at once, from the term bitsets: the
sort order a model learned from the user's decisions ranks by (for you,
:mod:`tui.core.foryou`).

A :class:`Linear` holds whole-number levels for terms of the title and the
abstract; a document's score is ``bias + unit × scale × Σ level`` over the
terms it has (present or not: no frequencies), where ``scale`` is
``1/sqrt(length)`` of the document's length group (:data:`LENGTH_EDGES`,
title and abstract tokens as the index keeps them). The sums are added
bit-sliced (:func:`~.bitsets.add_sliced`: one pass over a few 100,000-bit
integers per term) and read out per document in a few byte-level steps, so
that scoring 100,000 documents costs tens of milliseconds, not the seconds a
loop over each term's documents takes. :func:`keys` turns the scores into
the per-document keys the sorted searches take (:meth:`~.docsets.DocSets.top`).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

from .bitsets import add_sliced
from .docsets import DocSets

#: the lower ends of the length groups (title and abstract tokens); a
#: document's scale is 1/sqrt of its group's lower end (32 at the least)
LENGTH_EDGES = (0, 48, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320, 384, 512)
_BIT_OF_BYTE = [bytes(b >> i & 1 for b in range(256)) for i in range(8)]


@dataclass(frozen=True)
class Linear:
    """``levels``: ((field, term, level), ...), each level a whole number
    (negative against); ``unit``: what one level is worth; ``bias``."""

    levels: tuple[tuple[str, str, int], ...]
    unit: float
    bias: float = 0.0


def group_of(length: int) -> int:
    """The length group of a document of ``length`` tokens."""
    g = 0
    for i, edge in enumerate(LENGTH_EDGES):
        if length >= edge:
            g = i
    return g


def scale_of(group: int) -> float:
    return 1.0 / math.sqrt(max(32, LENGTH_EDGES[group]))


def lengths(sets: DocSets) -> list[int]:
    """Each document's title and abstract tokens, as the index keeps them."""
    return [a + b for a, b in zip(sets.lengths("title"), sets.lengths("abstract"))]


def sums(sets: DocSets, levels) -> list[int]:
    """Each document's sum of the levels of the (field, term) it has."""
    plus: list[int] = []
    minus: list[int] = []
    for fieldname, term, level in levels:
        if not level:
            continue
        bits = sets.term(fieldname, term)
        if bits:
            add_sliced(plus if level > 0 else minus, {abs(level): bits})
    got = _values(plus, sets.size)
    if minus:
        got = [p - m for p, m in zip(got, _values(minus, sets.size))]
    return got


def scores(sets: DocSets, linear: Linear) -> list[float]:
    """Each document's score (see the module's doc)."""
    scales = [scale_of(g) for g in range(len(LENGTH_EDGES))]
    unit, bias = linear.unit, linear.bias
    groups = [group_of(n) for n in range(LENGTH_EDGES[-1] + 1)]
    top = len(groups) - 1
    return [bias + unit * scales[groups[min(n, top)]] * s for s, n in zip(sums(sets, linear.levels), lengths(sets))]


def scores_of(sets: DocSets, linear: Linear, bits: int) -> dict[int, float]:
    """The scores of the documents of ``bits`` alone, each as :func:`scores`
    has it: for a few thousand documents, without scoring every one."""
    from .bitsets import docs_of

    docs = docs_of(bits)
    sums = dict.fromkeys(docs, 0)
    if not docs:
        return {}
    low = docs[0]  # a day's papers lie close together: their stretch of the bitsets alone
    part = bits >> low
    for fieldname, term, level in linear.levels:
        if level:
            for d in docs_of((sets.term(fieldname, term) >> low) & part):
                sums[d + low] += level
    title, abstract = sets.lengths("title"), sets.lengths("abstract")
    unit, bias = linear.unit, linear.bias
    return {d: bias + unit * scale_of(group_of(title[d] + abstract[d])) * s for d, s in sums.items()}


def keys(sets: DocSets, linear: Linear) -> list[int]:
    """Per-document keys in the order of the scores, ties newest first (as
    ``by_votes`` keys the upvotes order), for :meth:`~.docsets.DocSets.top`."""
    order = sets.keys
    got = scores(sets, linear)
    ranked = sorted(set(got))
    place = {s: i for i, s in enumerate(ranked)}
    return [place[s] << 64 | k for s, k in zip(got, order)]


def _values(planes: list[int], size: int) -> list[int]:
    """The per-document numbers of bit-sliced ``planes`` (plane j: bit j)."""
    if not planes:
        return [0] * size
    nbytes = (size >> 3) + 1
    width = 4 if len(planes) > 16 else 2
    total = 0
    for j, plane in enumerate(planes):
        data = plane.to_bytes(nbytes, "little")
        lanes = bytearray(nbytes * 8 * width)
        for i in range(8):
            lanes[i * width::8 * width] = data.translate(_BIT_OF_BYTE[i])
        total += int.from_bytes(lanes, "little") << j
    out = array("I" if width == 4 else "H")
    out.frombytes(total.to_bytes(nbytes * 8 * width, "little"))
    if out.itemsize != width:  # pragma: no cover - platforms where "I" is not 4 bytes
        raise RuntimeError("unexpected array item size")
    if __import__("sys").byteorder != "little":  # pragma: no cover
        out.byteswap()
    return out.tolist()[:size]
