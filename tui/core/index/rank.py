"""Ranking: every query by Whoosh's own BM25F, over the real term frequencies
and field lengths, exactly; fast because most matches are never scored.

* :class:`Scores` gives the exact score of chosen documents for a query tree,
  as Whoosh's matchers would: a term's BM25 at the document's own frequency
  (:meth:`~.docsets.DocSets.tf_planes`) and field length, times its boost;
  ``Or``, ``And``, ``AndMaybe`` add their parts, a phrase adds its words'
  scores times its boost, ``Not`` and a constant-score part add their boost.
  A part of another kind is scored by Whoosh's own matcher.
* :class:`Bounds` gives every match an upper bound of its score at once, as
  a bit-sliced sum of small whole numbers (levels): each term splits its
  documents by frequency (1, 2, 3-4, 5-8, ...) and by field length (a few
  groups of lengths), and a group's level is the score its most frequent,
  shortest document could reach, rounded up.
* :meth:`Ranking.best` scores the matches with the highest bounds first; once
  a page is full, its last score is a threshold, and only the documents
  whose bound reaches it are scored -- the others provably cannot enter
  the page. The result is the page Whoosh's scorer would give over every
  match, ties broken newest first.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass

from whoosh import query as wq

from .docsets import ColumnRange, Docs, DocSets, _docs_of
from .phrases import phrase_docs

PHRASE_BOOST = 4.0  # the title phrase of the query words (query.py gives it as a boost)
PHRASE_SLOP = 2  # ... with at most one other word between two of them
LEVELS = 1000  # the best bound a query's documents can have, in levels
LENGTH_GROUPS = 16  # groups of field lengths a term's documents are split into
FINE_TERMS = 12  # terms bounded by frequency and length; the rest by their best score alone
SCORE_ALL = 1000  # matches up to this many are all scored
CHUNK = 4096  # documents scored at a time
TIE_DIGITS = 9  # decimals of a score that count: equal scores added in another order differ further down


class Unbounded(Exception):
    """A part of a query whose score has no bound known here."""


@dataclass
class TermStats:
    """What Whoosh's scorer of one term uses: the term's idf, its field's
    average length, B and K1, the field's boost (a posting's weight is the
    term's frequency times it) and whether the field is scored by BM25 (else
    a posting scores its weight)."""

    idf: float
    avgfl: float
    b: float
    k1: float
    boost: float
    scorable: bool

    def score(self, tf: int, length: int) -> float:
        weight = tf * self.boost
        if not self.scorable:
            return weight
        # whoosh.scoring.bm25, term for term (the same float operations)
        k1, b = self.k1, self.b
        return self.idf * ((weight * (k1 + 1)) / (weight + k1 * ((1 - b) + b * length / self.avgfl)))


class Scores:
    """Exact scores of chosen documents for query trees, over one searcher."""

    def __init__(self, sets: DocSets):
        self.sets = sets
        self.searcher = sets.searcher
        self.schema = self.searcher.schema
        weighting = self.searcher.weighting
        self._k1 = weighting.K1
        self._b = weighting.B
        self._field_b = getattr(weighting, "_field_B", {})
        self._stats: dict[tuple[str, object], TermStats] = {}
        self._set: tuple[list[int] | None, set[int]] = (None, set())  # the last list of documents as a set

    def stats(self, fieldname: str, text) -> TermStats:
        key = (fieldname, text)
        st = self._stats.get(key)
        if st is None:
            field = self.schema[fieldname]
            scorable = bool(field.scorable)
            s = self.searcher
            st = self._stats[key] = TermStats(
                idf=s.idf(fieldname, text) if scorable else 0.0,
                avgfl=(s.avg_field_length(fieldname) or 1) if scorable else 1.0,
                b=self._field_b.get(fieldname, self._b), k1=self._k1,
                boost=field.format.field_boost, scorable=scorable)
        return st

    def of(self, q, docs: list[int], hopeful: bool = False) -> dict[int, float]:
        """The documents of ``docs`` (ascending) that ``q`` matches, with their
        scores (in the same order). ``hopeful``: phrases and sequences are
        taken to match wherever their words are (not checked): more
        documents, none scored lower than it would be -- an upper bound that
        costs no positions."""
        kind = type(q)
        if not docs or q is wq.NullQuery:
            return {}
        if kind is wq.Term:
            return self._term(q.fieldname, q.text, docs, q.boost)
        if kind is wq.Or:
            parts = [p for p in (self.of(child, docs, hopeful) for child in q.children()) if p]
            if len(parts) > 1:
                order = sorted(set().union(*parts))
                return _boosted(_added(parts, order), q.boost)
            return _boosted(parts[0], q.boost) if parts else {}
        if kind is wq.And or (hopeful and kind is wq.Sequence):
            matched, parts = docs, []
            for child in q.children():
                part = self.of(child, matched, hopeful)
                if not part:
                    return {}
                matched = list(part)
                parts.append(part)
            return _boosted(_added(parts, matched), q.boost)
        if kind is wq.AndMaybe:
            sa = self.of(q.a, docs, hopeful)
            sb = self.of(q.b, list(sa), hopeful) if sa else {}
            return _boosted(_added([sa, sb], list(sa)) if sb else sa, q.boost)
        if kind in (wq.AndNot, wq.Require):
            sa = self.of(q.a, docs, hopeful)
            if not sa:
                return {}
            if hopeful and kind is wq.AndNot and not _sure(q.b):
                return _boosted(sa, q.boost)  # a phrase it excludes may not be there
            inside = set(self.matching(q.b, list(sa)))
            keep = (lambda d: d not in inside) if kind is wq.AndNot else inside.__contains__
            return _boosted({d: v for d, v in sa.items() if keep(d)}, q.boost)
        if kind is wq.Not:
            if hopeful and not _sure(q.query):
                return dict.fromkeys(docs, q.boost)
            inside = set(self.matching(q.query, docs))
            return {d: q.boost for d in docs if d not in inside}
        if kind is wq.Phrase:
            return self._phrase(q, docs, hopeful)
        if kind is Docs:
            return dict.fromkeys(_among(self.sets.bytes_of(q.bits & self.sets.live), docs), q.weight)
        if kind is ColumnRange:
            return dict.fromkeys(_among(self.sets.bytes_of(self.sets.in_range(q.column, q.low, q.high)), docs), 0.0)
        if kind is wq.Every and q.fieldname in (None, "*"):
            return dict.fromkeys(docs, q.boost)
        return self._whoosh(q, docs)

    def matching(self, q, docs: list[int]) -> list[int]:
        """The documents of ``docs`` (ascending) that ``q`` matches."""
        bits = self.sets.evaluate(q)
        if bits is not None:
            return _among(self.sets.bytes_of(bits), docs)
        return list(self.of(q, docs))

    def _term(self, fieldname: str, text, docs: list[int], boost: float = 1.0) -> dict[int, float]:
        sets = self.sets
        own = sets.term_docs(fieldname, text, most=len(docs) // 4)
        if own is not None:  # a rarer term than there are documents: its own are fewer to test
            if self._set[0] is not docs:
                self._set = (docs, set(docs))
            inside = self._set[1]
            matched = [d for d in own if d in inside]
        else:
            matched = _among(sets.term_bytes(fieldname, text), docs)
        if not matched:
            return {}
        tfs = dict.fromkeys(matched, 1)
        for j, plane in enumerate(sets.tf_bytes(fieldname, text)):
            step = 1 << j
            for d in _among(plane, matched):
                tfs[d] += step
        st = self.stats(fieldname, text)
        lengths = sets.lengths(fieldname) if st.scorable else None
        memo: dict[tuple[int, int], float] = {}
        out = {}
        for d, tf in tfs.items():
            n = lengths[d] if lengths is not None else 0
            s = memo.get((tf, n))
            if s is None:
                s = memo[tf, n] = st.score(tf, n)
            out[d] = s
        return _boosted(out, boost)

    def _phrase(self, q, docs: list[int], hopeful: bool = False) -> dict[int, float]:
        """A phrase: its words in order (checked from their positions, unless
        ``hopeful``); the score of its words, times its boost, as Whoosh's
        span matcher gives."""
        words = list(q.words)
        if not words or q.fieldname not in self.schema:
            return {}
        candidates = docs
        for w in words:
            candidates = _among(self.sets.term_bytes(q.fieldname, w), candidates)
            if not candidates:
                return {}
        found = candidates if hopeful else phrase_docs(self.sets, q.fieldname, words, candidates, q.slop)
        if not found:
            return {}
        parts = [self._term(q.fieldname, w, found) for w in words]
        return _boosted(_added(parts, found), q.boost)

    def _whoosh(self, q, docs: list[int]) -> dict[int, float]:
        """A part of another kind, matched and scored by Whoosh's matcher."""
        out = {}
        i = 0
        for sub, off in self.searcher.leaf_searchers():
            end = off + sub.doc_count_all()
            j = bisect.bisect_left(docs, end, i)
            if j > i:
                m = q.matcher(sub, sub.context())
                for d in docs[i:j]:
                    if not m.is_active():
                        break
                    if m.id() < d - off:
                        m.skip_to(d - off)
                    if m.is_active() and m.id() == d - off:
                        out[d] = m.score()
            i = j
        return out


