"""For you: papers ranked by a model learned from the user's own decisions.

Positives are the papers bookmarked (triage's keep bookmarks too), tagged
(not with ``later``, triage's "put off", nor a watch's ``watch:`` tag) or
noted; negatives are the papers skipped in triage (weight 1) and, weaker,
the papers opened and left: read, with nothing else (weight 0.4). As
arxiv-sanity does, a sample of the other papers stands in as weak negatives
(weight 0.15), so that the model learns what sets the positives apart from
the corpus and not only from the few skips.

The model is a logistic regression over each paper's term weights: every
distinct term of its title (counted twice) and abstract, as the index
analyses them, weighs its idf, the whole scaled by ``1/sqrt`` of the paper's
length group (:mod:`~.index.search.linear`). It starts from the difference
of the centroids (Rocchio) and takes a few passes of stochastic gradient
descent in plain Python: well under a second for hundreds of decisions. Its
weights are then made whole numbers (:data:`LEVELS` for the strongest) and
those are the model: the index scores every paper with them from its term
bitsets at once (:func:`~.index.search.linear.keys`), and
:func:`reference_scores` scores a paper the straightforward way, from its
analysed text, for the tests to hold the two equal.

With no positive decision yet there is nothing to learn: the ranking says so
and falls back to upvotes (then newest).
"""

from __future__ import annotations

import math
import random
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from .index.search.linear import Linear, group_of, scale_of, scores_of
from .index.search.linear import keys as linear_keys
from .index.search.linear import lengths as linear_lengths

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index
    from .library import Library
    from .papers import Paper

SORT = "for-you"
TITLE_TIMES = 2  # a word of the title counts as this many of the abstract
NOT_POSITIVE_TAGS = ("later",)
SKIP_WEIGHT, LEFT_WEIGHT, BACKGROUND_WEIGHT = 1.0, 0.4, 0.15
BACKGROUND = 200  # papers sampled as weak negatives
LIKE_TERMS = 6  # a paper's strongest terms that find the kept paper it is most like
MOST = {"positives": 400, "skipped": 300, "left": 150}  # the newest decisions of each kind learned from
MAX_TERMS = 200  # terms kept for scoring, strongest first
LEVELS = 127  # the strongest term's weight as a whole number
EPOCHS, RATE, L2 = 8, 0.5, 1e-4
ROCCHIO_NEG = 0.75
FEW = 5000  # candidates scored alone; more, through every document's key
MIN_SHARE = 0.1  # a term learned from must be in this share of the positives (two at least)
_FEATURES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_MODELS: dict[tuple, "Model"] = {}
_IDF: dict[tuple[int, str], float] = {}
_DECISIONS: "tuple[tuple, Decisions] | None" = None  # the last ones read, and the library state they were read at
_DOCNUMS: dict[str, int] = {}  # paper id -> its document when last looked up (checked before use)


@dataclass(frozen=True)
class Decisions:
    positives: tuple[str, ...]
    skipped: tuple[str, ...]
    left: tuple[str, ...]  # opened and left: read, nothing else

    @property
    def decided(self) -> frozenset[str]:
        return frozenset(self.positives) | frozenset(self.skipped) | frozenset(self.left)


def decisions(library: "Library") -> Decisions:
    """The user's decisions, from the library: a bookmark, a tag or a note
    outweighs a skip. The newest :data:`MOST` of each kind (a year of reading
    leaves thousands of papers read: training stays within a second). Kept
    while the library stays as it is: a search sorted for you asks at every key."""
    global _DECISIONS
    key = (str(library.path), library.generation(), library.outside_version(), library.visits.skips_version())
    if _DECISIONS is not None and _DECISIONS[0] == key:
        return _DECISIONS[1]
    got = _decisions(library)
    _DECISIONS = (key, got)
    return got


