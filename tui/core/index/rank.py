"""Ranking a costly query from bitsets, by Whoosh's own formula.

Whoosh scores a query by decoding every posting of its terms (~2 us each): a
query with a common word takes hundreds of milliseconds at 100,000 papers.
:class:`Ranker` ranks the matches of such a query (a bitset) instead:

1. each word of the query is a feature per field (title, abstract) whose
   documents are a bitset; its weight is its BM25 score at the field's
   average length (Whoosh's idf, field boost, B and K1);
2. the documents' weighted sums are added up bit-sliced (plane i holds bit i
   of each document's sum, weights rounded to a few levels), and the best
   levels give the candidates -- a few times the page;
3. the candidates are scored as Whoosh would score them if every word
   occurred once: the BM25 of each term they have at their own field
   lengths (the byte Whoosh keeps per document), times the term's boost;
   the title phrase of the query words counts again, times
   :data:`PHRASE_BOOST`, as Whoosh's phrase boost does.

Papers whose title is the query (or has the query's symbols as written) come
first, as their boosts make them in Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log
from whoosh import query as wq

from .docsets import DocSets, _docs_of
from .phrases import phrase_docs

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
# Every word counts once here, so a long abstract is not credited with the
# repeats it likely has: its length counts for less than in Whoosh's BM25
# (measured on the known-item set at 100,000 papers: 0.5 ranked best, within noise).
FIELD_B = {"abstract": 0.5}
PHRASE_BOOST = 4.0  # the title phrase of the query words (query.py gives Whoosh the same)
PHRASE_SLOP = 2  # ... with at most one other word between two of them
PHRASE_BATCH = 32  # candidates beyond those wanted whose title phrase is checked at first
LEVELS = 15  # weights are rounded to 1..LEVELS for choosing candidates
FIELDS = ("title", "abstract")


@dataclass
class Feature:
    """One term of a text field in the query."""

    fieldname: str
    text: str
    boost: float
    group: int  # the query word it stands for
    bits: int = 0
    idf: float = 0.0


def features(q) -> list[Feature]:
    """The terms of ``q``'s title and abstract fields that add to a score (not
    those under a negation), by query word (:func:`word_groups`)."""
    found: dict[tuple[str, str], Feature] = {}

    def walk(node, group: int, boost: float) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a, group, boost)
            return
        if isinstance(node, wq.Term):
            if node.fieldname in FIELDS and isinstance(node.text, str):
                key = (node.fieldname, node.text)
                b = boost * node.boost
                if key not in found or found[key].boost < b:
                    found[key] = Feature(node.fieldname, node.text, b, group)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname in FIELDS:
                for w in node.words:
                    walk(wq.Term(node.fieldname, w), group, boost * node.boost)
            return
        if not node.is_leaf():
            for child in node.children():
                walk(child, group, boost * getattr(node, "boost", 1.0))

    for i, g in enumerate(word_groups(q)):
        walk(g, i, 1.0)
    return list(found.values())


def word_groups(q) -> list:
    """The parts of ``q`` that stand for one query word each: the children of a
    top-level And or Or (a word's fields and expansions are an Or below)."""
    while isinstance(q, (wq.AndMaybe, wq.AndNot)):
        q = q.a
    if type(q) in (wq.And, wq.Or) and any(not c.is_leaf() for c in q.children()):
        return list(q.children())
    return [q]


class Ranker:
    """Ranks the documents of a bitset, ``hits``, for one query ``q`` (see the
    module's notes); ``boosts`` are the fields' boosts (the weight of one
    occurrence)."""

    def __init__(self, sets: DocSets, boosts: dict[str, float], q, hits: int):
        self.sets = sets
        self.boosts = boosts
        reader = sets.searcher.reader()
        self.n = reader.doc_count_all()
        self.avg = {f: (reader.field_length(f) / (self.n or 1)) or 1 for f in FIELDS}
        self.hits = hits
        self.feats = []
        for f in features(q):
            bits = sets.term(f.fieldname, f.text)
            f.bits = bits & hits
            f.idf = log(self.n / (bits.bit_count() + 1)) + 1
            if f.bits:
                self.feats.append(f)

    def bm25(self, fieldname: str, idf: float, length: float) -> float:
        w = self.boosts.get(fieldname, 1.0)
        b = FIELD_B.get(fieldname, B)
        return idf * (w * (K1 + 1)) / (w + K1 * ((1 - b) + b * length / self.avg[fieldname]))

    def rank(self, need: int, first: int = 0, phrase: list[str] | None = None) -> list[tuple[int, float]]:
        """The ``need`` best documents of the hits with their scores, those of
        ``first`` (exact title, literal symbols) ahead of all."""
        sets = self.sets
        first &= self.hits
        head = self._score(sets.newest(first, need), phrase) if first else []
        head.sort(key=lambda ds: -ds[1])
        out = [(d, s + 1e6) for d, s in head]
        if len(out) >= need:
            return out[:need]
        cands = self._candidates(self.hits & ~first, max(2 * (need - len(out)), need - len(out) + 100))
        scored = self._score(cands, phrase, need - len(out))
        keys = sets.keys
        scored.sort(key=lambda ds: (-ds[1], -keys[ds[0]]))
        return out + scored[:need - len(out)]

    def _candidates(self, hits: int, want: int) -> list[int]:
        """About ``want`` documents of ``hits`` with the largest weighted sums
        of their features (the last level taken newest first)."""
        sets = self.sets
        if hits.bit_count() <= want or not self.feats:
            return sets.newest(hits, want)
        groups: dict[tuple[int, str], tuple[int, float]] = {}
        for f in self.feats:
            bits, w = groups.get((f.group, f.fieldname), (0, 0.0))
            w = max(w, f.boost * self.bm25(f.fieldname, f.idf, self.avg[f.fieldname]))
            groups[f.group, f.fieldname] = (bits | f.bits, w)
        top = max(w for _, w in groups.values())
        planes: list[int] = []
        most = 0
        for bits, w in groups.values():
            level = max(1, round(w / top * LEVELS))
            most += level
            for j in range(level.bit_length()):
                if level >> j & 1:
                    _add(planes, bits & hits, j)
        out: list[int] = []
        for s in range(most, 0, -1):
            docs = hits
            for i, plane in enumerate(planes):
                docs &= plane if s >> i & 1 else ~plane
                if not docs:
                    break
            if docs:
                out += sets.newest(docs, want - len(out))
                if len(out) >= want:
                    break
        if len(out) < want:
            out += sets.newest(hits & ~_bits_of(out), want - len(out))
        return out

    def _score(self, docs: list[int], phrase: list[str] | None,
               keep: int | None = None) -> list[tuple[int, float]]:
        """``docs`` with their scores: each term they have, scored at their own
        field length; the query's title phrase counts again, boosted. With
        ``keep``, only the documents that may be among the ``keep`` best are
        given (see :meth:`_with_phrase`)."""
        if not docs:
            return []
        inside = _bits_of(docs)
        lengths = {f: self.sets.lengths(f) for f in FIELDS}
        score = dict.fromkeys(docs, 0.0)
        title_part: dict[int, float] = {}
        for f in self.feats:
            length = lengths[f.fieldname]
            by_length: dict[int, float] = {}
            in_phrase = f.fieldname == "title" and phrase is not None and f.text in phrase
            for d in _docs_of(f.bits & inside):
                n = length[d]
                s = by_length.get(n)
                if s is None:
                    s = by_length[n] = f.boost * self.bm25(f.fieldname, f.idf, n)
                score[d] += s
                if in_phrase:
                    title_part[d] = title_part.get(d, 0.0) + s
        if not phrase or len(phrase) < 2 or not title_part:
            return list(score.items())
        return self._with_phrase(score, phrase, title_part, keep)

    def _with_phrase(self, score: dict[int, float], phrase: list[str], title_part: dict[int, float],
                     keep: int | None) -> list[tuple[int, float]]:
        """The scores with the title phrase of the query words (a word may
        stand between two of them): their title score again, times
        PHRASE_BOOST. The phrase is checked in the order of the best each
        document could reach, first for ``keep`` and a few more, then as
        many again while a document not checked could still be among the
        ``keep`` best; those not checked are left out."""
        both = _bits_of(list(title_part))
        for w in phrase:
            both &= self.sets.term("title", w)
        keys = self.sets.keys
        upper = dict(score)
        with_words = set(_docs_of(both))
        for d in with_words:
            upper[d] += PHRASE_BOOST * title_part[d]
        order = sorted(upper, key=lambda d: (-upper[d], -keys[d]))
        keep = len(order) if keep is None else keep
        out: list[tuple[int, float]] = []
        i, step = 0, keep + PHRASE_BATCH
        while i < len(order):
            batch = order[i:i + step]
            i += len(batch)
            check = sorted(d for d in batch if d in with_words)
            found = set(phrase_docs(self.sets.searcher, "title", phrase, check, PHRASE_SLOP))
            out += [(d, upper[d] if d in found else score[d]) for d in batch]
            if i < len(order) and len(out) >= keep:
                kth = sorted(((s, keys[d]) for d, s in out), reverse=True)[keep - 1]
                if kth > (upper[order[i]], keys[order[i]]):
                    break
            step = max(keep, PHRASE_BATCH)
        return out


def _add(planes: list[int], bits: int, j: int) -> None:
    """Add ``bits`` times 2**j to the bit-sliced sums ``planes``."""
    while len(planes) < j:
        planes.append(0)
    carry = bits
    i = j
    while carry:
        if i == len(planes):
            planes.append(carry)
            return
        planes[i], carry = planes[i] ^ carry, planes[i] & carry
        i += 1


def _bits_of(docs: list[int]) -> int:
    """The bitset of these documents."""
    b = bytearray((max(docs) >> 3) + 1 if docs else 0)
    for d in docs:
        b[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(b, "little")
