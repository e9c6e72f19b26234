"""Analysis: how text becomes index terms.

:class:`CompoundTokenizer` and the analyzers built on it (``TEXT_ANALYZER``
stems, ``SURFACE_ANALYZER`` keeps words as written, ``PLAIN_ANALYZER`` for
digest labels and authors), and :data:`WORDS`, the cache of what the text
analyzer makes of each distinct word, which the bulk writer and highlighting
go through.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from whoosh.analysis import (
    CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token, Tokenizer,
)
from whoosh.support.charset import accent_map

from ...papers import Paper
from ...text import fold


class CompoundTokenizer(Tokenizer):
    """Words, with hyphenated compounds indexed both ways.

    ``Pre-Training`` is indexed as ``pretraining``, then ``pre``, ``training``
    (consecutive positions, so phrases work), the joined word at the first
    part's position (:class:`_StopFilter` keeps the two at one position, so a
    phrase that runs on past the compound still matches its parts). At query
    time a compound becomes the joined word only; the query pipeline adds the
    phrase of its parts, so ``pre-training`` finds ``Pre-Training``,
    ``pretraining`` and ``pre training``.
    """

    _RE = re.compile(r"\w+(?:[-\u2010\u2011]\w+)*", re.UNICODE)
    _SPLIT = re.compile(r"[-\u2010\u2011]")

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for m in self._RE.finditer(value):
            word = m.group(0)
            parts = self._SPLIT.split(word) if ("-" in word or "\u2010" in word or "\u2011" in word) else None
            if parts is None or mode == "query":
                t.text = "".join(parts) if parts else word
                t.boost = 1.0
                if keeporiginal:
                    t.original = t.text
                t.stopped = False
                if positions:
                    t.pos = pos
                    pos += 1
                if chars:
                    t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
                yield t
                continue
            t.text = "".join(parts)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
            yield t
            offset = m.start()
            for i, part in enumerate(parts):
                t.text = part
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = part
                if positions:
                    t.pos = pos
                    pos += 1
                if chars:
                    t.startchar, t.endchar = start_char + offset, start_char + offset + len(part)
                offset += len(part) + 1
                yield t


class _StopFilter(StopFilter):
    """Whoosh's stop filter, whose renumbering (the kept tokens at consecutive
    positions, so that ``state of the art`` is the phrase ``state art``) keeps
    tokens that shared a position sharing it: a compound's joined word stays
    at its first part's position."""

    def __call__(self, tokens):
        stoplist = self.stops
        minsize = self.min
        pos = last = None
        for t in tokens:
            text = t.text
            if len(text) >= minsize and text not in stoplist:
                if t.positions:
                    if pos is None:
                        pos = t.pos
                    elif t.pos != last:
                        pos += 1
                    last = t.pos
                    t.pos = pos
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


def _analyzer(stem: bool = True):
    chain = CompoundTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | _StopFilter(minsize=1)
    return chain | StemFilter(cachesize=100000) if stem else chain


TEXT_ANALYZER = _analyzer(stem=True)
PLAIN_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
SURFACE_ANALYZER = _analyzer(stem=False)
# The text analyzer's filters, which _WordCache applies to a one-token word itself.
_, _, _CHARSET, _STOP, _STEM = TEXT_ANALYZER.items
_ACCENTS = _CHARSET.charmap