def _decisions(library: "Library") -> Decisions:
    skipped = {pid: i for i, pid in enumerate(library.visits.skipped_ids())}  # oldest skip first
    pos, left = [], []
    for r in library.all_records():
        tags = [t for t in r.tags if t not in NOT_POSITIVE_TAGS and not t.startswith("watch:")]
        if r.bookmarked_at or tags or r.note:
            when = max(t for t in (r.bookmarked_at, r.note_updated, r.read_at, "") if t is not None)
            pos.append((when, r.id))
            skipped.pop(r.id, None)
        elif r.read_at and r.id not in skipped:
            left.append((r.read_at, r.id))
    newest = lambda pairs, kind: tuple(sorted(pid for _, pid in sorted(pairs, reverse=True)[:MOST[kind]]))  # noqa: E731
    return Decisions(newest(pos, "positives"), newest([(i, p) for p, i in skipped.items()], "skipped"),
                     newest(left, "left"))


@dataclass
class Model:
    """Term -> weight (on the features: idf already in them), the bias, what
    it learned from; :attr:`linear` is the model as the index scores it."""

    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    positives: tuple[str, ...] = ()
    negatives: int = 0
    trained_ms: float = 0.0
    vectors: dict[str, dict[str, float]] = field(default_factory=dict)  # the positives', for "why"
    linear: Linear = field(default_factory=lambda: Linear((), 1.0))
    levels: dict[str, int] = field(default_factory=dict)  # term -> whole-number weight (one of the abstract)
    _by_term: dict | None = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        return not self.levels

    def kept_by_term(self) -> dict[str, list[tuple[str, float]]]:
        """Each term of positive weight -> the kept papers that have it, with
        its value in each (for "like": the kept paper a paper shares most with)."""
        if self._by_term is None:
            by_term: dict[str, list[tuple[str, float]]] = {}
            for pid, vec in self.vectors.items():
                for t, x in vec.items():
                    if self.levels.get(t, 0) > 0:
                        by_term.setdefault(t, []).append((pid, x))
            self._by_term = by_term
        return self._by_term


