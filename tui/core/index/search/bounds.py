"""Upper bounds of many documents' scores at once.

:class:`Bounds` gives every match of a query an upper bound of its score as
a bit-sliced sum of small whole numbers (levels): each term splits its
documents by frequency (1, 2, 3-4, 5-8, ...) and by groups of field lengths,
and a group's level is the score its most frequent, shortest document could
reach (:class:`~.scores.TermStats`), rounded up. A query whose groups each
score one value has bounds that are its scores (:meth:`Bounds.groups`).
"""

from __future__ import annotations

import math

from whoosh import query as wq

from .bitsets import add_sliced, bits_of
from .leaves import ColumnRange, Docs
from .scores import Scores

LEVELS = 1000  # the best bound a query's documents can have, in levels
LENGTH_GROUPS = 16  # groups of field lengths a term's documents are split into
FINE_TERMS = 12  # terms bounded by frequency and length; the rest by their best score alone


class Unbounded(Exception):
    """A part of a query whose score has no bound known here."""


class Bounds:
    """Upper bounds of the scores of the documents of ``hits`` for ``q``, as
    whole numbers of :attr:`unit` kept bit-sliced: ``planes[i]`` holds the
    documents whose bound has bit i set. Raises :class:`Unbounded` for a
    query with a part it cannot bound."""

    def __init__(self, scores: Scores, q, hits: int):
        self.scores = scores
        self.sets = scores.sets
        self.hits = hits
        terms: list[tuple[str, object, float, int]] = []
        consts: list[tuple[float, int, bool]] = []
        self._parts(q, 1.0, hits, terms, consts)
        cells = []  # per part: [(value, documents, whether every one of them scores the value)]
        for fieldname, text, mult, within in terms:
            cells.append(self._term_cells(fieldname, text, mult, within, exact=within == hits))
        if len(terms) > FINE_TERMS:  # the terms that weigh least: one group each
            order = sorted(range(len(cells)), key=lambda i: -max((v for v, _, _ in cells[i]), default=0.0))
            for i in order[FINE_TERMS:]:
                cells[i] = _coarse(cells[i])
        cells += [[(value, bits, exact)] for value, bits, exact in consts if value > 0 and bits]
        self.cells = cells
        #: every document's score is the sum of its groups' values (see groups)
        self.exact = _flat(q) and all(exact for part in cells for _, _, exact in part)
        top = sum(max((v for v, _, _ in part), default=0.0) for part in cells)
        self.unit = (top / LEVELS) if top > 0 else 1.0
        self.planes: list[int] = []
        for part in cells:
            self._add(part)

    def groups(self, most: int = 64) -> list[tuple[float, int]] | None:
        """When the bounds are the scores (:attr:`exact`: a query of terms
        whose every group scores one value, such as ``is:unread``): the
        documents in groups of one score, best first; None otherwise, or
        past ``most`` groups."""
        if not self.exact:
            return None
        groups = [(0.0, self.hits)]
        for part in self.cells:
            for value, bits, _ in part:
                split = []
                for score, docs in groups:
                    inside = docs & bits
                    if not inside:
                        split.append((score, docs))
                        continue
                    split.append((score + value, inside))
                    if inside != docs:
                        split.append((score, docs ^ inside))
                groups = split
                if len(groups) > most:
                    return None
        return sorted(groups, key=lambda g: -g[0])

    def _parts(self, q, mult: float, within: int, terms: list, consts: list) -> None:
        kind = type(q)
        boost = mult * getattr(q, "boost", 1.0)
        if kind is wq.Term:
            terms.append((q.fieldname, q.text, boost, within))
        elif q is wq.NullQuery or kind is ColumnRange:
            pass
        elif kind in (wq.Or, wq.And):
            for child in q.children():
                self._parts(child, boost, within, terms, consts)
        elif kind is wq.AndMaybe:
            self._parts(q.a, boost, within, terms, consts)
            self._parts(q.b, boost, within, terms, consts)
        elif kind in (wq.AndNot, wq.Require):
            self._parts(q.a, boost, within, terms, consts)
        elif kind is wq.Phrase:
            inside = within
            for w in q.words:
                inside &= self.sets.term(q.fieldname, w)
            if inside:
                for w in q.words:
                    terms.append((q.fieldname, w, boost, inside))
        elif kind is wq.Sequence:
            for child in q.children():
                self._parts(child, boost, within, terms, consts)
        elif kind is Docs:
            consts.append((boost, q.bits & within, True))
        elif kind is wq.Not or (kind is wq.Every and q.fieldname in (None, "*")):
            consts.append((boost, within, False))
        elif isinstance(q, wq.MultiTerm) and getattr(q, "constantscore", False):
            consts.append((boost, within, False))
        else:
            raise Unbounded(kind.__name__)

    def _term_cells(self, fieldname: str, text, mult: float, within: int,
                    exact: bool = True) -> list[tuple[float, int, bool]]:
        """A term's documents in groups, each with the best score one of them
        can have: by frequency (1, 2, 3-4, 5-8 ...) and by field length; a
        group whose documents all score it says so (``exact``: the term
        counts wherever it is)."""
        sets = self.sets
        present = sets.term(fieldname, text) & within
        if not present:
            return []
        st = self.scores.stats(fieldname, text)
        planes = [p & present for p in sets.tf_planes(fieldname, text)]
        by_tf = []  # (highest frequency, documents, whether all have it)
        above = 0
        for j in range(len(planes) - 1, -1, -1):
            group = planes[j] ^ (planes[j] & above)
            if group:
                by_tf.append((2 << j, group, j == 0))
            above |= planes[j]
        rest = present ^ (present & above)
        if rest:
            by_tf.append((1, rest, True))
        if not st.scorable:
            return [(mult * st.score(tf, 0), docs, exact and one) for tf, docs, one in by_tf]
        out = []
        for shortest, longest, docs in sets.length_groups(fieldname, LENGTH_GROUPS):
            for tf, group, one in by_tf:
                cell = group & docs
                if cell:
                    out.append((mult * st.score(tf, shortest), cell, exact and one and shortest == longest))
        return out

    def _add(self, part: list[tuple[float, int]]) -> None:
        """Add one part's levels (each group's value in units, rounded up) to the sums."""
        by_level: dict[int, int] = {}
        for value, bits, _ in part:
            level = math.ceil(value / self.unit * (1 + 1e-9))
            if level > 0:
                by_level[level] = by_level.get(level, 0) | bits
        add_sliced(self.planes, by_level)

    def at_least(self, docs: int, level: int) -> int:
        """The documents of ``docs`` whose bound is ``level`` units or more."""
        if level <= 0:
            return docs
        if level >> len(self.planes):
            return 0
        above, equal = 0, docs
        for j in range(len(self.planes) - 1, -1, -1):
            plane = self.planes[j]
            if level >> j & 1:
                equal &= plane
            else:
                above |= equal & plane
                equal ^= equal & plane
            if not equal:
                break
        return above | equal

    def best(self, docs: int, k: int) -> int:
        """About ``k`` documents of ``docs`` with the highest bounds (all those
        above the k-th's bound, and of those at it, the newest)."""
        if docs.bit_count() <= k:
            return docs
        above, equal = 0, docs
        for j in range(len(self.planes) - 1, -1, -1):
            plane = self.planes[j]
            taken = above | (equal & plane)
            n = taken.bit_count()
            if n > k:
                equal &= plane
            elif n < k:
                above = taken
                equal ^= equal & plane
            else:
                return taken
        return above | bits_of(self.sets.newest(equal, k - above.bit_count()))


def _coarse(cells: list[tuple[float, int, bool]]) -> list[tuple[float, int, bool]]:
    """A term's groups as one, with the best value of them."""
    if len(cells) <= 1:
        return cells
    bits = 0
    for _, b, _ in cells:
        bits |= b
    return [(max(v for v, _, _ in cells), bits, False)]


def _flat(q, top: bool = True) -> bool:
    """Whether each term of ``q`` counts wherever it is in a match of ``q``:
    terms under ``Or``, and under an ``And`` (or the first part of an
    ``AndMaybe``) only at the top."""
    kind = type(q)
    if kind in (wq.Term, Docs, ColumnRange) or q is wq.NullQuery:
        return True
    if kind is wq.Or:
        return all(_flat(c, False) for c in q.children())
    if kind is wq.And:
        return top and all(_flat(c, False) for c in q.children())
    if kind is wq.AndMaybe:
        return _flat(q.a, top) and _flat(q.b, False)
    return False
