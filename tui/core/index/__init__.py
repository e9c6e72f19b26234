"""The search index: Whoosh for finding, the catalog (SQLite) for everything else.

``Index.open(paths)`` brings the index up to date with the digest files and
returns a ready index:

* a manifest of the digests it was built from (name, size, mtime, sha256) and
  the parser and schema versions live in the catalog; opening with nothing
  changed writes nothing;
* an added, changed or removed digest re-indexes only the papers it touches;
* a version change, or an index that cannot be read, rebuilds from scratch;
* a second process that finds the index being written waits briefly, then
  carries on read-only with a warning.

Search accepts any string whatsoever (see :meth:`Index.search`).
"""

from __future__ import annotations

import bisect
from collections import Counter
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from whoosh import index as wi
from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from .catalog import Catalog, DigestInfo
from ..digest import PARSER_VERSION, DigestError, parse_file
from ..fsio import FileLock, sha256_file
from ..papers import LibraryState, Paper, merge_entries, paper_id
from ..paths import Paths, Source, digest_sources
from ..text import fold, strip_control, title_key
from .analysis import PLAIN_ANALYZER, SURFACE_ANALYZER, TEXT_ANALYZER, WORDS, _found_words
from .bulk import BulkWriter, merge_policy
from .schema import SCHEMA_VERSION, IndexError_, _doc, _storage, make_schema
from .vocabulary import Vocabulary, _known, did_you_mean
from .helper import _Helper
from .highlight import Spans, highlight_spans, snippet
from .docsets import DocSets, SegmentCache

MAX_QUERY_CHARS = 256
MAX_QUERY_TERMS = 24
MAX_FUZZY = 2
LOCK_WAIT = 3.0

Progress = Callable[[int, int, str], None]


CHUNK = 1000  # papers read, merged and indexed at a time
PARALLEL_MIN = 10_000  # papers; a first build this big uses a helper process


StateLookup = Callable[[Sequence[str]], dict[str, LibraryState]]


class LibrarySource(Protocol):
    """What the index needs of the user's library (tui.core.library.Library)."""

    def index_state(self, ids: Sequence[str]) -> dict[str, LibraryState]: ...

    def generation(self) -> int: ...

    def changed_since(self, generation: int) -> list[str]: ...


# --- results -----------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title: str
    title_spans: Spans
    fragment: str = ""
    fragment_spans: Spans = ()


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[Hit, ...]
    offset: int = 0
    terms: frozenset[str] = frozenset()  # analysed terms to highlight
    suggestion: str | None = None  # "did you mean"
    notes: tuple[str, ...] = ()  # e.g. "query shortened", "typo tolerance used"
    elapsed_ms: float = 0.0


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per bad digest
    papers_written: int = 0
    rebuilt: bool = False
    readonly: bool = False
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def wrote(self) -> bool:
        return bool(self.papers_written or self.added or self.changed or self.removed or self.rebuilt)


# --- locking -----------------------------------------------------------------

def _rank(source: Source, mtime_ns: int) -> str:
    """A sortable key of a digest's place in time (oldest first)."""
    if source.origin == "bundled":
        return f"0|{source.name}"
    return f"1|{mtime_ns:020d}|{source.name}"


# --- the index ---------------------------------------------------------------