class Features:
    """What a model learns from and scores, as the index sees each paper:
    the distinct terms of its title and abstract, their idf, and the
    paper's length group."""

    def __init__(self, index: "Index"):
        self.index = index
        self.sets = index.searching.docsets
        self.n = max(1, self.sets.live.bit_count())
        self._lengths: list[int] | None = None
        self._docnums: dict[str, int | None] = {}
        self._recent: dict[int, tuple[int, str]] = {}
        self._terms: dict[str, tuple[frozenset, frozenset]] = {}
        self._keys: dict[int, tuple[Model, list[int]]] = {}

    @classmethod
    def of(cls, index: "Index") -> "Features":
        """The features of the index as it is now (kept until it changes)."""
        sets = index.searching.docsets
        feats = _FEATURES.get(sets)
        if feats is None:
            feats = _FEATURES[sets] = cls(index)
        return feats

    def idf(self, term: str) -> float:
        """From the term's document count (the larger of its counts in titles
        and in abstracts, as the index's term information has them)."""
        key = (self.n, term)  # kept while the number of papers stays (a bookmark re-indexes one)
        w = _IDF.get(key)
        if w is None:
            reader = self.sets.searcher.reader()
            df = max(reader.doc_frequency("title", term), reader.doc_frequency("abstract", term))
            if len(_IDF) >= 100_000:
                _IDF.clear()
            w = _IDF[key] = max(0.0, math.log((self.n + 1) / (df + 1))) if df else 0.0
        return w

    def lengths(self) -> list[int]:
        if self._lengths is None:
            self._lengths = linear_lengths(self.sets)
        return self._lengths

    def docnum(self, pid: str) -> int | None:
        """The live document of paper ``pid``, or None (kept once asked)."""
        if pid in self._docnums:
            return self._docnums[pid]
        live = self.sets.live
        d = _DOCNUMS.get(pid)  # where it was: still there unless re-indexed since
        if d is None or d >= self.sets.size or not live >> d & 1 or self.sets.ids([d])[0] != pid:
            try:
                d = self.sets.searcher.document_number(id=pid)
            except Exception:
                d = None
            if d is not None and not live >> d & 1:
                d = None
            if d is not None:
                if len(_DOCNUMS) >= 200_000:
                    _DOCNUMS.clear()
                _DOCNUMS[pid] = d
        self._docnums[pid] = d
        return d

    def background(self, rng: random.Random, most: int, leave: frozenset) -> list[str]:
        """Up to ``most`` papers picked at random, none of ``leave``."""
        live, size = self.sets.live, self.sets.size
        # document numbers drawn from all of them, the live kept: the same
        # papers after a bookmark re-indexes one (it moves to a new number)
        drawn = rng.sample(range(size), min(size, 2 * (most + len(leave)) + 16))
        picked = self.sets.ids([d for d in drawn if live >> d & 1])
        return [p for p in picked if p not in leave][:most]

    def terms_of(self, pid: str, paper: "Paper | None") -> tuple[frozenset, frozenset]:
        """The distinct terms of a paper's title and of its abstract (kept
        across changes of the index: a bookmark re-indexes the paper, its
        text stays)."""
        got = self._terms.get(pid)
        if got is None:
            if paper is None:
                return frozenset(), frozenset()
            from .index.build.analysis import abstract_text

            got = self._terms[pid] = analysed(paper.title, abstract_text(paper))  # with the API's keywords
        return got

    def scale(self, pid: str) -> float | None:
        d = self.docnum(pid)
        return None if d is None else scale_of(group_of(self.lengths()[d]))

    def counts(self, ids: Sequence[str]) -> dict[str, tuple[dict[str, int], float]]:
        """Each paper's ``{term: 2 in the title + 1 in the abstract}`` and its
        scale (the papers in the index)."""
        todo = [pid for pid in ids if pid not in self._terms]
        papers = self.index.get_many(todo) if todo else {}
        out = {}
        for pid in ids:
            scale = self.scale(pid)
            if scale is None or (pid not in self._terms and pid not in papers):
                continue
            title, abstract = self.terms_of(pid, papers.get(pid))
            counts = {t: TITLE_TIMES for t in title}
            for t in abstract:
                counts[t] = counts.get(t, 0) + 1
            out[pid] = (counts, scale)
        return out

    def vectors(self, ids: Sequence[str], terms: set[str] | None = None) -> dict[str, dict[str, float]]:
        """The feature vectors of these papers (of ``terms`` alone, if given)."""
        out = {}
        for pid, (counts, scale) in self.counts(ids).items():
            vec = {t: self.idf(t) * c * scale for t, c in counts.items() if terms is None or t in terms}
            out[pid] = {t: w for t, w in vec.items() if w}
        return out

    def best(self, model: Model, bits: int, k: int) -> list[int]:
        """The ``k`` documents of ``bits`` best for you (by upvotes with
        nothing learned), ties newest first: a few thousand scored alone, more
        through every document's key (:meth:`keys`, kept per model)."""
        sets = self.sets
        if model.empty:
            return sets.top(bits, k, sets.by_votes)
        if bits.bit_count() > FEW:
            return sets.top(bits, k, self.keys(model))
        scored = scores_of(sets, model.linear, bits)
        order = sets.keys
        return sorted(scored, key=lambda d: (-scored[d], -order[d]))[:k]

    def keys(self, model: Model) -> list[int]:
        """Each document's place in the model's order (kept per model)."""
        got = self._keys.get(id(model))
        if got is None or got[0] is not model:
            if len(self._keys) > 4:
                self._keys.clear()
            got = self._keys[id(model)] = (model, linear_keys(self.sets, model.linear))
        return got[1]


_ANALYSED: dict[tuple[str, str], tuple[frozenset, frozenset]] = {}


