"""The vocabulary: the indexed terms of titles and abstracts in memory, for
prefix and typo expansion of query words, and "did you mean" (each unknown
word replaced by the most common word of the catalog's word list one or two
edits away)."""

from __future__ import annotations

import bisect
import struct

from ...text import fold
from ..build.analysis import TEXT_ANALYZER
from ..catalog import Catalog
from .docsets import SegmentCache


class Vocabulary:
    """The indexed terms of the text fields, in memory, for fast prefix and typo
    expansion (Whoosh's own automaton walk over the on-disk term index costs
    ~30 ms per word). Loaded a first letter at a time, as queries need them,
    with each term's document count (read with the terms: asked one term at
    a time, it cost ~0.1 ms a term across a big index's segments), and at
    most :attr:`LIMIT` terms are kept. The words "did you mean" offers
    (the catalog's) are loaded a first letter at a time too."""

    MAX_EXPANSIONS = 40
    LIMIT = 1_000_000

    def __init__(self, reader, segments: SegmentCache | None = None):
        self.reader = reader
        self._segments = segments or SegmentCache()
        self._by_first: dict[tuple[str, str], list[str]] = {}
        self._freq: dict[tuple[str, str], dict[str, int]] = {}
        self._near: dict[tuple[str, str], _Nearby] = {}
        self._words: dict[str, _Nearby] = {}
        self._distances: dict[tuple[str, int], dict[str, int]] = {}  # a word's, to other fields' terms
        self._prefixes: dict[tuple[str, str], dict[str, int]] = {}
        self._known: dict[str, bool] = {}
        self._size = 0

    def starting(self, fieldname: str, letter: str) -> list[str]:
        """The sorted terms of ``fieldname`` that start with ``letter``."""
        key = (fieldname, letter)
        if key not in self._by_first:
            freq: dict[str, int] = {}
            try:
                for r, _ in self.reader.leaf_readers():  # a union per segment beats Whoosh's merge
                    letters = self._segments.of(r)["letters"]
                    if key not in letters:
                        letters[key] = dict(_terms_with_counts(r, fieldname, letter))
                    for term, n in letters[key].items():
                        freq[term] = freq.get(term, 0) + n
            except Exception:
                pass
            terms = sorted(freq)
            if self._size + len(terms) > self.LIMIT:
                self._by_first.clear()
                self._freq.clear()
                self._near.clear()
                self._size = 0
            self._by_first[key] = terms
            self._freq[key] = freq
            self._size += len(terms)
        return self._by_first[key]

    def known(self, stemmed: str) -> bool:
        """Some title or abstract has the term ``stemmed`` (asked of the
        segments once a term)."""
        got = self._known.get(stemmed)
        if got is None:
            if len(self._known) >= 10_000:
                self._known.clear()
            got = self._known[stemmed] = _known(self.reader, stemmed)
        return got

    def frequency(self, fieldname: str, term: str) -> int:
        """The documents (deleted ones too, as Whoosh counts) that have ``term``."""
        self.starting(fieldname, term[:1])
        return self._freq.get((fieldname, term[:1]), {}).get(term, 0)

    def prefixed(self, fieldname: str, prefix: str) -> list[str]:
        """Indexed terms starting with ``prefix``, most frequent first (those
        of a prefix of three letters or more read from the segments when its
        first letter is not in memory: a long prefix has few terms)."""
        if (fieldname, prefix[:1]) in self._by_first or len(prefix) < 3:
            terms = self.starting(fieldname, prefix[:1])
            freq = self._freq.get((fieldname, prefix[:1]), {})
        else:
            freq = self._counts(fieldname, prefix)
            terms = sorted(freq)
        i = bisect.bisect_left(terms, prefix)
        out = []
        while i < len(terms) and terms[i].startswith(prefix) and len(out) < 500:
            out.append(terms[i])
            i += 1
        if len(out) > self.MAX_EXPANSIONS:
            out.sort(key=lambda w: -freq.get(w, 0))
            out = out[:self.MAX_EXPANSIONS]
        return out

    def _counts(self, fieldname: str, prefix: str) -> dict[str, int]:
        """term -> documents, of the terms of ``fieldname`` that start with
        ``prefix`` (the last few prefixes' kept)."""
        freq = self._prefixes.get((fieldname, prefix))
        if freq is None:
            freq = {}
            try:
                for r, _ in self.reader.leaf_readers():
                    for term, n in _terms_with_counts(r, fieldname, prefix):
                        freq[term] = freq.get(term, 0) + n
            except Exception:
                pass
            if len(self._prefixes) >= 64:
                self._prefixes.pop(next(iter(self._prefixes)))
            self._prefixes[fieldname, prefix] = freq
        return freq

    def near(self, fieldname: str, word: str, maxdist: int) -> list[str]:
        """Indexed terms within ``maxdist`` edits (transpositions count one) that
        share the first letter, nearest and most frequent first."""
        if maxdist <= 0 or not word:
            return [word]
        key = (fieldname, word[:1])
        if key not in self._near:
            self._near[key] = _Nearby(self.starting(fieldname, word[:1]))
        known = self._distances.get((word, maxdist))
        if known is None:
            if len(self._distances) > 64:
                self._distances.clear()
            known = self._distances[word, maxdist] = {}
        found = self._near[key].within(word, maxdist, known=known)
        if len(found) > self.MAX_EXPANSIONS:
            found.sort(key=lambda dw: (dw[0], -self.frequency(fieldname, dw[1])))
            found = found[:self.MAX_EXPANSIONS]
        return [w for _, w in found]

    def nearest_word(self, catalog: Catalog, word: str) -> str | None:
        """The most common word of the catalog's one edit away from ``word``,
        else two (same first letter), for "did you mean"."""
        first = word[:1]
        if first not in self._words:
            try:
                counts = catalog.words_like(first, 0, 1 << 30)
            except Exception:
                return None
            self._words[first] = _Nearby([w for w, _ in counts], [n for _, n in counts])
        best: dict[int, tuple[int, str]] = {}
        for d, w, n in self._words[first].within(word, 2, counts=True):
            if 0 < d and (d not in best or n > best[d][0]):
                best[d] = (n, w)
        for d in (1, 2):
            if d in best:
                return best[d][1]
        return None


