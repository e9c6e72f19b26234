"""Exact scores of chosen documents, as Whoosh's BM25F gives them.

:class:`Scores` scores the documents of a list for a query tree the way
Whoosh's matchers would: a term's BM25 at the document's own frequency (the
frequency planes, :meth:`~.docsets.DocSets.tf_planes`) and field length,
times its boost; ``Or``, ``And``, ``AndMaybe`` add their parts, a phrase adds
its words' scores times its boost, ``Not`` and constant-score parts add their
boost; a part of another kind is scored by Whoosh's own matcher. A hopeful
score takes phrases to be wherever their words are: never lower, and
without reading positions.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from whoosh import query as wq

from .docsets import DocSets
from .leaves import ColumnRange, Docs
from .phrases import phrase_docs

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