def analysed(title: str, abstract: str) -> tuple[frozenset, frozenset]:
    """The distinct terms of a title and of an abstract, as the index
    analyses them (the last 20,000 papers' kept)."""
    key = (title, abstract)
    got = _ANALYSED.get(key)
    if got is None:
        from .index.build.analysis import WORDS  # the analyzer's terms, a distinct word analysed once

        if len(_ANALYSED) >= 20_000:
            _ANALYSED.pop(next(iter(_ANALYSED)))
        got = _ANALYSED[key] = (frozenset(t.decode("utf-8") for t in WORDS.scan(title)[0]),
                                frozenset(t.decode("utf-8") for t in WORDS.scan(abstract)[0]))
    return got


def train(index: "Index", library: "Library", seed: int = 0) -> Model:
    """A model from the library's decisions (empty with no positive); the
    last one is kept while the decisions and the index stay the same."""
    t0 = time.perf_counter()
    dec = decisions(library)
    feats = Features.of(index)
    key = (id(feats), dec, seed)
    if key in _MODELS:
        return _MODELS[key]
    model = _train(feats, dec, seed)
    model.trained_ms = (time.perf_counter() - t0) * 1000
    _MODELS.clear()
    _MODELS[key] = model
    return model


def _train(feats: Features, dec: Decisions, seed: int) -> Model:
    if not dec.positives:
        return Model()
    rng = random.Random(seed)
    background = feats.background(rng, BACKGROUND, dec.decided)
    samples: list[tuple[str, float, float]] = (
        [(p, 1.0, 1.0) for p in dec.positives] + [(p, 0.0, SKIP_WEIGHT) for p in dec.skipped]
        + [(p, 0.0, LEFT_WEIGHT) for p in dec.left] + [(p, 0.0, BACKGROUND_WEIGHT) for p in background])
    counted = feats.counts([s[0] for s in samples])
    samples = [s for s in samples if s[0] in counted]
    npos = sum(1 for _, y, _ in samples if y)
    if not npos:  # the positives are not in the index (yet)
        return Model()
    # the terms the positives share (two of them at least, or a tenth): a
    # word of one kept paper says little of what the user keeps
    shared: dict[str, int] = {}
    for pid, y, _ in samples:
        if y:
            for t in counted[pid][0]:
                shared[t] = shared.get(t, 0) + 1
    least = 1 if npos < 2 else max(2, math.ceil(npos * MIN_SHARE))
    vocab = {t for t, c in shared.items() if c >= least}
    vectors = feats.vectors([s[0] for s in samples], vocab)
    pos_w = sum(w for _, y, w in samples if y)
    neg_w = sum(w for _, y, w in samples if not y) or 1.0
    balance = neg_w / pos_w  # the positives weigh as much in all as the negatives
    weights: dict[str, float] = {}
    for pid, y, w in samples:  # start from the difference of the centroids
        scale = (1.0 / pos_w) if y else (-ROCCHIO_NEG * w / neg_w)
        for t, x in vectors[pid].items():
            weights[t] = weights.get(t, 0.0) + scale * (w if y else 1.0) * x
    bias = 0.0
    order = list(samples)
    for epoch in range(EPOCHS):  # then let the logistic loss correct it
        rng.shuffle(order)
        rate = RATE / (1 + epoch)
        for pid, y, w in order:
            vec = vectors[pid]
            z = bias + sum(weights.get(t, 0.0) * x for t, x in vec.items())
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (y - p) * w * (balance if y else 1.0) * rate
            for t, x in vec.items():
                weights[t] = weights.get(t, 0.0) * (1 - L2) + g * x
            bias += g
    strongest = sorted(weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:MAX_TERMS]
    # whole numbers: each term's weight times its idf, the strongest LEVELS
    by_idf = {t: w * feats.idf(t) for t, w in strongest if w}
    top = max((abs(c) for c in by_idf.values()), default=0.0)
    if not top:
        return Model()
    unit = top / LEVELS
    levels = {t: round(c / unit) for t, c in by_idf.items()}
    levels = {t: q for t, q in levels.items() if q}
    linear = Linear(tuple((f, t, q * (TITLE_TIMES if f == "title" else 1))
                          for t, q in sorted(levels.items()) for f in ("title", "abstract")), unit, bias)
    return Model({t: weights[t] for t in levels}, bias, dec.positives, len(samples) - npos, 0.0,
                 {p: vectors[p] for p in dec.positives if p in vectors}, linear, levels)


