"""The query pipeline: any string in, a page of hits out.

:func:`clamp_query` bounds the input; the text is parsed with Whoosh's syntax
(falling back to its plain words), rewritten (leading wildcards dropped, fuzzy
distances limited, unknown words given typo tolerance, the half-typed last
word matched as a prefix), then run: ranked by Whoosh when its terms have few
postings, else answered from bitsets (:class:`~.docsets.DocSets`): the exact
title first, then by how many query words a title has, newest first; a costly
query with phrases checks its newest candidates (:meth:`Search._sampled`).
"""

from __future__ import annotations

import bisect
import re
import time
from typing import Iterable, Iterator

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from ..papers import paper_id
from ..text import fold, strip_control, title_key
from .analysis import TEXT_ANALYZER
from .docsets import DocSets
from .highlight import Spans, highlight_spans, snippet
from .results import Hit, SearchResult
from .vocabulary import Vocabulary, _known, did_you_mean

MAX_QUERY_CHARS = 256
MAX_QUERY_TERMS = 24
MAX_FUZZY = 2
COST_MAX = 10_000  # postings a query may have to be ranked by Whoosh (2-7 us each)
SAMPLE_MIN = 300  # candidates of a costly phrase query checked at least


class Search:
    """Searching an open index: the part of :class:`~.store.Index` that reads.

    It uses the index's ``ix`` (the Whoosh index), ``catalog``, ``count()``,
    and the per-index state ``_searcher``, ``_parser``, ``_schema``,
    ``_vocab``, ``_docsets`` and ``_segments`` that ``Index.__init__`` sets."""

    # -- the searcher ---------------------------------------------------------
    def _reset_searcher(self) -> None:
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

    def refresh(self) -> None:
        """Pick up changes written by another process."""
        self._reset_searcher()

    # -- searching ------------------------------------------------------------
    @property
    def parser(self):
        if self._parser is None:
            parser = MultifieldParser(["title", "abstract"], self._schema, group=AndGroup)
            parser.add_plugin(FuzzyTermPlugin())
            parser.add_plugin(FieldAliasPlugin({"is_": ["is"], "tag": ["tags"], "note": ["notes"],
                                                 "author": ["authors", "by"], "digest": ["label"]}))
            self._parser = parser
        return self._parser

    def search(self, query: str, limit: int = 20, offset: int = 0) -> SearchResult:
        """Search with Whoosh syntax; any string is accepted.

        Parser errors fall back to plain words; leading wildcards, fuzzy
        distances above 2 and very long input are clamped; a word that is not
        in the vocabulary is matched with typo tolerance; an exact title match
        ranks first.
        """
        t0 = time.perf_counter()
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        text, notes = clamp_query(query)
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
        last_prefix = None
        if plain and not _SYNTAX_RE.search(text) and not text[-1:].isspace() and len(plain[-1]) >= 2:
            raw = fold(plain[-1])
            stem = next((t.text for t in TEXT_ANALYZER(raw)), None)
            if stem:
                last_prefix = (raw, stem)
        q, fuzzy_used = self._rewrite(q, reader, notes, last_prefix)
        boosts = []
        if title_key(text):  # the paper whose title this is: its id is its title key's hash
            boosts.append(wq.Term("id", paper_id(text), boost=50.0))
        words = [t.text for t in TEXT_ANALYZER(" ".join(plain))] if plain else []
        if len(words) > 1:
            boosts.append(wq.Phrase("title", words, slop=1, boost=4.0))
        try:
            total, docs = self._run(q, boosts, offset, limit, notes)
        except Exception as e:  # a query Whoosh cannot run: fall back to plain words
            _note(notes, f"query could not be run as written ({type(e).__name__}); searched its words")
            q = self._plain_query(plain or [text])
            total, docs = self._run(q, [], offset, limit, notes)
        if total == 0 and len(plain) > 1 and not _SYNTAX_RE.search(text):
            # no paper has every word: rank the papers that have most of them
            anyq, _ = self._rewrite(self._plain_query(plain, any_word=True), reader, notes, last_prefix)
            total, docs = self._run(anyq, boosts, offset, limit, notes)
            if total:
                q = anyq
                _note(notes, "no paper has all the words; showing papers with some of them")
        terms = self._highlight_terms(q, reader)
        ids = [searcher.stored_fields(dn)["id"] for dn, _ in docs]
        titles = self.catalog.titles(ids)
        hits = []
        for (dn, score), pid in zip(docs, ids):
            title = titles.get(pid, "")
            hits.append(Hit(pid, float(score), title, highlight_spans(title, terms)))
        suggestion = None
        if total < 3 or fuzzy_used:
            suggestion = self.suggest(text)
        return SearchResult(text, total, tuple(hits), offset, frozenset(terms), suggestion,
                            tuple(notes), (time.perf_counter() - t0) * 1000)

    def _parse(self, text: str, notes: list[str]):
        try:
            q = self.parser.parse(text)
            q.all_terms()  # some malformed trees only fail when walked
            return q
        except Exception as e:
            notes.append(f"query syntax not understood ({type(e).__name__}); searched its words")
            return self._plain_query(_plain_words(text) or [text])

    def _run(self, q, boosts: list, offset: int, limit: int, notes: list[str]) -> tuple[int, list[tuple[int, float]]]:
        """Total and (docnum, score) of the page.

        Whoosh decodes every posting of every query term to rank (~2 us each:
        a block of ids, weights and positions at a time), and counts the
        matches in a second pass. A query whose terms have at most COST_MAX
        postings is ranked by Whoosh; its matches are counted from bitsets
        (:class:`DocSets`) when it is simple (terms, And, Or, Not). A costlier
        query is answered from bitsets (:meth:`_broad`), or, with phrases, by
        checking the newest candidates (:meth:`_sampled`)."""
        sets = self.docsets
        reader = self.searcher.reader()
        cheap = _cost(q, reader) <= COST_MAX
        hits = sets.evaluate(q)
        final = wq.AndMaybe(q, wq.Or(boosts)) if boosts else q
        if hits is None:
            if cheap:
                return self._scored(final, offset, limit)
            candidates = sets.evaluate(q, superset=True)
            if candidates is None or candidates.bit_count() <= SAMPLE_MIN:
                return self._scored(final, offset, limit)
            return self._sampled(q, candidates, offset, limit, notes)
        total = hits.bit_count()
        if not total:
            return 0, []
        if cheap:
            return total, self._scored(final, offset, limit, total)[1]
        return total, self._broad(q, hits, boosts, offset, limit, notes)

    def _scored(self, q, offset: int, limit: int, total: int | None = None) -> tuple[int, list[tuple[int, float]]]:
        results = self.searcher.search(q, limit=offset + limit, terms=False)
        end = min(results.scored_length(), offset + limit)
        page = [(results.docnum(i), results.score(i)) for i in range(offset, end)]
        return (len(results) if total is None else total), page

    def _broad(self, q, hits: int, boosts: list, offset: int, limit: int,
               notes: list[str]) -> list[tuple[int, float]]:
        """The page of a query too costly to rank whole (``hits``, its matches):
        the paper whose title is the query, then papers by how many of the query
        words their title has, each group newest first (all from bitsets)."""
        sets = self.docsets
        _note(notes, "many papers match: those with more of the words in the title first, then newest")
        need = offset + limit
        exact = 0
        for b in boosts:
            if isinstance(b, wq.Term) and b.fieldname == "id":
                exact = sets.term("id", b.text) & hits
        out = sets.newest(exact, need)
        rest = hits & ~exact
        groups = [g for g in (_title_only(c) for c in _word_groups(q)) if g is not None]
        for tier in _by_count([sets.evaluate(g) or 0 for g in groups[:MAX_QUERY_TERMS]]):
            if len(out) >= need:
                break
            tier &= rest
            out += sets.newest(tier, need - len(out))
            rest &= ~tier
        if len(out) < need:
            out += sets.newest(rest, need - len(out))
        return [(d, 0.0) for d in out[offset:need]]

    def _sampled(self, q, candidates: int, offset: int, limit: int,
                 notes: list[str]) -> tuple[int, list[tuple[int, float]]]:
        """A costly query with phrases: its candidates (papers with all the
        words) are checked newest first until the page is full; the total is
        estimated from the share that matched unless all were checked."""
        sets = self.docsets
        need = offset + limit
        order = sets.newest(candidates, candidates.bit_count())
        found: list[int] = []
        checked = 0
        step = max(need + need // 2, SAMPLE_MIN)
        while checked < len(order) and (len(found) < need or checked < SAMPLE_MIN):
            chunk = order[checked:checked + step]
            matched = set(self._verify(q, sorted(chunk)))
            found += [d for d in chunk if d in matched]
            checked += len(chunk)
            step = min(step * 2, 4096)
        if checked >= len(order):
            total = len(found)
        else:
            total = max(len(found), round(len(order) * len(found) / checked))
            _note(notes, f"about {total:,} papers match (estimated from the newest {checked:,} "
                         "candidates); newest first")
        return total, [(d, 0.0) for d in found[offset:need]]

    def _verify(self, q, docs: list[int]) -> Iterable[int]:
        """Those of ``docs`` (ascending) that ``q`` matches."""
        searcher = self.searcher
        leaves = searcher.leaf_searchers()
        offsets = [off for _, off in leaves]
        i = 0
        while i < len(docs):
            k = bisect.bisect_right(offsets, docs[i]) - 1
            sub, off = leaves[k]
            end = off + sub.doc_count_all()
            j = bisect.bisect_left(docs, end, i)
            m = q.matcher(sub, searcher.boolean_context())
            for d in docs[i:j]:
                if not m.is_active():
                    break
                m.skip_to(d - off)
                if m.is_active() and m.id() == d - off:
                    yield d
            i = j

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

    def _rewrite(self, q, reader, notes: list[str], last_prefix: str | None = None):
        """Clamp pathological parts; add typo tolerance for unknown words; let the
        half-typed last word of a plain query match as a prefix."""
        fuzzy_used = False
        count = 0
        vocab = self.vocabulary

        def expand(fieldname: str, words: list[str], boost: float = 1.0):
            if not words:
                return wq.NullQuery
            return wq.Or([wq.Term(fieldname, w, boost=boost) for w in words])

        def fix(node):
            nonlocal fuzzy_used, count
            name = type(node).__name__
            if isinstance(node, wq.Every):
                return node if node.fieldname not in (None, "title", "abstract") else wq.NullQuery
            if isinstance(node, (wq.Wildcard, wq.Prefix)) or name == "Regex":
                text = node.text
                core = re.sub(r"[*?]", "", text.lstrip("*?")) if name != "Regex" else re.sub(r"\W", "", text)
                if text[:1] in "*?" or name == "Regex":
                    _note(notes, "leading wildcard removed")
                    if not core:
                        return wq.NullQuery
                    if len(core) < 3:
                        return wq.Term(node.fieldname, core)
                    return wq.Prefix(node.fieldname, core)
                if len(core) < 2:
                    return wq.Term(node.fieldname, core)
                if node.fieldname in ("title", "abstract") and isinstance(node, wq.Prefix):
                    return expand(node.fieldname, vocab.prefixed(node.fieldname, core))
                return node
            if isinstance(node, wq.FuzzyTerm):
                if node.maxdist > MAX_FUZZY:
                    _note(notes, f"fuzzy distance limited to {MAX_FUZZY}")
                dist = max(0, min(node.maxdist, MAX_FUZZY))
                if node.fieldname in ("title", "abstract"):
                    return expand(node.fieldname, vocab.near(node.fieldname, node.text, dist), node.boost)
                return wq.FuzzyTerm(node.fieldname, node.text, boost=node.boost, maxdist=dist,
                                    prefixlength=max(1, node.prefixlength))
            if isinstance(node, wq.Term):
                count += 1
                if count > MAX_QUERY_TERMS:
                    return wq.NullQuery
                if node.fieldname in ("title", "abstract") and isinstance(node.text, str):
                    alts = []
                    if last_prefix and node.text == last_prefix[1]:
                        alts = vocab.prefixed(node.fieldname, last_prefix[0])
                    if not _known(reader, node.text) and 4 <= len(node.text) <= 30 and not alts:
                        dist = 1 if len(node.text) <= 6 else 2
                        alts = vocab.near(node.fieldname, node.text, dist)
                        if alts:
                            fuzzy_used = True
                    if alts:
                        # a word that exists as typed outranks the longer words it begins
                        weight = 0.15 if _known(reader, node.text) else 0.7
                        return wq.Or([node] + [wq.Term(node.fieldname, w, boost=weight) for w in alts if w != node.text])
                return node
            if node.is_leaf():
                return node
            return node.apply(fix)

        q = fix(q)
        if fuzzy_used:
            _note(notes, "typo tolerance used for words not in the index")
        return q, fuzzy_used

    @property
    def vocabulary(self) -> "Vocabulary":
        reader = self.searcher.reader()
        if self._vocab is None or self._vocab.reader is not reader:
            self._vocab = Vocabulary(reader, self._segments)
        return self._vocab

    def _highlight_terms(self, q, reader) -> set[str]:
        try:
            return {
                t.decode("utf-8") if isinstance(t, bytes) else t
                for f, t in q.existing_terms(reader, expand=True)
                if f in ("title", "abstract")
            }
        except Exception:
            return set()

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each word not in the vocabulary replaced by its nearest real word."""
        words = _plain_words(text)
        if not words or len(words) > 8:
            return None
        return did_you_mean(words, self.searcher.reader(), self.catalog)

    def snippet(self, text: str, terms: Iterable[str], width: int = 200) -> tuple[str, Spans]:
        return snippet(text, set(terms), width)


# --- query helpers -------------------------------------------------------------

_SYNTAX_RE = re.compile(r"[:\"*?~()\[\]{}^]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def clamp_query(query: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    text = strip_control(str(query)).replace("\n", " ").replace("\t", " ")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"query shortened to {MAX_QUERY_CHARS} characters")
    return text, notes


def _plain_words(text: str) -> list[str]:
    """The words of a query with its syntax removed."""
    text = re.sub(r"\b\w+:", " ", text)
    text = re.sub(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b", " ", text)
    return re.findall(r"\w+", text)[:MAX_QUERY_TERMS]


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)


def _cost(q, reader) -> int:
    """The postings Whoosh would decode to rank ``q``: its terms' document counts."""
    total = 0
    for fieldname, text in q.iter_all_terms():
        try:
            total += reader.doc_frequency(fieldname, text)
        except Exception:
            pass
    return total


def _word_groups(q) -> list:
    """The parts of ``q`` that stand for one query word each: the children of a
    top-level And or Or (a word's fields and expansions are an Or below)."""
    while isinstance(q, (wq.AndMaybe, wq.AndNot)):
        q = q.a
    if type(q) in (wq.And, wq.Or) and any(not c.is_leaf() for c in q.children()):
        return list(q.children())
    return [q]


def _by_count(sets: list[int]) -> Iterator[int]:
    """Documents by how many of ``sets`` have them, most first (never zero),
    from a bit-sliced counter: plane i holds bit i of each document's count."""
    planes: list[int] = []
    for s in sets:
        carry = s
        for i in range(len(planes)):
            planes[i], carry = planes[i] ^ carry, planes[i] & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    for n in range(len(sets), 0, -1):
        out = -1
        for i, plane in enumerate(planes):
            out &= plane if n >> i & 1 else ~plane
        if n >> len(planes):
            continue
        if out:
            yield out


def _title_only(q):
    """``q`` with its abstract terms dropped (``a b`` -> both in the title), or
    None when that is not a narrowing of ``q`` (negations) or drops everything."""
    def ok(node) -> bool:
        if isinstance(node, (wq.And, wq.Or)):
            return all(ok(c) for c in node.children())
        return isinstance(node, wq.Term) or node is wq.NullQuery

    if not ok(q):
        return None

    def strip(node):
        if isinstance(node, wq.Term):
            return node if node.fieldname == "title" else wq.NullQuery
        if node is wq.NullQuery:
            return node
        return node.apply(strip)

    out = strip(q).normalize()
    return None if out is wq.NullQuery else out
