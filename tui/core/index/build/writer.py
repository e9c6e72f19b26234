"""Writing the index: the search index and the catalog kept in line with
the digest files (:meth:`Writer.sync`: only what changed is re-indexed, or the
search index rebuilt when most papers change) and with the library
(:meth:`Writer.catch_up`, :meth:`Writer.update_library`: tags, notes and flags
are part of each paper's document).

A big first build shares the parsing, then the indexing, with a second
process (:mod:`.second_process`); every write is bracketed for recovery
(:mod:`.recovery`: the updating mark, the generations both stores agreed on).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from whoosh import index as wi

from ...fsio import sha256_file
from ...papers import LibraryState, Paper, merge_entries
from ...paths import Source
from ..answers import LibrarySource, SyncReport
from ..catalog import Catalog, DigestInfo
from .analysis import WORDS, _found_words
from .bulk import BulkWriter, drop_all, merge_policy
from .recovery import begin_update, end_update, kill_point, record_generations, remove_unfinished
from .schema import IndexError_, _doc
from .second_process import SecondProcess, parse_in_order

LOCK_WAIT = 3.0  # seconds a writer waits for another one's lock
Progress = Callable[[int, int, str], None]

CHUNK = 1000  # papers read, merged and indexed at a time
PARALLEL_MIN = 10_000  # papers; a first build this big uses a helper process
PAPER_BYTES = 1000  # bytes of digest a paper takes, at least (to tell a big build before parsing)
REBUILD_MIN = 5000  # papers; a sync re-indexing this many, and ...
REBUILD_SHARE = 0.5  # ... more than this share of the index, rebuilds the search index

StateLookup = Callable[[Sequence[str]], dict[str, LibraryState]]


def _rank(source: Source, mtime_ns: int) -> str:
    """A sortable key of a digest's place in time (oldest first)."""
    if source.origin == "bundled":
        return f"0|{source.name}"
    return f"1|{mtime_ns:020d}|{source.name}"