def reference_scores(model: Model, feats: Features, ids: Sequence[str]) -> dict[str, float]:
    """The model's scores the straightforward way, from each paper's
    analysed text (the tests hold the index's order to these)."""
    out = {}
    for pid, (counts, scale) in feats.counts(ids).items():
        total = sum(model.levels.get(t, 0) * c for t, c in counts.items())
        out[pid] = model.bias + model.linear.unit * scale * total
    return out


@dataclass(frozen=True)
class Pick:
    id: str
    score: float
    why: tuple[str, ...]  # the words that weigh most for it
    like: str | None      # the kept paper closest to it


@dataclass(frozen=True)
class ForYou:
    picks: tuple[Pick, ...]
    total: int        # candidates ranked
    note: str         # how it was ranked (or why by upvotes)
    learned: bool
    trained_ms: float
    ranked_ms: float


def note_for(model: Model, library: "Library") -> str:
    """How papers are ordered for you, in one line."""
    if not model.empty:
        return (f"for you: learned from {len(model.positives)} papers you kept and "
                f"{model.negatives} others in {model.trained_ms:.0f} ms")
    dec = decisions(library)
    if dec.positives:
        return "for you: nothing learned yet from the papers you kept (not in the index): by upvotes"
    if dec.skipped or dec.left:
        return "for you: only papers you skipped or left so far (bookmark, tag or note some): by upvotes"
    return "for you: no decisions yet (bookmark, tag, note or keep papers in triage): by upvotes"


def order_of(index: "Index", library: "Library") -> tuple[callable, str]:
    """The for-you order as the index's sorted searches take it (each
    document's key, given its document sets), and the line that says how it
    was learned."""
    model = train(index, library)
    feats = Features.of(index)
    if model.empty:
        return (lambda sets: sets.by_votes), note_for(model, library)
    return (lambda sets: feats.keys(model) if sets is feats.sets else Features.of(index).keys(model)), \
        note_for(model, library)


def candidates(index: "Index", days: int | None, mutes: Sequence[str] = ()) -> tuple[int, str]:
    """The unread papers not bookmarked nor decided (nor muted) of the last
    ``days`` days (None: every such paper, dated or not), as a bitset of
    documents, and which days those are."""
    sets = index.searching.docsets
    # decided: read (skipped, left), bookmarked, tagged (later too) or noted
    bits = sets.live & ~sets.term("is_", "read") & ~sets.term("is_", "bookmarked")
    bits &= ~sets.term("has", "tags") & ~sets.term("has", "note")
    if mutes:
        bits &= ~index.searching.hidden(tuple(mutes))
    said = "every unread paper"
    if days is not None:
        feats = Features.of(index)
        days = max(1, days)
        if days not in feats._recent:
            feats._recent[days] = _recent(index, days)
        recent, said = feats._recent[days]
        bits &= recent
    return bits, said


def _recent(index: "Index", days: int) -> tuple[int, str]:
    """The papers of the digests of the last ``days`` days, counted back from
    the newest dated digest (digests without a date are left to ``--all``);
    when no label carries a year, of the newest ``days`` digests (a digest is
    a day of the Daily Papers)."""
    from datetime import timedelta

    from .index.search.bitsets import bits_of
    from .navigation import digest_order, label_date
    from .text import plural

    infos = [i for i in index.digests() if not i.error]
    by_name = {i.name: label_date(i.label) for i in infos}
    if any(by_name.values()):
        newest = max(d for d in by_name.values() if d)
        since = newest - timedelta(days=days - 1)
        names = [n for n, d in by_name.items() if d and d >= since]
        said = f"the papers of {since.isoformat()} to {newest.isoformat()}"
    elif infos:
        names = list(digest_order(infos).names[:days])
        said = f"the newest {plural(len(names), 'digest')} (their labels carry no year)"
    else:
        names, said = [], "no digests yet"
    members = index.digest_members(names)
    feats = Features.of(index)
    docs = {feats.docnum(p) for n in names for p in members.get(n, [])} - {None}
    return bits_of(sorted(docs)), said