class Index:
    def __init__(self, folder: Path, catalog: Catalog, ix, readonly: bool):
        self.folder = folder
        self.catalog = catalog
        self.ix = ix
        self.readonly = readonly
        self._searcher = None
        self._parser = None
        self._schema = ix.schema
        self._vocab: Vocabulary | None = None
        self._docsets: DocSets | None = None
        self._segments = SegmentCache()

    # -- opening --------------------------------------------------------------
    @classmethod
    def open(
        cls,
        paths: Paths,
        sources: list[Source] | None = None,
        progress: Progress | None = None,
        library: LibrarySource | None = None,
        rebuild: bool = False,
        lock_wait: float = LOCK_WAIT,
    ) -> tuple["Index", SyncReport]:
        """Open the index in ``paths.index`` and bring it up to date with the
        digest files and with the library (tags, notes, flags changed since the
        index last saw it, for instance by another papers process)."""
        t0 = time.perf_counter()
        sources = digest_sources(paths) if sources is None else sources
        folder = paths.index
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexError_(f"cannot create the index folder {folder}: {e.strerror or e}") from None
        report = SyncReport()
        lock = FileLock(folder / "write.lock")
        try:
            locked = lock.acquire(lock_wait)
        except OSError as e:
            raise IndexError_(f"cannot lock the index in {folder}: {e.strerror or e}") from None
        try:
            if not locked:
                index = cls._open_readonly(folder, report)
            else:
                index = cls._open_writable(folder, report, rebuild)
                try:
                    index.sync(sources, report, progress, library)
                    if library is not None:
                        index.catch_up(library, report)
                except Exception:
                    index.close()
                    raise
        finally:
            lock.release()
        report.seconds = time.perf_counter() - t0
        return index, report

    @classmethod
    def _open_readonly(cls, folder: Path, report: SyncReport) -> "Index":
        report.readonly = True
        report.notices.append(
            "another papers process is updating the index; showing it read-only as it is")
        try:
            catalog = Catalog(folder / "catalog.sqlite3", readonly=True)
            ix = _storage(folder / "whoosh").open_index()
        except Exception as e:
            raise IndexError_(
                f"the index in {folder} is being built by another papers process; try again "
                f"when it has finished ({type(e).__name__})") from None
        return cls(folder, catalog, ix, readonly=True)

    @classmethod
    def _open_writable(cls, folder: Path, report: SyncReport, rebuild: bool) -> "Index":
        wdir = folder / "whoosh"
        cpath = folder / "catalog.sqlite3"
        if not rebuild:
            try:
                catalog = Catalog(cpath)
                versions = (catalog.meta("parser_version"), catalog.meta("schema_version"))
                ix = _storage(wdir).open_index()
                ix.doc_count()
                if versions != (str(PARSER_VERSION), str(SCHEMA_VERSION)):
                    catalog.close()
                    report.notices.append("the index format changed; rebuilding it")
                    rebuild = True
                else:
                    return cls(folder, catalog, ix, readonly=False)
            except wi.EmptyIndexError:
                if cpath.exists() and catalog.meta("schema_version"):
                    report.notices.append("the index was missing; rebuilding it")
                rebuild = True
            except Exception as e:  # corrupt or truncated files of any kind
                report.notices.append(f"the index could not be read ({type(e).__name__}); rebuilding it")
                rebuild = True
        report.rebuilt = True
        for p in (wdir, cpath, folder / "catalog.sqlite3-wal", folder / "catalog.sqlite3-shm"):
            try:
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
            except OSError as e:
                raise IndexError_(f"cannot clear the old index {p}: {e.strerror or e}") from None
        try:
            wdir.mkdir(parents=True, exist_ok=True)
            ix = _storage(wdir).create_index(make_schema())
            catalog = Catalog(cpath)
            catalog.set_meta("parser_version", str(PARSER_VERSION))
            catalog.set_meta("schema_version", str(SCHEMA_VERSION))
        except OSError as e:
            raise IndexError_(f"cannot write the index in {folder}: {e.strerror or e}") from None
        return cls(folder, catalog, ix, readonly=False)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.catalog.close()
        self.ix.close()

    # -- updating -------------------------------------------------------------
    def sync(
        self,
        sources: list[Source],
        report: SyncReport | None = None,
        progress: Progress | None = None,
        library: LibrarySource | None = None,
    ) -> SyncReport:
        """Bring catalog and index in line with ``sources``; touch only what changed."""
        state = library.index_state if library is not None else None
        report = report or SyncReport()
        known = {d.name: d for d in self.catalog.digests()}
        wanted = {s.name: s for s in sources}
        todo: list[tuple[Source, int, int, str]] = []  # source, size, mtime, sha
        meta_only: list[DigestInfo] = []
        for s in sources:
            try:
                st = s.path.stat()
            except OSError as e:
                report.errors.append(f"{s.path}: cannot be read ({e.strerror or e})")
                continue
            old = known.get(s.name)
            if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns and old.path == str(s.path):
                if old.error:
                    report.errors.append(old.error)
                continue
            try:
                sha = sha256_file(s.path)
            except OSError as e:
                report.errors.append(f"{s.path}: cannot be read ({e.strerror or e})")
                continue
            if old and old.sha256 == sha and old.path == str(s.path):
                meta_only.append(DigestInfo(**{**old.__dict__, "size": st.st_size,
                                               "mtime_ns": st.st_mtime_ns, "path": str(s.path)}))
                if old.error:
                    report.errors.append(old.error)
                continue
            todo.append((s, st.st_size, st.st_mtime_ns, sha))
        gone = [name for name in known if name not in wanted]
        if not todo and not gone and not meta_only:
            return report
        if self.readonly:
            report.notices.append("digests changed but the index is read-only now; not updated")
            return report

        # papers to (re)index, in digest order: documents indexed together sit
        # together, so the newest papers of a broad query share posting blocks
        affected: dict[str, None] = {}
        self.catalog.begin()
        try:
            for info in meta_only:
                self.catalog.put_digest(info)
            for name in gone:
                affected.update(dict.fromkeys(self.catalog.delete_digest(name)))
                report.removed.append(name)
            for i, (s, size, mtime, sha) in enumerate(todo):
                if progress:
                    progress(i, len(todo), f"parsing {s.path.name}")
                old = known.get(s.name)
                if old:
                    affected.update(dict.fromkeys(self.catalog.delete_digest(s.name)))
                # a digest keeps its place in time (its first import) when it changes
                rank = old.rank if old else _rank(s, mtime if s.origin == "user" else 0)
                try:
                    d = parse_file(s.path, s.name)
                except DigestError as e:
                    report.errors.append(str(e))
                    self.catalog.put_digest(DigestInfo(
                        s.name, str(s.path), s.origin, size, mtime, sha, rank, None, None, 0, (), str(e)))
                    continue
                rows = [(e.position, paper_id(e.title), e) for e in d.entries]
                self.catalog.put_digest(DigestInfo(
                    s.name, str(s.path), s.origin, size, mtime, sha, rank, d.label, d.format,
                    len(d.entries), tuple(p.format(s.path) for p in d.problems), None))
                self.catalog.put_entries(s.name, rows)
                affected.update(dict.fromkeys(pid for _, pid, _ in rows))
                (report.changed if old and not old.error else report.added).append(s.name)
            self._write_papers(list(affected), report, progress, state, cold=not known)
            if library is not None and not known:
                self.catalog.set_meta("library_generation", str(library.generation()))
            self.catalog.commit()
        except BaseException:
            self.catalog.rollback()
            raise
        finally:
            self._reset_searcher()
        return report

    def _write_papers(self, ids: list[str], report: SyncReport, progress: Progress | None,
                      state: StateLookup | None, cold: bool) -> None:
        if not ids:
            return
        ranks = self.catalog.rank_of()
        writer = self._writer()
        writer.words = Counter()  # words written; those of replaced papers are taken off
        gone: Counter = Counter()
        # A big first build shares the indexing with a second process.
        helper = _Helper.start(self.folder / "whoosh") if cold and len(ids) >= PARALLEL_MIN else None
        done = 0

        def tell() -> None:
            if progress:
                n = done + (helper.papers_done if helper else 0)
                progress(n, len(ids), f"indexing papers {n}/{len(ids)}")

        try:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                if not cold:
                    gone += _found_words(self.catalog.get_many(chunk).values())
                papers = self._papers(chunk, state)
                if helper is not None and helper.wants_more():
                    helper.send(chunk, [_doc(p, st, ranks) for p, st in papers])
                else:
                    for p, st in papers:
                        if cold:
                            writer.add_document(**_doc(p, st, ranks))
                        else:
                            writer.update_document(**_doc(p, st, ranks))
                    done += len(papers)
                found = {p.id for p, _ in papers}
                for pid in chunk:
                    if pid not in found:  # a paper no digest has any more
                        if not cold:
                            writer.delete_by_term("id", pid)
                        self.catalog.delete_papers([pid])
                self.catalog.put_papers((p for p, _ in papers), ranks)
                report.papers_written += len(papers)
                tell()
            if helper is not None:
                writer.finish_segment()  # while the helper finishes its own
                try:
                    segments, words = helper.finish(tell)
                except IndexError_ as e:  # index its papers here instead
                    report.notices.append(f"{e}; indexing in one process")
                    for chunk in helper.chunks:
                        for p, st in self._papers(chunk, state):
                            writer.add_document(**_doc(p, st, ranks))
                else:
                    writer.adopt(segments)
                    writer.words.update(words)
            self.catalog.add_words(WORDS.surface(gone, -1, WORDS.surface(writer.words)))
            writer.commit(mergetype=merge_policy)
        except BaseException:
            if helper is not None:
                helper.stop()
            writer.cancel()
            raise

    def _papers(self, ids: list[str], state: StateLookup | None) -> list[tuple[Paper, LibraryState | None]]:
        """These papers as merged from their entries now, with their library state
        (a paper no digest has any more is left out)."""
        groups = self.catalog.entries_of(ids)
        states = state(ids) if state else {}
        out = []
        for pid in ids:
            p = merge_entries(pid, groups.get(pid, ()))
            if p is not None:
                out.append((p, states.get(pid)))
        return out

    def _writer(self) -> "BulkWriter":
        try:
            return BulkWriter(self.ix, timeout=LOCK_WAIT)
        except wi.LockError:
            raise IndexError_(f"the index in {self.folder} is locked by another writer") from None

    def catch_up(self, library: LibrarySource, report: SyncReport | None = None) -> int:
        """Re-index the papers whose library state changed since the index last
        applied it (another process, or a crash between library and index)."""
        if self.readonly:
            return 0
        seen = int(self.catalog.meta("library_generation") or 0)
        gen = library.generation()
        if gen == seen:
            return 0
        ids = library.changed_since(seen) if gen > seen else list(self.catalog.all_ids())
        n = self.update_library(ids, library, gen)
        if report is not None:
            report.papers_written += n
        return n

    def update_library(self, ids: Sequence[str], library: LibrarySource, generation: int | None = None) -> int:
        """Re-index these papers with fresh library state (tags, note, flags).

        Prefer :meth:`catch_up` after a change: it also applies changes other
        processes made, and records how far the index has caught up."""
        if self.readonly:
            return 0
        papers = self.catalog.get_many(list(ids))
        if not papers:
            if generation is not None:
                self.catalog.set_meta("library_generation", str(generation))
            return 0
        states = library.index_state(list(papers))
        ranks = self.catalog.rank_of()
        writer = self._writer()
        try:
            for pid, p in papers.items():
                writer.update_document(**_doc(p, states.get(pid), ranks))
            writer.commit(mergetype=merge_policy)
        except BaseException:
            writer.cancel()
            raise
        if generation is not None:  # only catch_up knows every change up to it was applied
            self.catalog.set_meta("library_generation", str(generation))
        self._reset_searcher()
        return len(papers)

    # -- reading --------------------------------------------------------------
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

    def count(self) -> int:
        return self.catalog.count()

    def get(self, pid: str) -> Paper | None:
        return self.catalog.get(pid)

    def digests(self) -> list[DigestInfo]:
        return self.catalog.digests()

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
        key = title_key(text)
        if key:
            boosts.append(wq.Term("titlekey", key, boost=50.0))
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
            if isinstance(b, wq.Term) and b.fieldname == "titlekey":
                exact = sets.term("titlekey", b.text) & hits
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


COST_MAX = 10_000  # postings a query may have to be ranked by Whoosh (2-7 us each)
SAMPLE_MIN = 300  # candidates of a costly phrase query checked at least


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
