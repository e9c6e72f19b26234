"""The searcher: any string in, a page of hits out.

The text is clamped (:func:`~.query.clamp_query`), parsed with Whoosh's syntax
(falling back to its plain words), rewritten (leading wildcards dropped,
fuzzy distances limited, unknown words given typo tolerance, the half-typed
last word matched as a prefix, :mod:`.rewrite`), given its boosts (the
paper whose title it is, the title phrase of its words, titles with its
symbols as written), then run (:class:`~.execute.Execution`) and turned into
hits with their titles and highlights.
"""

from __future__ import annotations

import re
import time
from typing import Callable, Iterable

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from ...papers import paper_id
from ...text import fold, title_key
from ..answers import Hit, SearchResult, SearchStopped
from ..build.analysis import TEXT_ANALYZER, literal_tokens, symbols
from ..catalog import Catalog
from .docsets import DocSets, SegmentCache
from .bitsets import bits_of, docs_of
from .leaves import Docs, offsets
from .execute import Execution
from .highlight import Spans, highlight_spans, snippet
from .query import _SYNTAX_RE, _last_prefixes, _plain_words, _word_spans, clamp_query
from .rank import PHRASE_BOOST, PHRASE_SLOP
from .rewrite import MAX_QUERY_TERMS, _note, compounds, joined_words, rewrite
from .signals import UpvotesPlugin, check_sort, range_note
from .vocabulary import Vocabulary, did_you_mean

SAMPLE_MIN = 300  # candidates of a costly phrase query checked at least
VERIFY_TIMES = 10  # a costly phrase with at most this many times SAMPLE_MIN candidates is checked whole
LITERAL_MAX = 5000  # titles checked for a query's symbols as written
PARSED_FIELDS = ("title", "abstract", "note", "text")  # the fields a word without a field is looked for in
_ONE_WORD = re.compile(r"[^\W_]+")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO"}