def rank(index: "Index", library: "Library", days: int | None = 7, limit: int = 20, offset: int = 0,
         mutes: Sequence[str] = (), model: Model | None = None) -> ForYou:
    """The candidates (:func:`candidates`) best first, with why."""
    with index.reading():
        if model is None:
            model = train(index, library)
        t0 = time.perf_counter()
        feats = Features.of(index)
        bits, said = candidates(index, days, mutes)
        total = bits.bit_count()
        docs = feats.best(model, bits, offset + limit)[offset:]
        ids = feats.sets.ids(docs)
        note = f"{note_for(model, library)}; {said}"
        if model.empty:
            picks = tuple(Pick(pid, 0.0, (), None) for pid in ids)
        else:
            scored = reference_scores(model, feats, ids)
            why = explain(index, model, ids)
            picks = tuple(Pick(pid, round(scored.get(pid, 0.0), 4), *why.get(pid, ((), None))) for pid in ids)
        return ForYou(picks, total, note, not model.empty, model.trained_ms, (time.perf_counter() - t0) * 1000)


def explain(index: "Index", model: Model, ids: Sequence[str]) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """For each paper: the (up to) three words that weigh most for it, as
    its title or abstract writes them, and the kept paper it shares most
    weight with."""
    feats = Features.of(index)
    vecs = feats.vectors(list(ids), set(model.levels))
    papers = index.get_many(list(vecs))
    kept = model.kept_by_term()
    out = {}
    for pid, vec in vecs.items():
        levels = model.levels
        strongest = sorted(((levels[t] * x, t) for t, x in vec.items() if levels.get(t, 0) > 0),
                           key=lambda wt: (-wt[0], wt[1]))[:LIKE_TERMS]
        top = [t for _, t in strongest[:3]]
        paper = papers.get(pid)
        forms = _written(f"{paper.title}\n{paper.abstract}", top) if paper is not None else {}
        words = tuple(dict.fromkeys(forms.get(t, t) for t in top))
        shared: dict[str, float] = {}
        for w, t in strongest:
            for other, x in kept.get(t, ()):
                shared[other] = shared.get(other, 0.0) + w * x
        shared.pop(pid, None)
        like = min(shared, key=lambda other: (-shared[other], other)) if shared else None
        out[pid] = (words, like if like is not None and shared[like] > 0 else None)
    return out


_WORD_RE = __import__("re").compile(r"[^\W_]+(?:-[^\W_]+)*")
_STEMS: dict[str, tuple[str, ...]] = {}


def _written(text: str, terms: Sequence[str]) -> dict[str, str]:
    """The first word of ``text`` that gives each of ``terms`` (as analysed)."""
    from .index import TEXT_ANALYZER

    want, out = set(terms), {}
    for word in _WORD_RE.findall(text):
        stems = _STEMS.get(word)
        if stems is None:
            if len(_STEMS) >= 50_000:
                _STEMS.clear()
            stems = _STEMS[word] = tuple(t.text for t in TEXT_ANALYZER(word))
        for stem in stems:
            if stem in want and stem not in out:
                out[stem] = word.lower()
        if len(out) == len(want):
            break
    return out


def order(index: "Index", library: "Library", ids: Iterable[str], model: Model | None = None) -> list[str]:
    """``ids`` best first for you (by upvotes, then newest, with nothing learned)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    from .index.search.bitsets import bits_of

    with index.reading():
        if model is None:
            model = train(index, library)
        feats = Features.of(index)
        docs = sorted({feats.docnum(p) for p in ids} - {None})
        got = feats.sets.ids(feats.best(model, bits_of(docs), len(docs)))
    seen = set(got)
    return got + [p for p in ids if p not in seen]