class _WordCache:
    """What :data:`TEXT_ANALYZER` makes of each distinct word, remembered.

    Indexing runs the analyzer once per *distinct* word instead of pushing every
    token of every abstract through its chain of generators (five Python calls
    a token); a whole text is then one regex scan and a dict lookup a word.
    A word without a hyphen is one token, which the cache runs through the
    analyzer's own filters (lowercase, accents, stop words, stemmer) itself.
    The result is exactly the analyzer's, positions included (the stop filter
    renumbers them: the first kept token keeps its place, every later kept
    token is one further), which a test checks against the analyzer itself.
    """

    LIMIT = 200_000  # distinct words remembered; then the cache starts over

    def __init__(self):
        self._words: dict[str, tuple] = {}
        #: a piece of text (between white space) of one kept term -> that term;
        #: of none (a stop word, punctuation) -> b"": what most pieces are
        self._single: dict[str, bytes] = {}

    def entry(self, word: str) -> tuple:
        """(positions the word takes, offset of its first kept token, kept terms
        as UTF-8, surface words, each kept term's position after the first's or
        None when they follow one another) of one tokenizer match."""
        e = self._words.get(word)
        if e is None and "-" not in word and "\u2010" not in word and "\u2011" not in word:
            # one token: the analyzer's filters, without its generators (a fifth of the time)
            text = word.lower().translate(_ACCENTS)
            if len(text) >= _STOP.min and text not in _STOP.stops:
                stemmed = text if text in _STEM.ignore else _STEM.stemfn(text)
                e = (1, 0, (stemmed.encode("utf-8"),), (text,), None)
            else:
                e = (1, 0, (), (), None)
            if len(self._words) >= self.LIMIT:
                self._words.clear()
                self._single.clear()
            self._words[word] = e
            self._single[word] = e[2][0] if e[2] else b""
        elif e is None:
            width = len(CompoundTokenizer._SPLIT.split(word))
            terms: list[bytes] = []
            rel: list[int] = []
            first = 0
            for t in TEXT_ANALYZER(word, positions=True, mode="index"):  # one Token, reused
                if not terms:
                    first = t.pos
                terms.append(t.text.encode("utf-8"))
                rel.append(t.pos - first)
            surface = tuple(t.text for t in SURFACE_ANALYZER(word, mode="index"))
            steps = None if rel == list(range(len(rel))) else tuple(rel)
            e = (width, first, tuple(terms), surface, steps)
            if len(self._words) >= self.LIMIT:
                self._words.clear()
                self._single.clear()
            self._words[word] = e
        return e

    def positions(self, text: str, found: Counter | None = None) -> tuple[dict[bytes, list[int]], int]:
        """Term (UTF-8) -> positions of ``text`` as the analyzer indexes it, and
        the number of tokens kept (the field length). The words of the text as
        written are counted into ``found`` when given (see :meth:`surface`)."""
        poses, count = self.scan(text, found)
        return {term: [p] if p.__class__ is int else p for term, p in poses.items()}, count

    def scan(self, text: str, found: Counter | None = None) -> tuple[dict[bytes, int | list[int]], int]:
        """:meth:`positions`, where a term that occurs once has its position
        as an int rather than a list (most words of an abstract).

        The text is split at white space, which no word spans (a word is
        letters, digits and inner hyphens), so its words are those of its
        pieces in order; a piece seen before that holds one kept term
        (``model,``) or none (``(the``) is one lookup, which is most of them.
        Only the pieces up to the first kept token, whose place counts the
        tokenizer's positions before it, and the pieces of several terms
        go through their words."""
        poses: dict[bytes, int | list[int]] = {}
        words = self._words
        entry = self.entry
        pieces = text.split()
        if found is not None:
            found.update(pieces)
        it = iter(pieces)
        tpos = 0
        for piece in it:
            ws = _words_of(piece)
            for i, word in enumerate(ws):
                e = words.get(word) or entry(word)
                if e[2]:
                    break
                tpos += e[0]
            else:
                continue
            first = tpos + e[1] - 1
            pos, shared, _ = _add_words(poses, ws[i:] if i else ws, first, 0, words, entry)
            break
        else:
            return poses, 0
        single = self._single
        for piece in it:
            term = single.get(piece)
            if term is None:  # a piece not seen yet, or of several terms
                pos, shared, kept = _add_words(poses, _words_of(piece), pos, shared, words, entry)
                if kept is not None:
                    if len(single) >= 2 * self.LIMIT:
                        single.clear()
                    single[piece] = kept
            elif term:
                pos += 1
                p = poses.get(term)
                if p is None:
                    poses[term] = pos
                elif p.__class__ is int:
                    poses[term] = [p, pos]
                else:
                    p.append(pos)
        return poses, pos - first + shared

    def found(self, text: str, found: Counter) -> None:
        """Count the pieces of ``text`` (as written, between white space) into
        ``found``, as :meth:`scan` does."""
        found.update(text.split())

    def surface(self, found: Counter, sign: int = 1, out: dict[str, int] | None = None) -> dict[str, int]:
        """Occurrences of each unstemmed, unstopped word (what "did you mean"
        offers), from counts of words or pieces of text as written."""
        out = {} if out is None else out
        entry = self.entry
        for piece, n in found.items():
            for word in _words_of(piece):
                for w in entry(word)[3]:
                    out[w] = out.get(w, 0) + sign * n
        return out