class Writer:
    """Writes the index in ``folder`` (its Whoosh index ``ix`` and its
    ``catalog``); ``changed`` is called after every write (the searcher then
    reads the new state). A read-only index is never written."""

    def __init__(self, folder: Path, catalog: Catalog, ix, readonly: bool, changed: Callable[[], None]):
        self.folder = folder
        self.catalog = catalog
        self.ix = ix
        self.readonly = readonly
        self.changed = changed
        #: a paper's cached full text ("" for none; tui.core.fulltext.CachedTexts), set by the opening
        self.text_of: Callable[[str], str] = lambda pid: ""

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
            # the same content (moved, copied or touched): only its manifest row changes
            if old and old.sha256 == sha and old.origin == s.origin:
                meta_only.append(DigestInfo(**{**old.__dict__, "size": st.st_size,
                                               "mtime_ns": st.st_mtime_ns, "path": str(s.path)}))
                if old.error:
                    report.errors.append(old.error)
                continue
            todo.append((s, st.st_size, st.st_mtime_ns, sha))
        # A digest of the user's whose file is still there stays, even if the
        # list left it out (a list made before another process added it).
        listed = {str(s.path) for s in sources}
        folders = {str(s.path.parent) for s in sources if s.origin == "user"}
        gone = [name for name, d in known.items() if name not in wanted
                and not (d.origin == "user" and d.path not in listed
                         and str(Path(d.path).parent) in folders and Path(d.path).is_file())]
        if not todo and not gone and not meta_only:
            return report
        if self.readonly:
            report.notices.append("digests changed but the index is read-only now; not updated")
            return report

        # papers to (re)index, in digest order: documents indexed together sit
        # together, so the newest papers of a broad query share posting blocks
        affected: dict[str, None] = {}
        # Most papers changing: the catalog is updated, the search index rebuilt
        # (updating most of a big index is slower than building it anew).
        rewrite = self._most_change(known, todo, gone)
        # the words of the papers as they were, read before their entries change
        # (a paper is merged from its entries), taken off the vocabulary
        gone_words: Counter = Counter()

        def touch(ids: list[str]) -> None:
            new = [pid for pid in ids if pid not in affected]
            affected.update(dict.fromkeys(new))
            if known and new and not rewrite:
                gone_words.update(_found_words(self.catalog.get_many(new).values()))

        # A big build shares the parsing, then the indexing, with a second process.
        helper = None
        if (rewrite or not known) and sum(t[1] for t in todo) >= PARALLEL_MIN * PAPER_BYTES:
            helper = SecondProcess.start(self.folder / "whoosh")
        self.catalog.begin()
        try:
            begin_update(self.folder)
            for info in meta_only:
                self.catalog.put_digest(info)
            for name in gone:
                touch(self.catalog.digest_paper_ids(name))
                self.catalog.delete_digest(name)
                report.removed.append(name)
            for (s, size, mtime, sha), d in parse_in_order(todo, helper, progress):
                old = known.get(s.name)
                if old:
                    touch(self.catalog.digest_paper_ids(s.name))
                    self.catalog.delete_digest(s.name)
                # a digest keeps its place in time (its first import) when it changes
                rank = old.rank if old else _rank(s, mtime if s.origin == "user" else 0)
                if d.error:
                    report.errors.append(d.error)
                    self.catalog.put_digest(DigestInfo(
                        s.name, str(s.path), s.origin, size, mtime, sha, rank, None, None, 0, (), d.error))
                    continue
                touch([pid for _, pid, _ in d.rows])
                self.catalog.put_digest(DigestInfo(
                    s.name, str(s.path), s.origin, size, mtime, sha, rank, d.label, d.format,
                    len(d.rows), d.problems, None))
                self.catalog.put_entries(s.name, d.rows)
                (report.changed if old and not old.error else report.added).append(s.name)
            ids = list(affected)
            if rewrite:
                report.rebuilt = True
                report.notices.append("most papers changed; the search index was rebuilt rather than updated")
                ids = list(dict.fromkeys(self.catalog.listing_ids() + ids))
                self.catalog.clear_words()
            self._write_papers(ids, report, progress, state, cold=not known or rewrite, gone=gone_words,
                               helper=helper, replace=rewrite)
            helper = None  # _write_papers has ended it
            kill_point("index-whoosh-committed")
            if library is not None and not known:
                self.catalog.set_meta("library_generation", str(library.generation()))
            record_generations(self.catalog, self.ix.latest_generation())
            self.catalog.commit()
        except BaseException:
            self.catalog.rollback()
            raise
        finally:
            if helper is not None:
                helper.stop()
            end_update(self.folder)
            self.changed()
        kill_point("index-catalog-committed")
        return report

    def _most_change(self, known: dict[str, DigestInfo], todo: list, gone: list[str]) -> bool:
        """Whether this sync would re-index most papers of a big index (estimated
        from the digests' entries, and for new digests from their size)."""
        if not known:
            return False
        entries = sum(d.entries for d in known.values())
        size = sum(d.size for d in known.values() if not d.error)
        per_entry = size / entries if entries else PAPER_BYTES
        changing = sum(known[name].entries for name in gone)
        for s, nbytes, _, _ in todo:
            old = known.get(s.name)
            changing += max(old.entries if old else 0, nbytes / per_entry)  # mostly the same papers
        return changing >= REBUILD_MIN and changing > REBUILD_SHARE * self.catalog.count()

    def _write_papers(self, ids: list[str], report: SyncReport, progress: Progress | None,
                      state: StateLookup | None, cold: bool, gone: Counter,
                      helper: SecondProcess | None = None, replace: bool = False) -> None:
        """Index these papers as merged from their entries now; ``gone`` holds the
        words of their previous versions. ``cold``: none of them is in the index
        (or, with ``replace``, the index is written anew: its old segments are
        dropped at the commit). A big build shares the indexing with ``helper``
        (or one started here); it is ended before this returns."""
        if helper is not None and (not ids or len(ids) < PARALLEL_MIN):
            helper.stop()
            helper = None
        if not ids:
            return
        ranks = self.catalog.rank_of()
        writer = self._writer()
        writer.words = Counter()  # words written; those of replaced papers (gone) are taken off
        if helper is None and cold and len(ids) >= PARALLEL_MIN:
            helper = SecondProcess.start(self.folder / "whoosh")
        done = 0

        def tell() -> None:
            if progress:
                n = done + (helper.papers_done if helper else 0)
                progress(n, len(ids), f"indexing papers {n}/{len(ids)}")

        try:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                papers = self._papers(chunk, state)
                if helper is not None and helper.wants_more():
                    helper.send(chunk, [_doc(p, st, ranks, self.text_of(p.id)) for p, st in papers])
                else:
                    for p, st in papers:
                        if cold:
                            writer.add_document(**_doc(p, st, ranks, self.text_of(p.id)))
                        else:
                            writer.update_document(**_doc(p, st, ranks, self.text_of(p.id)))
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
                kill_point(f"index-chunk-{start // CHUNK + 1}")
            if helper is not None:
                writer.finish_segment()  # while the helper finishes its own
                surface = WORDS.surface(writer.words)
                try:
                    segments, words = helper.finish(tell)
                except IndexError_ as e:  # index its papers here instead
                    report.notices.append(f"{e}; indexing in one process")
                    for chunk in helper.chunks:
                        for p, st in self._papers(chunk, state):
                            writer.add_document(**_doc(p, st, ranks, self.text_of(p.id)))
                    surface = WORDS.surface(writer.words)
                else:
                    writer.adopt(segments)
                    for word, n in words.items():  # its vocabulary, counted there
                        surface[word] = surface.get(word, 0) + n
            else:
                surface = WORDS.surface(writer.words)
            self.catalog.add_words(WORDS.surface(gone, -1, surface))
            writer.commit(mergetype=drop_all if replace else merge_policy)
        except BaseException:
            if helper is not None:
                helper.stop()
            self._abandon(writer)
            raise

    def _abandon(self, writer: "BulkWriter") -> None:
        """After a failed write: cancel the writer (unless it had committed
        already) and remove the segment files it and its helper left."""
        try:
            if not writer.is_closed:
                writer.cancel()
        except Exception:  # (closing a segment writes too) the failure being raised says more
            pass
        try:
            remove_unfinished(self.ix)
        except Exception:
            pass

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
        begin_update(self.folder)
        try:
            # re-applying library state is harmless: either generation agrees
            record_generations(self.catalog, self.ix.latest_generation(), writer.generation)
            for pid, p in papers.items():
                writer.update_document(**_doc(p, states.get(pid), ranks, self.text_of(p.id)))
            writer.commit(mergetype=merge_policy)
        except BaseException:
            self._abandon(writer)
            end_update(self.folder)
            raise
        self.catalog.begin()
        record_generations(self.catalog, self.ix.latest_generation())
        if generation is not None:  # only catch_up knows every change up to it was applied
            self.catalog.set_meta("library_generation", str(generation))
        self.catalog.commit()
        end_update(self.folder)
        self.changed()
        return len(papers)

