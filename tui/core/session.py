"""Opening the library and the index, the way both front ends need it.

The command line and the reader open the same things in the same steps:

1. :meth:`Session.import_watched` -- digests new or changed in the watched
   folders (``papers watch DIR``) are copied into the user digests folder;
2. :meth:`Session.open_library` -- the library, with its notices (a broken
   file moved aside, a read-only folder);
3. :meth:`Session.open_index` -- the digests synced into the index (the
   sources per ``[app] bundled``), with a progress callback; the library state
   caught up; the watches (saved searches with ``watch`` on) run on the papers
   the sync brought in, then the index caught up with the tags they added;
   for the reader, the digests new since the last opening recorded.

Nothing is printed or shown here: each step returns what happened as data
(:class:`Imported`, :class:`Opened`) for the front end to print (``papers: …``
lines on stderr) or notify.

The command line imports the watched folders before it opens the library; the
reader opens the library first, on its main thread, and does the rest in a
thread worker. Two sets of rules differ (``reader=``):

* the command line reads the list of watched folders and ``[app] bundled``
  when it opens (problems reading the list, and config.toml's problems in
  :attr:`Session.config_problems`, are returned); the reader uses the
  :class:`~tui.core.config.Config` it started with (it shows its problems);
* the command line runs the watches unless the index is read-only, and keeps
  a failure of the index to catch up as data (the change is saved; the next
  opening catches up); the reader runs them only when the library can be
  changed, then records the digests new since the last opening
  (``Visits.mark_opened``), and reports a library that refused any of it as
  one line -- any other failure propagates to the worker that opens the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .config import Config, load_config_file, load_watched
from .paths import Paths, Source, digest_sources

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index, SyncReport
    from .library import Library

Progress = Callable[[int, int, str], None]


@dataclass
class Imported:
    """What the watched folders brought: one line per problem (the list of
    folders unreadable, a folder or file that could not be imported) and the
    summary of the digests copied or replaced, if any were."""

    problems: list[str] = field(default_factory=list)
    summary: str | None = None  # e.g. "1 new digest from watched folders"


@dataclass
class Opened:
    """The index opened, with what the opening did.

    ``report.notices`` and ``report.errors`` (one line per skipped digest)
    come from the sync; ``watches`` lists the watches that tagged new papers;
    ``watches_error`` is the library's refusal (the watches -- and, for the
    reader, what's new -- not updated); ``catch_up_error`` names the exception
    that kept the index from catching up with the tags the watches added (the
    command line's rule); ``new_digests`` are the digests new since the last
    opening (the reader's)."""

    index: "Index"
    report: "SyncReport"
    watches: list[tuple[str, list[str]]] = field(default_factory=list)
    watches_error: str | None = None
    catch_up_error: str | None = None
    new_digests: list[str] = field(default_factory=list)
    #: new papers by followed authors: [(name, [paper ids])]
    followed: list[tuple[str, list[str]]] = field(default_factory=list)


class Session:
    """One opening of the library and the index of ``paths``.

    ``config`` is the reader's configuration (watched folders, ``bundled``);
    without it both are read from the files when they are needed, as the
    command line does. ``reader=True`` applies the reader's rules (see the
    module notes)."""

    def __init__(self, paths: Paths, config: Config | None = None, *, reader: bool = False):
        self.paths = paths
        self.config = config
        self.reader = reader
        self.library: Library | None = None
        self.index: Index | None = None
        #: problems of config.toml when the session read it (the command line's rule)
        self.config_problems: list[str] = []
        self._file_config = None  # config.toml as read when no config was given

    # -- the steps ------------------------------------------------------------------
    def import_watched(self) -> Imported:
        """Copy new or changed digests from the watched folders into the user
        digests folder."""
        from .watched_folders import import_watched

        out = Imported()
        if self.config is None:
            watched, problems = load_watched(self.paths.watched_file)
            out.problems += problems
        else:
            watched = self.config.watched
        if not watched:
            return out
        try:
            result = import_watched(self.paths, Config(watched=list(watched)))
        except OSError as e:
            out.problems.append(f"Watched folders not imported: {e}")
            return out
        out.problems += result.problems
        if result.copied or result.updated:
            out.summary = result.summary()
        return out

    def open_library(self) -> "Library":
        """Open the library (its ``notices`` say what opening it found).
        Raises ``LibraryError``."""
        from .library import Library

        self.library = Library.open(self.paths)
        return self.library

    def check_config(self) -> list[str]:
        """Read config.toml (once; the reader passes its own): its problems."""
        if self.config is None and self._file_config is None:
            self._file_config = load_config_file(self.paths.config_file)
            self.config_problems = self._file_config.problems
        return self.config_problems

    def sources(self) -> list[Source]:
        """The digests to index: the user's, and the bundled ones unless
        ``[app] bundled = false``."""
        self.check_config()
        config = self.config or self._file_config
        return digest_sources(self.paths, bundled=config.bundled)

    def open_index(self, progress: Progress | None = None, rebuild: bool = False,
                   sources: list[Source] | None = None) -> Opened:
        """Open the index and bring it up to date (``sources``: default, as
        :meth:`sources` lists them once the index is locked), then run the
        watches on the papers it brought in. Raises ``IndexError_``."""
        from .index import Index

        # listed once the index's write lock is held (see Index.open)
        index, report = Index.open(self.paths, sources=self.sources if sources is None else sources,
                                   progress=progress, library=self.library, rebuild=rebuild)
        self.index = index
        if self.library is not None:
            follows = self.library.follows
            index.followed_names = lambda: [f.name for f in follows.all()]
        opened = Opened(index, report)
        self._after_sync(opened)
        return opened

    def close(self) -> None:
        for name in ("index", "library"):
            thing = getattr(self, name)
            setattr(self, name, None)
            if thing is not None:
                thing.close()

    # -- after the sync ---------------------------------------------------------------
    def _after_sync(self, opened: Opened) -> None:
        """Watches tag the papers the sync brought in, and the index catches
        up with those tags; the reader records the digests it has now seen."""
        from .library import LibraryError
        from .search_watches import apply_watches, new_paper_ids

        index, library = opened.index, self.library
        if library is None or (self.reader and library.readonly):
            return
        try:
            if not index.readonly:
                ids = new_paper_ids(index, opened.report)
                if ids:
                    from .following import announce

                    opened.followed = announce(index, library, ids)
                    opened.watches = apply_watches(index, library, ids)
                    if opened.watches:
                        self._catch_up(opened)
            if self.reader:
                opened.new_digests = library.visits.mark_opened([d.name for d in index.digests()])
        except LibraryError as e:
            opened.watches_error = str(e)

    def _catch_up(self, opened: Opened) -> None:
        if self.reader:  # a LibraryError is reported by the caller; anything else propagates
            opened.index.catch_up(self.library)
            return
        try:
            opened.index.catch_up(self.library)
        except Exception as e:  # the tags are saved; the next opening catches up
            opened.catch_up_error = type(e).__name__