def _among(member: bytes, docs: list[int]) -> list[int]:
    """Those of ``docs`` whose bit is set in the bitset ``member`` (as bytes)."""
    return [d for d in docs if member[d >> 3] >> (d & 7) & 1]


def _sure(q) -> bool:
    """Whether ``q``'s matches are known without positions (no phrase or
    sequence in it), so a hopeful score can rely on them."""
    if isinstance(q, (wq.Phrase, wq.Sequence)):
        return False
    return q.is_leaf() or all(_sure(c) for c in q.children())


def _added(parts: list[dict[int, float]], order: list[int]) -> dict[int, float]:
    """The parts' scores added (in the parts' order), for the documents of ``order``."""
    out = dict.fromkeys(order, 0.0)
    for p in parts:
        if len(p) <= len(out):
            for d, v in p.items():
                if d in out:
                    out[d] += v
        else:
            for d in order:
                v = p.get(d)
                if v is not None:
                    out[d] += v
    return out


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}


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
        adding: list[int] = []
        for level, bits in by_level.items():
            j = 0
            while level:
                if level & 1:
                    while len(adding) <= j:
                        adding.append(0)
                    adding[j] |= bits
                level >>= 1
                j += 1
        carry = 0
        planes = self.planes
        for j in range(max(len(planes), len(adding))):
            a = planes[j] if j < len(planes) else 0
            x = adding[j] if j < len(adding) else 0
            s = a ^ x
            total = s ^ carry
            carry = (a & x) | (carry & s)
            if j < len(planes):
                planes[j] = total
            else:
                planes.append(total)
        if carry:
            planes.append(carry)

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
        return above | _bits_of(self.sets.newest(equal, k - above.bit_count()))