class _Nearby:
    """Words (in their order) kept by length, each with a mask of the letters
    it has (made for a length when a word of a near length is first looked
    up), so that those within a few edits of a word are found by comparing
    only the words of a near length with near letters."""

    def __init__(self, words: list[str], counts: list[int] | None = None):
        self.by_length: dict[int, list[tuple[int, str, int]]] = {}
        for i, w in enumerate(words):
            self.by_length.setdefault(len(w), []).append((i, w, counts[i] if counts else 0))
        self._masked: dict[int, list[tuple[int, str, int, int]]] = {}

    def _of_length(self, length: int) -> list[tuple[int, str, int, int]]:
        got = self._masked.get(length)
        if got is None:
            got = self._masked[length] = [(i, w, _mask(w), c) for i, w, c in self.by_length.get(length, ())]
        return got

    def within(self, word: str, maxdist: int, counts: bool = False, known: dict | None = None) -> list:
        """(distance, word) of the words within ``maxdist`` edits of ``word``
        (with counts: (distance, word, count)), in the words' order; ``known``
        keeps the distances computed, for the next list of words."""
        n = len(word)
        mask = _mask(word)
        known = {} if known is None else known
        found = []
        for length in range(n - maxdist, n + maxdist + 1):
            for i, w, m, c in self._of_length(length):
                # each edit changes at most two of the letters a word has
                if (m ^ mask).bit_count() > 2 * maxdist:
                    continue
                d = known.get(w)
                if d is None:
                    d = known[w] = edit_distance(word, w, maxdist)
                if d <= maxdist:
                    found.append((i, d, w, c))
        found.sort()
        return [(d, w, c) for _, d, w, c in found] if counts else [(d, w) for _, d, w, _ in found]


_LETTER_BITS: dict[str, int] = {}


def _mask(word: str) -> int:
    """A bit for each distinct character of ``word``."""
    out = 0
    bits = _LETTER_BITS
    for c in set(word):
        bit = bits.get(c)
        if bit is None:
            bit = bits[c] = 1 << len(bits)
        out |= bit
    return out