def _add_words(poses: dict[bytes, int | list[int]], ws: list[str], pos: int, shared: int,
               words: dict[str, tuple], entry) -> tuple[int, int, bytes | None]:
    """The terms of words ``ws`` added to ``poses`` after position ``pos``:
    the last position, the count of tokens that share a place with the one
    before (a compound's joined word and first part), and the one kept term
    of these words (b"" for none; None when they have several)."""
    kept = b""
    for word in ws:
        e = words.get(word) or entry(word)
        terms = e[2]
        if terms:
            kept = terms[0] if kept == b"" and len(terms) == 1 else None
            steps = e[4]
            if steps is None:
                for term in terms:
                    pos += 1
                    _add(poses, term, pos)
            else:
                base = pos + 1
                for term, step in zip(terms, steps):
                    _add(poses, term, base + step)
                pos = base + steps[-1]
                shared += len(terms) - steps[-1] - 1
    return pos, shared, kept


def _add(poses: dict[bytes, int | list[int]], term: bytes, pos: int) -> None:
    """``pos`` added to the positions of ``term`` (see :meth:`_WordCache.scan`)."""
    p = poses.get(term)
    if p is None:
        poses[term] = pos
    elif p.__class__ is int:
        poses[term] = [p, pos]
    else:
        p.append(pos)


_words_of = CompoundTokenizer._RE.findall

WORDS = _WordCache()


# What a title may hold that its words lose: anything but letters, digits,
# spaces, punctuation and the query syntax's own marks (``*``, ``~``, ``^``).
_SYMBOL_RE = re.compile(r"[^\w\s\-\u2010-\u2015.,:;!?()\[\]{}'\"\u2018-\u201f\u00ab\u00bb\u2039\u203a/\\\u2026\u00b7*~^`]")
_PUNCT = "-\u2010\u2011\u2012\u2013\u2014.,:;!?()[]{}'\"\u2018\u2019\u201c\u201d\u00ab\u00bb/\\\u2026`"


def symbols(text: str) -> str:
    """The distinct symbols of ``text`` (``&``, ``%``, ``#``, ``+``, ``$``,
    ``€``, ...), space-separated: what the analyzer drops, indexed for a
    literal match of the titles that have them."""
    found = _SYMBOL_RE.findall(text)
    return " ".join(sorted(set(found))) if found else ""


def literal_tokens(query: str) -> list[str]:
    """The parts of a query (split at spaces, outer punctuation and quotes
    stripped, folded) that hold a symbol, other than field syntax such as
    ``upvotes:>=50``: ``c++``, ``r&d``, ``&``, ``50%``."""
    out = []
    for token in query.split():
        if re.match(r"\w+:", token):
            continue
        token = fold(token.strip(_PUNCT))
        if token and _SYMBOL_RE.search(token) and token not in out:
            out.append(token)
    return out


def abstract_text(p: Paper) -> str:
    """What the abstract field indexes: the abstract, then the AI keywords the
    API gives (words of the paper, weighed as the abstract's, below the title's)."""
    if p.ai_keywords:
        return p.abstract + "\n" + " ; ".join(p.ai_keywords)
    return p.abstract


def _found_words(papers: Iterable[Paper]) -> Counter:
    """The words of these papers' titles and abstracts, as BulkWriter.words counts them."""
    found: Counter = Counter()
    for p in papers:
        WORDS.found(p.title, found)
        WORDS.found(abstract_text(p), found)
    return found
