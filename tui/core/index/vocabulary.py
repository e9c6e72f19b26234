"""The vocabulary: the indexed terms of titles and abstracts in memory, for
prefix and typo expansion of query words, and "did you mean" (each unknown
word replaced by the most common word of the catalog's word list one or two
edits away)."""

from __future__ import annotations

import bisect

from ..text import fold
from .analysis import TEXT_ANALYZER
from .catalog import Catalog
from .docsets import SegmentCache


class Vocabulary:
    """The indexed terms of the text fields, in memory, for fast prefix and typo
    expansion (Whoosh's own automaton walk over the on-disk term index costs
    ~30 ms per word). Loaded a first letter at a time, as queries need them
    (20-35 ms a letter and field at 100,000 papers; the whole lexicon took
    0.7 s), and at most :attr:`LIMIT` terms are kept."""

    MAX_EXPANSIONS = 40
    LIMIT = 1_000_000

    def __init__(self, reader, segments: SegmentCache | None = None):
        self.reader = reader
        self._segments = segments or SegmentCache()
        self._by_first: dict[tuple[str, str], list[str]] = {}
        self._size = 0

    def starting(self, fieldname: str, letter: str) -> list[str]:
        """The sorted terms of ``fieldname`` that start with ``letter``."""
        key = (fieldname, letter)
        if key not in self._by_first:
            words: set = set()
            try:
                for r, _ in self.reader.leaf_readers():  # a union per segment beats Whoosh's merge
                    letters = self._segments.of(r)["letters"]
                    if key not in letters:
                        letters[key] = list(r.expand_prefix(fieldname, letter))
                    words.update(letters[key])
            except Exception:
                pass
            terms = sorted(w.decode("utf-8") if isinstance(w, bytes) else w for w in words)
            if self._size + len(terms) > self.LIMIT:
                self._by_first.clear()
                self._size = 0
            self._by_first[key] = terms
            self._size += len(terms)
        return self._by_first[key]

    def prefixed(self, fieldname: str, prefix: str) -> list[str]:
        """Indexed terms starting with ``prefix``, most frequent first."""
        terms = self.starting(fieldname, prefix[:1])
        i = bisect.bisect_left(terms, prefix)
        out = []
        while i < len(terms) and terms[i].startswith(prefix) and len(out) < 500:
            out.append(terms[i])
            i += 1
        if len(out) > self.MAX_EXPANSIONS:
            out.sort(key=lambda w: -self.reader.doc_frequency(fieldname, w))
            out = out[:self.MAX_EXPANSIONS]
        return out

    def near(self, fieldname: str, word: str, maxdist: int) -> list[str]:
        """Indexed terms within ``maxdist`` edits (transpositions count one) that
        share the first letter, nearest and most frequent first."""
        if maxdist <= 0 or not word:
            return [word]
        cands = self.starting(fieldname, word[:1])
        letters = set(word)
        n = len(word)
        found = []
        for w in cands:
            if abs(len(w) - n) > maxdist or len(letters.symmetric_difference(w)) > 2 * maxdist:
                continue
            d = edit_distance(word, w, maxdist)
            if d <= maxdist:
                found.append((d, w))
        if len(found) > self.MAX_EXPANSIONS:
            found.sort(key=lambda dw: (dw[0], -self.reader.doc_frequency(fieldname, dw[1])))
            found = found[:self.MAX_EXPANSIONS]
        return [w for _, w in found]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping past ``limit``."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2 = None
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ca = a[i - 1]
        best = cur[0]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < best:
                best = v
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb]


def _known(reader, stemmed: str) -> bool:
    try:
        return reader.doc_frequency("title", stemmed) > 0 or reader.doc_frequency("abstract", stemmed) > 0
    except Exception:
        return True


def did_you_mean(words: list[str], reader, catalog: Catalog) -> str | None:
    """``words`` with each word not in the vocabulary replaced by its nearest
    real word, or None when no word was replaced."""
    out, changed = [], False
    for w in words:
        f = fold(w)
        if len(f) < 3 or not f.isalpha() or _known_word(catalog, reader, f):
            out.append(w)
            continue
        best = _nearest_word(catalog, f)
        if best and best != f:
            out.append(best)
            changed = True
        else:
            out.append(w)
    return " ".join(out) if changed else None


def _known_word(catalog: Catalog, reader, word: str) -> bool:
    """The word as typed is in some title or abstract (or its stem is)."""
    try:
        return catalog.has_word(word) or _known(reader, next((t.text for t in TEXT_ANALYZER(word)), word))
    except Exception:
        return True


def _nearest_word(catalog: Catalog, word: str) -> str | None:
    """The most common indexed word one edit away, else two (same first letter)."""
    try:
        cands = catalog.words_like(word[0], len(word) - 2, len(word) + 2)
    except Exception:
        return None
    letters = set(word)
    best: dict[int, tuple[int, str]] = {}
    for w, n in cands:
        if len(letters.symmetric_difference(w)) > 4:
            continue
        d = edit_distance(word, w, 2)
        if 0 < d <= 2 and (d not in best or n > best[d][0]):
            best[d] = (n, w)
    for d in (1, 2):
        if d in best:
            return best[d][1]
    return None