class Ranking:
    """The best documents of a set of matches for one query: scored exactly,
    bounded first (see the module's notes)."""

    def __init__(self, sets: DocSets, q):
        self.sets = sets
        self.q = q
        self.scores = Scores(sets)
        self.hopeful = not _sure(q)  # phrases to check: their hopeful scores first
        self.checked = 0  # documents whose match was checked
        self.matched = 0  # ... of which matched

    def best(self, hits: int, need: int, at_least: int = 0) -> list[tuple[int, float]]:
        """The ``need`` best matches of ``q`` among ``hits`` (every match of q
        in it, and maybe documents that do not match), ranked by score, ties
        newest first. ``at_least``: check this many documents at the least
        (to estimate how many of ``hits`` match)."""
        if need <= 0 or not hits:
            return []
        found: list[tuple[float, int, int]] = []  # (score, key, doc) of checked matches
        if hits.bit_count() <= max(SCORE_ALL, at_least):
            self._check(hits, found)
            return _ranked(found, need)
        try:
            bounds = Bounds(self.scores, self.q, hits)
        except Unbounded:  # score them all, a chunk at a time
            left = hits
            while left:
                chunk = _bits_of(_docs_of(left)[:CHUNK])
                self._check(chunk, found)
                left ^= chunk
            return _ranked(found, need)
        groups = None if self.hopeful else bounds.groups()
        if groups is not None:
            return self._from_groups(groups, need)
        pool: dict[int, float] = {}  # hopeful scores of documents not checked yet
        left = hits
        threshold = None  # the need-th best score found, once need are found
        step = max(need + need // 2, 64, min(at_least, CHUNK))
        while True:
            if threshold is not None:
                for d in [d for d, s in pool.items() if s < threshold]:
                    del pool[d]
            if pool and (threshold is not None or len(found) + len(pool) >= need or not left):
                batch = heapq.nlargest(max(need - len(found) + 16, 32), pool.items(), key=lambda ds: ds[1])
                for d, _ in batch:
                    del pool[d]
                self._check(sorted(d for d, _ in batch), found)
            elif left and threshold is None:
                chunk = bounds.best(left, step)
                step = min(step * 2, CHUNK)
                left ^= chunk
                self._take(chunk, found, pool)
            elif left:
                chunk = bounds.at_least(left, math.floor(threshold / bounds.unit * (1 - 1e-9)))
                if not chunk:
                    left = 0
                    continue
                if chunk.bit_count() > CHUNK:
                    chunk = bounds.best(chunk, CHUNK)
                left ^= chunk
                self._take(chunk, found, pool, threshold)
            elif self.checked < at_least and pool:
                threshold = None
                continue
            else:
                break
            if len(found) >= need and self.checked >= at_least:
                found = heapq.nlargest(need, found)
                threshold = found[-1][0]
        return _ranked(found, need)

    def _from_groups(self, groups: list[tuple[float, int]], need: int) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        for score, docs in groups:
            out += [(d, score) for d in self.sets.newest(docs, need - len(out))]
            if len(out) >= need:
                break
        self.checked = self.matched = len(out)
        return out

    def _take(self, docs: int, found: list, pool: dict, threshold: float | None = None) -> None:
        """Score the documents of ``docs``: exactly, or with phrases to check,
        hopefully into ``pool`` (those that can reach ``threshold``)."""
        if not self.hopeful:
            self._check(docs, found)
            return
        hoped = self.scores.of(self.q, _docs_of(docs), hopeful=True)
        for d, s in hoped.items():
            s = round(s, TIE_DIGITS)
            if threshold is None or s >= threshold:
                pool[d] = s

    def _check(self, docs: int, found: list) -> None:
        """Score ``docs`` exactly (phrases checked) and add the matches to ``found``."""
        keys = self.sets.keys
        docs = _docs_of(docs) if isinstance(docs, int) else docs
        scores = self.scores.of(self.q, docs)
        self.checked += len(docs)
        self.matched += len(scores)
        found += [(round(s, TIE_DIGITS), keys[d], d) for d, s in scores.items()]


def _ranked(found: list[tuple[float, int, int]], need: int) -> list[tuple[int, float]]:
    return [(d, s) for s, _, d in heapq.nlargest(need, found)]


def rank_key(score: float, key: int) -> tuple[float, int]:
    """The order of a page (larger first): the score, where scores that
    differ only in how their float sums were added up count as equal
    (:data:`TIE_DIGITS`), then the newest."""
    return round(score, TIE_DIGITS), key


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


def _bits_of(docs) -> int:
    """The bitset of these documents."""
    docs = list(docs)
    b = bytearray((max(docs) >> 3) + 1 if docs else 0)
    for d in docs:
        b[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(b, "little")