class Searcher:
    """Searches an open index: the Whoosh index ``ix`` for matches, its
    ``catalog`` for titles and counts. It keeps what searches read: a Whoosh
    searcher (until the index changes), the query parser, the vocabulary,
    the document sets of that searcher, and what they read from segments
    (which never change once written, so it outlives the searcher)."""

    execution = Execution  # how a query runs (the tests' reference ranks otherwise)

    def __init__(self, ix, catalog: Catalog):
        self.ix = ix
        self.catalog = catalog
        self._searcher = None
        self._parser = None
        self._schema = ix.schema
        self._vocab: Vocabulary | None = None
        self._docsets: DocSets | None = None
        self._segments = SegmentCache()
        self._hidden_cache: tuple | None = None
        self._strict: dict[str, tuple[str, object]] = {}  # mute text -> ("ok", query) or ("error", message)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def count(self) -> int:
        return self.catalog.count()

    # -- the searcher ---------------------------------------------------------
    def refresh(self) -> None:
        """Pick up what was written since (by this process or another)."""
        # Not Searcher.refresh(): it reuses the reader of a segment whose
        # deletions changed (segments compare by id), so a re-indexed paper's
        # old version stayed visible beside the new one. A new searcher costs
        # ~6 ms at 100,000 papers; what searches read from segments is kept
        # (SegmentCache).
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = None

    @property
    def searcher(self):
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        return self._searcher

    # -- searching ------------------------------------------------------------
    @property
    def parser(self):
        if self._parser is None:
            # a plain word is looked for in the title, the abstract, the user's note
            # and the paper's cached full text (the last two weighted below the first)
            parser = MultifieldParser(list(PARSED_FIELDS), self._schema, group=AndGroup)
            parser.add_plugin(FuzzyTermPlugin())
            parser.add_plugin(FieldAliasPlugin({"is_": ["is"], "tag": ["tags"], "note": ["notes"],
                                                 "author": ["authors", "by"], "digest": ["label"]}))
            parser.add_plugin(UpvotesPlugin())
            self._parser = parser
        return self._parser

    def search(self, query: str, limit: int = 20, offset: int = 0, sort: str = "relevance",
               stop: Callable[[], bool] | None = None, hide: int = 0,
               order: Callable[["DocSets"], list[int]] | None = None) -> SearchResult:
        """Search with Whoosh syntax; any string is accepted.

        Parser errors fall back to plain words; leading wildcards, fuzzy
        distances above 2 and very long input are clamped; a word that is not
        in the vocabulary is matched with typo tolerance; an exact title match
        ranks first. ``sort`` is one of :data:`~.signals.SORTS`: by relevance,
        newest first, most upvoted first (then newest), or for you (the keys
        ``order`` gives each document). The documents of the bitset ``hide``
        (muted papers, :meth:`hidden`) are left out.
        """
        check_sort(sort)
        t0 = time.perf_counter()
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        text, notes = clamp_query(query)
        if not text.strip() and (sort in ("upvotes", "for-you") or hide):
            ex = self._execution(notes, order=order)
            shown = self.docsets.live & ~hide
            docs = [(d, 0.0) for d in self.docsets.top(shown, offset + limit, ex.key(sort))[offset:]]
            return self._result(text, shown.bit_count(), docs, set(), None, notes, t0, offset)
        if not text.strip():
            ids = self.catalog.page(offset, limit)
            titles = self.catalog.titles(ids)
            hits = tuple(Hit(pid, 0.0, titles.get(pid, ""), ()) for pid in ids)
            return SearchResult(text, self.count(), hits, offset, notes=tuple(notes),
                                elapsed_ms=(time.perf_counter() - t0) * 1000)
        searcher = self.searcher
        reader = searcher.reader()
        q = self._parse(text, notes)
        plain = _plain_words(text)
        prefixes = _last_prefixes(text, plain)
        joined = compounds(text)
        spans = _word_spans(text)
        pairs = [(a.group(0), b.group(0)) for a, b in zip(spans, spans[1:])
                 if text[a.end():b.start()].isspace()]
        joins = joined_words(pairs, self.vocabulary.known)
        q, fuzzy_used = rewrite(q, self.vocabulary, notes, prefixes, joined, joins)
        boosts = []
        if title_key(text):  # the paper whose title this is: its id is its title key's hash
            boosts.append(wq.Term("id", paper_id(text), boost=50.0))
        words = [t.text for t in TEXT_ANALYZER(" ".join(plain))] if plain else []
        if len(words) > 1:
            boosts.append(wq.Phrase("title", words, slop=PHRASE_SLOP, boost=PHRASE_BOOST))
        if hide:  # the muted papers: never matched, whatever the query
            q = wq.AndNot(q, Docs(hide, offsets(searcher)))
        literal = literal_tokens(text)
        first = (self._literal(literal) & ~hide) if literal else 0
        if first:  # titles with the query's symbols as written (c++, r&d, 50%) rank first
            boosts.append(Docs(first, offsets(searcher), boost=100.0))
        bad_range = range_note(text)
        if bad_range:
            _note(notes, bad_range)
        run = self._execution(notes, stop, order)
        try:
            total, docs = run.run(q, boosts, offset, limit, sort)
        except SearchStopped:
            raise
        except Exception as e:  # a query Whoosh cannot run: fall back to plain words
            _note(notes, f"query could not be run as written ({type(e).__name__}); searched its words")
            q = self._hidden_from(self._plain_query(plain or [text]), hide)
            total, docs = run.run(q, [], offset, limit, sort)
        if total == 0 and len(plain) > 1 and not _SYNTAX_RE.search(text):
            # no paper has every word: rank the papers that have most of them
            anyq, _ = rewrite(self._plain_query(plain, any_word=True), self.vocabulary, notes, prefixes)
            anyq = self._hidden_from(anyq, hide)
            total, docs = run.run(anyq, boosts, offset, limit, sort)
            if total:
                q = anyq
                _note(notes, "no paper has all the words; showing papers with some of them")
        if total == 0 and first and all(any(fold(w) in t for t in literal) for w in plain):
            # nothing but symbols, or words only of the symbols' tokens: the titles as written
            total = first.bit_count()
            docs = [(d, 0.0) for d in self.docsets.top(first, offset + limit, run.key(sort))[offset:]]
            _note(notes, "titles that contain " + " ".join(literal) + " as written")
        suggestion = None
        if total < 3 or fuzzy_used:
            suggestion = self.suggest(text)
        return self._result(text, total, docs, self._highlight_terms(q, reader), suggestion, notes, t0, offset)

    def _hidden_from(self, q, hide: int):
        return wq.AndNot(q, Docs(hide, offsets(self.searcher))) if hide else q

    # -- mutes: queries parsed as written, and every paper they match -----------------
    def strict(self, text: str):
        """``text`` parsed as written (no typo tolerance, no prefix of a
        half-typed word, no falling back to plain words): what a mute means.
        A ValueError with the parser's message when it does not parse, or
        when it leaves nothing to match (stop words only). Kept by text: the
        parser takes ~1 ms a query, and a library may hold thousands of mutes."""
        got = self._strict.get(text)
        if got is None:
            if len(self._strict) >= 100_000:
                self._strict.clear()
            try:
                got = self._strict[text] = ("ok", self._strict_parse(text))
            except ValueError as e:
                got = self._strict[text] = ("error", str(e))
        if got[0] == "error":
            raise ValueError(got[1])
        return got[1]

    def one_word(self, text: str):
        """The query the parser makes of a single plain word (each field's
        terms of it, ORed), built without the parser; None for anything
        else (the tests hold it to the parser's)."""
        if not _ONE_WORD.fullmatch(text) or text in _OPERATORS:
            return None
        terms = []
        for fieldname in PARSED_FIELDS:
            tokens = list(self._schema[fieldname].process_text(text, mode="query"))
            if len(tokens) > 1:
                return None
            terms += [wq.Term(fieldname, tok) for tok in tokens]
        return wq.Or(terms) if len(terms) > 1 else terms[0] if terms else wq.NullQuery

    def _strict_parse(self, text: str):
        simple = self.one_word(text)
        if simple is not None:
            q = simple
            if q is wq.NullQuery:
                raise ValueError("the query leaves nothing to match (only words too common to be indexed?)")
            return q
        try:
            q = self.parser.parse(text)
            q.all_terms()  # some malformed trees only fail when walked
        except Exception as e:
            raise ValueError(f"the query does not parse ({type(e).__name__}: {e or 'no message'})") from None
        if q is wq.NullQuery:
            raise ValueError("the query leaves nothing to match (only words too common to be indexed?)")
        if any(isinstance(leaf, wq.Wildcard) and leaf.text[:1] in "*?" for leaf in q.leaves()):
            raise ValueError("a word of the query starts with * or ?: that reads every word of the index; "
                             "start it with a letter (transform*)")
        return q

    def matching(self, text: str) -> int:
        """Every live paper (a bitset of documents) the query ``text`` matches,
        parsed by :meth:`strict` (its ValueError when it does not parse)."""
        q = self.strict(text)
        sets = self.docsets
        # "*" in a field is every paper (each has a title): the bitsets say so at
        # once, where Whoosh would read every document
        q = q.accept(lambda node: wq.Every() if isinstance(node, wq.Every) else node)
        bits = sets.evaluate(q)
        if bits is None:  # phrases, wildcards: Whoosh answers, exactly
            bits = bits_of(sorted(self.searcher.docs_for_query(q)))
        return bits & sets.live

    def hidden(self, mutes: tuple[str, ...]) -> int:
        """The papers ``mutes`` hide: those any of them matches, except the
        bookmarked (a bookmark is never hidden). A mute that no longer parses
        hides nothing. Kept until the index changes."""
        if not mutes:
            return 0
        sets = self.docsets  # a new one for each new searcher: the index changed
        cached = self._hidden_cache
        if cached is not None and cached[0] == mutes and cached[1] is sets:
            return cached[2]
        bits = 0
        for text in dict.fromkeys(mutes):
            try:
                bits |= self.matching(text)
            except ValueError:
                continue
        bits &= ~sets.term("is_", "bookmarked")
        self._hidden_cache = (mutes, sets, bits)
        return bits

    def muted(self, mutes: tuple[str, ...]) -> dict[int, str]:
        """``{document: the first mute that hides it}`` (see :meth:`hidden`)."""
        hidden = self.hidden(mutes)
        out: dict[int, str] = {}
        left = hidden
        for text in dict.fromkeys(mutes):
            if not left:
                break
            try:
                bits = self.matching(text) & left
            except ValueError:
                continue
            for d in docs_of(bits):
                out[d] = text
            left &= ~bits
        return out

    def _result(self, text: str, total: int, docs: list[tuple[int, float]], terms: set[str],
                suggestion: str | None, notes: list[str], t0: float, offset: int = 0) -> SearchResult:
        ids = self.docsets.ids([dn for dn, _ in docs])
        titles = self.catalog.titles(ids)
        hits = []
        for (dn, score), pid in zip(docs, ids):
            title = titles.get(pid, "")
            hits.append(Hit(pid, float(score), title, highlight_spans(title, terms)))
        return SearchResult(text, total, tuple(hits), offset, frozenset(terms), suggestion,
                            tuple(notes), (time.perf_counter() - t0) * 1000)

    def _literal(self, tokens: list[str]) -> int:
        """The titles that contain every one of ``tokens`` (folded), as a
        bitset: the papers whose titles have the tokens' symbols, checked
        against their titles (the newest LITERAL_MAX of them)."""
        sets = self.docsets
        bits = sets.live
        for token in tokens:
            for sym in symbols(token).split():
                bits &= sets.term("sym", sym)
        if not bits or all(len(t) == 1 for t in tokens):  # "&", "%": the symbol is the match
            return bits
        docs = sets.newest(bits, LITERAL_MAX)
        ids = self.docsets.ids(docs)
        titles = self.catalog.titles(ids)
        out = 0
        for d, pid in zip(docs, ids):
            title = fold(titles.get(pid, ""))
            if all(t in title for t in tokens):
                out |= 1 << d
        return out

    def _parse(self, text: str, notes: list[str]):
        try:
            q = self.parser.parse(text)
            q.all_terms()  # some malformed trees only fail when walked
            return q
        except Exception as e:
            notes.append(f"query syntax not understood ({type(e).__name__}); searched its words")
            return self._plain_query(_plain_words(text) or [text])

    def _execution(self, notes: list[str], stop: Callable[[], bool] | None = None,
                   order: Callable[["DocSets"], list[int]] | None = None) -> Execution:
        run = self.execution(self.searcher, self.docsets, notes, SAMPLE_MIN, VERIFY_TIMES * SAMPLE_MIN, stop)
        run.order = order
        return run

    @property
    def docsets(self) -> "DocSets":
        searcher = self.searcher
        if self._docsets is None or self._docsets.searcher is not searcher:
            self._docsets = DocSets(searcher, self._segments)
        return self._docsets

    def _plain_query(self, words: list[str], any_word: bool = False):
        terms = []
        for w in words[:MAX_QUERY_TERMS]:
            for tok in TEXT_ANALYZER(w, mode="query"):
                terms.append(wq.Or([wq.Term("title", tok.text), wq.Term("abstract", tok.text)]))
        if not terms:
            return wq.NullQuery
        return wq.Or(terms) if any_word else wq.And(terms)

    @property
    def vocabulary(self) -> "Vocabulary":
        reader = self.searcher.reader()
        if self._vocab is None or self._vocab.reader is not reader:
            self._vocab = Vocabulary(reader, self._segments)
        return self._vocab

    def _highlight_terms(self, q, reader) -> set[str]:
        try:
            found = {t for f, t in q.existing_terms(reader, expand=True) if f in ("title", "abstract")}
            # the full text's words, to say where they are: its leaves asked on
            # their own, as Whoosh's existing_terms reuses its ``fieldname``
            # argument as its loop variable and so skips the leaves of a field
            # other than the first term's
            found |= {t for leaf in q.leaves() if leaf.field() == "text"
                      for _, t in leaf.existing_terms(reader, expand=True)}
            return {t.decode("utf-8") if isinstance(t, bytes) else t for t in found}
        except Exception:
            return set()

    def suggest(self, text: str) -> str | None:
        """"Did you mean": the query with each word not in the vocabulary
        replaced by its nearest real word; the values of fields such as
        ``tag:`` or ``note:`` are never words to correct."""
        spans = _word_spans(text)
        if not spans or len(spans) > 8:
            return None
        fixed = did_you_mean([m.group(0) for m in spans], self.catalog, self.vocabulary)
        if fixed is None:
            return None
        out, end = [], 0
        for m, word in zip(spans, fixed):
            out += [text[end:m.start()], word]
            end = m.end()
        return "".join(out + [text[end:]]).strip()

    def snippet(self, text: str, terms: Iterable[str], width: int = 200) -> tuple[str, Spans]:
        return snippet(text, set(terms), width)

    def similar(self, text: str, exclude: list[str], limit: int,
                terms: int) -> tuple[list[tuple[str, float]], list[tuple[str, float, list[str]]]]:
        """Papers like ``text``: its ``terms`` key terms (by Whoosh's key-term
        weighting of the abstracts; numbers and words of two letters say
        little and are left out), each searched in titles (the field is
        boosted already, so at half weight) and abstracts at its weight
        relative to the first; the papers of ``exclude`` (ids) left out.
        The key terms with their weights, and (id, score, the key terms it
        has) of each paper found, best first."""
        searcher = self.searcher
        weighted = [(t, w) for t, w in searcher.key_terms_from_text("abstract", text, numterms=terms + 6)
                    if len(t) > 2 and not t.isdigit()][:terms]
        if not weighted:
            return [], []
        top = max(w for _, w in weighted) or 1.0
        clauses = []
        for term, weight in weighted:
            boost = max(weight / top, 0.05)
            clauses.append(wq.Term("title", term, boost=boost * 0.5))
            clauses.append(wq.Term("abstract", term, boost=boost))
        mask = wq.Or([wq.Term("id", pid) for pid in exclude]) if exclude else None
        results = searcher.search(wq.Or(clauses), limit=limit, mask=mask, terms=True)
        found = []
        for r in results:
            matched = [t.decode("utf-8") if isinstance(t, bytes) else t for _, t in r.matched_terms()]
            found.append((r["id"], r.score, matched))
        return weighted, found
