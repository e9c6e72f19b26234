"""The index, the one front door: :class:`Index` opens it (:mod:`.opening`),
keeps it in line with the digests and the library (its :class:`~.build.writer.Writer`),
searches it (its :class:`~.search.searcher.Searcher`), and answers what callers
ask of the catalog (papers, titles, digest pages, ids). Callers ask
:class:`Index`, never its parts or its storage.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..fsio import FileLock
from ..papers import Paper
from ..paths import Paths, Source
from .answers import IndexReplaced, LibrarySource, SearchResult, SyncReport
from .build.recovery import reading
from .build.writer import LOCK_WAIT, Progress, Writer
from .catalog import Catalog, DigestInfo
from .listing import newest_page
from .opening import Opening
from .search.highlight import Spans, snippet
from .search.searcher import Searcher
from .search.signals import check_sort


WRITE_WAIT = 0.3  # seconds an open index waits for another process's write lock before leaving it a change


class Index:
    """The search index of the digests. Open it with :meth:`open`; it holds
    its Whoosh index ``ix``, its ``catalog``, and two parts: ``writing`` (a
    :class:`~.build.writer.Writer`) and ``searching`` (a
    :class:`~.search.searcher.Searcher`, told after every write)."""

    def __init__(self, folder: Path, catalog: Catalog, ix, readonly: bool):
        self.folder = folder
        self.catalog = catalog
        self.ix = ix
        self.readonly = readonly
        self.searching = Searcher(ix, catalog)
        self.writing = Writer(folder, catalog, ix, readonly, changed=self.searching.refresh)
        self._identity = _identity(folder)
        #: the names of the followed authors, for ``is:followed`` (set by the session)
        self.followed_names: Callable[[], Sequence[str]] | None = None

    @classmethod
    def open(
        cls,
        paths: Paths,
        sources: list[Source] | Callable[[], list[Source]] | None = None,
        progress: Progress | None = None,
        library: LibrarySource | None = None,
        rebuild: bool = False,
        lock_wait: float = LOCK_WAIT,
    ) -> tuple["Index", SyncReport]:
        """Open the index in ``paths.index`` and bring it up to date with the
        digest files and the library (see :class:`~.opening.Opening`)."""
        return Opening(paths, cls, sources, progress, library, lock_wait).open(rebuild)

    def close(self) -> None:
        self.searching.close()
        self.catalog.close()
        self.ix.close()

    # -- writing ---------------------------------------------------------------
    # An open index writes under the folder's write lock, as an opening does;
    # when another process holds it (a reindex, a fetch), the change waits in
    # the library for the next catch-up. An index rebuilt by another process
    # since this one was opened is not this one any more: IndexReplaced.
    def sync(self, sources: list[Source], report: SyncReport | None = None, progress: Progress | None = None,
             library: LibrarySource | None = None) -> SyncReport:
        """Bring catalog and index in line with ``sources``; touch only what changed."""
        with self._writing() as free:
            return self.writing.sync(sources, report, progress, library) if free else (report or SyncReport())

    def catch_up(self, library: LibrarySource, report: SyncReport | None = None) -> int:
        """Re-index the papers whose library state changed since the index last
        applied it (another process, or a crash between library and index)."""
        with self._writing() as free:
            return self.writing.catch_up(library, report) if free else 0

    def update_library(self, ids: Sequence[str], library: LibrarySource, generation: int | None = None) -> int:
        """Re-index these papers with fresh library state (prefer :meth:`catch_up`)."""
        with self._writing() as free:
            return self.writing.update_library(ids, library, generation) if free else 0

    def replaced(self) -> bool:
        """Whether another process has rebuilt the index since this one was
        opened (its catalog is another file now): open it anew."""
        return _identity(self.folder) != self._identity

    @contextmanager
    def _writing(self) -> Iterator[bool]:
        """The write lock, held (True), or taken by another process (False)."""
        if self.readonly:
            yield False
            return
        lock = FileLock(self.folder / "write.lock")
        try:
            locked = lock.acquire(WRITE_WAIT)
        except OSError:
            locked = False
        try:
            if locked and self.replaced():
                raise IndexReplaced(f"the index in {self.folder} was rebuilt by another papers process")
            yield locked
        finally:
            if locked:
                lock.release()

    # -- reading: damage met becomes IndexDamaged, and a rebuild at the next opening
    def reading(self):
        """``with index.reading():`` -- damage met inside raises
        :class:`~.build.recovery.IndexDamaged` (one line) and marks the index to be
        rebuilt at its next opening."""
        return reading(self.folder)

    def search(self, query: str, limit: int = 20, offset: int = 0, sort: str = "relevance",
               stop: Callable[[], bool] | None = None, mutes: Sequence[str] = (),
               order: Callable | None = None) -> SearchResult:
        """Search with Whoosh syntax; any string is accepted (see
        :meth:`~.search.searcher.Searcher.search`). ``stop``: asked now and
        then; when it says so the search gives up with
        :class:`~.answers.SearchStopped` (a newer query was typed). The papers
        ``mutes`` (queries) match are left out, unless bookmarked. ``order``:
        the ``for-you`` sort's keys (:func:`tui.core.foryou.order_of`)."""
        check_sort(sort)  # a wrong order is the caller's mistake, not damage met reading
        if self.followed_names is not None and "followed" in query.lower():
            from ..following import expand_followed

            query = expand_followed(query, self.followed_names())
        with self.reading():
            hide = self.searching.hidden(tuple(mutes)) if mutes else 0
            return self.searching.search(query, limit, offset, sort, stop, hide=hide, order=order)

    # -- mutes ---------------------------------------------------------------------
    def check_mute(self, query: str) -> int:
        """How many papers the mute ``query`` matches; a ValueError with the
        parser's message when it does not parse (checked before the index
        is read: a refused query is not damage met reading)."""
        self.searching.strict(query)
        with self.reading():
            return self.searching.matching(query).bit_count()

    def muted(self, mutes: Sequence[str]) -> dict[str, str]:
        """``{paper id: the mute that hides it}``: what ``mutes`` hide (a
        bookmarked paper never)."""
        if not mutes:
            return {}
        with self.reading():
            by_doc = self.searching.muted(tuple(mutes))
            docs = list(by_doc)
            return dict(zip(self.searching.docsets.ids(docs), (by_doc[d] for d in docs)))

    def mute_counts(self, mutes: Sequence[str]) -> dict[str, int]:
        """``{mute: how many papers it hides}``, each counted whole (a paper two
        mutes match counts under both; a bookmarked paper under none)."""
        with self.reading():
            kept = self.searching.docsets.term("is_", "bookmarked")
            out = {}
            for text in dict.fromkeys(mutes):
                try:
                    out[text] = (self.searching.matching(text) & ~kept).bit_count()
                except ValueError:
                    out[text] = 0
            return out

    def suggest(self, text: str) -> str | None:
        """"Did you mean": the query with its unknown words replaced."""
        with self.reading():
            return self.searching.suggest(text)

    def snippet(self, text: str, terms: Iterable[str], width: int = 200) -> tuple[str, Spans]:
        """The part of ``text`` around the densest run of ``terms``, with their spans."""
        return snippet(text, set(terms), width)

    def highlights(self, text: str, terms: Iterable[str]) -> Spans:
        """The character spans of ``text`` that are one of ``terms`` (analysed)."""
        from .search.highlight import highlight_spans

        return highlight_spans(text, frozenset(terms))

    def similar(self, text: str, exclude: Sequence[str], limit: int, terms: int):
        """Papers like ``text`` (see :meth:`~.search.searcher.Searcher.similar`)."""
        with self.reading():
            return self.searching.similar(text, exclude, limit, terms)

    def refresh(self) -> None:
        """Pick up changes written by another process."""
        self.searching.refresh()

    # -- papers, titles, digests (from the catalog) -----------------------------
    def count(self) -> int:
        with self.reading():
            return self.catalog.count()

    def newest_page(self, offset: int = 0, limit: int = 200) -> "SearchResult":
        """A page of the papers, newest digest first, from the catalog alone (what
        the empty query answers); see also :class:`~.listing.Listing`."""
        return newest_page(self.catalog, offset, limit)

    def entry_count(self) -> int:
        """Entries of all digests (a paper in two digests counts twice)."""
        with self.reading():
            return self.catalog.entry_count()

    def get(self, pid: str) -> Paper | None:
        with self.reading():
            return self.catalog.get(pid)

    def get_many(self, ids: Sequence[str]) -> dict[str, Paper]:
        """The papers of these ids that exist, by id."""
        with self.reading():
            return self.catalog.get_many(list(ids))

    def titles(self, ids: Sequence[str]) -> dict[str, str]:
        """The titles of these ids that exist, by id."""
        with self.reading():
            return self.catalog.titles(list(ids))

    def ids(self, prefix: str = "") -> list[str]:
        """Every paper id, or those that start with ``prefix``."""
        with self.reading():
            return [pid for pid in self.catalog.all_ids() if pid.startswith(prefix)]

    def digests(self) -> list[DigestInfo]:
        with self.reading():
            return self.catalog.digests()

    def digest_page(self, name: str, offset: int = 0, limit: int = -1) -> list[str]:
        """The paper ids of digest ``name`` in its order, from ``offset`` (all
        of them when ``limit`` is negative)."""
        with self.reading():
            return self.catalog.digest_page(name, offset, limit)

    def digest_members(self, names: Sequence[str]) -> dict[str, list[str]]:
        """``{digest: its paper ids in order}`` for each of ``names`` (an
        empty list for a name the index does not have)."""
        with self.reading():
            return self.catalog.digest_members(list(names))


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which file the catalog is (a rebuild makes a new one)."""
    try:
        st = os.stat(folder / "catalog.sqlite3")
    except OSError:
        return None
    return st.st_dev, st.st_ino