_LENGTHS = struct.Struct("!ii")  # a record of Whoosh's ordered hash file: key and value lengths
_DOC_FREQ = struct.Struct("!I")  # a term's document count, 5 bytes into its info (Whoosh's W3 codec)


def _terms_with_counts(reader, fieldname: str, prefix: str) -> list[tuple[str, int]]:
    """(term, documents) of a segment's terms of ``fieldname`` that start with
    ``prefix``: their records of the term index (key and value lengths, key,
    term info), one after another on disk, read a growing piece at a time and
    parsed here (Whoosh reads each record in three calls)."""
    try:
        terms = reader._terms
        index = terms._tindex
        low = terms._keycoder(fieldname, reader._text_to_bytes(fieldname, prefix))
        pos = index.closest_key_pos(low)
        if pos is None:
            return []
        skip = len(low) - len(prefix.encode("utf-8"))  # the field's number
        out = []
        data, at, size = b"", 0, 4096
        while True:
            if at + 8 > len(data) or at + 8 + sum(_LENGTHS.unpack_from(data, at)) > len(data):
                if pos >= index.endofdata:
                    break
                more = index.dbfile.get(pos, min(size, index.endofdata - pos))
                pos += len(more)
                data, at, size = data[at:] + more, 0, size * 2
                continue
            keylen, datalen = _LENGTHS.unpack_from(data, at)
            key = data[at + 8:at + 8 + keylen]
            if not key.startswith(low):
                break
            out.append((key[skip:].decode("utf-8"), _DOC_FREQ.unpack_from(data, at + 8 + keylen + 5)[0]))
            at += 8 + keylen + datalen
        return out
    except (AttributeError, KeyError, struct.error, UnicodeDecodeError):  # another codec: a term at a time
        return [(t.decode("utf-8") if isinstance(t, bytes) else t, reader.doc_frequency(fieldname, t))
                for t in reader.expand_prefix(fieldname, prefix)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or ``limit + 1``
    when it is above ``limit``: Hyyrö's bit-parallel algorithm (2003), a
    column of the dynamic programme a few integer operations."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    if not la or not lb:
        return la + lb if la + lb <= limit else limit + 1
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full = (1 << la) - 1
    top = 1 << (la - 1)
    pv, mv, d0, prev_eq, score = full, 0, 0, 0, la
    for c in b:
        eq = peq.get(c, 0)
        transposed = ((~d0 & eq) << 1) & prev_eq
        d0 = ((((eq & pv) + pv) ^ pv) | eq | mv | transposed) & full
        hp = (mv | ~(d0 | pv)) & full
        hn = d0 & pv
        if hp & top:
            score += 1
        elif hn & top:
            score -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        pv = (hn | ~(d0 | hp)) & full
        mv = d0 & hp
        prev_eq = eq
    return score if score <= limit else limit + 1


def _known(reader, stemmed: str) -> bool:
    try:
        return any(reader.doc_frequency(f, stemmed) > 0 for f in ("title", "abstract", "text"))
    except Exception:
        return True


def did_you_mean(words: list[str], catalog: Catalog, vocab: Vocabulary) -> list[str] | None:
    """``words`` with each word not in the vocabulary replaced by its nearest
    real word, or None when no word was replaced."""
    out, changed = [], False
    for w in words:
        f = fold(w)
        if len(f) < 3 or not f.isalpha() or _stopped(f) or _known_word(catalog, vocab, f):
            out.append(w)
            continue
        best = vocab.nearest_word(catalog, f)
        if best and best != f:
            out.append(best)
            changed = True
        else:
            out.append(w)
    return out if changed else None


def _stopped(word: str) -> bool:
    """A stop word (``and``, ``the``): never indexed, never a typo."""
    return not any(True for _ in TEXT_ANALYZER(word))


def _known_word(catalog: Catalog, vocab: Vocabulary, word: str) -> bool:
    """The word as typed is in some title or abstract (or its stem is)."""
    try:
        return catalog.has_word(word) or vocab.known(next((t.text for t in TEXT_ANALYZER(word)), word))
    except Exception:
        return True
