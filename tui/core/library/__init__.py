"""The user's library: bookmarks, tags, notes and read state, in SQLite.

The file is ``paths.library`` (``<data dir>/library.sqlite3``). Everything the
user collects lives here, so the rules are strict:

* WAL journal, ``synchronous=FULL`` and a busy timeout; every change is one
  ``BEGIN IMMEDIATE`` transaction, so a change that returned is on disk, a
  ``kill -9`` at any moment leaves a consistent file, and two processes that
  write at once queue up instead of losing each other's work. Nothing is
  cached in memory: every read sees what other processes committed.
* Every change bumps a persisted ``generation`` and writes the ids it touched
  to a change log, so the search index (and a second window) can catch up with
  :meth:`Library.changed_since`. The log is pruned; asked for a generation
  older than what is left, it answers with every paper the library ever held.
* The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` upgrade an
  older file in place, in one transaction. A file written by a newer version
  is left alone (:class:`LibraryError`).
* A file at the path that is not a readable SQLite database (or not a
  library) is moved aside to ``library.sqlite3.broken-<UTC time>`` -- never
  deleted or overwritten -- a one-line notice goes to :attr:`Library.notices`
  and a new, empty library takes its place.
* A read-only folder, a full disk or a library busy for too long raise
  :class:`LibraryError` with a one-line message.

Besides the per-paper state the file keeps a few small things the reader
needs across sessions: saved searches (some of them *watches*, see
``tui.core.search_watches``), the triage position in each digest, and the digests seen
when the reader was last opened (for "what's new"). They are written in the
same kind of transaction but bump no generation: the change log is about
papers, for the search index.

Times are ISO-8601 UTC strings with microseconds (``2024-08-07T12:00:00.000000Z``),
so they sort as text. Each paper the user touched keeps a small snapshot (title,
primary link, arXiv id, digest labels, authors), so bookmarks and notes still
show and export when the digest that held the paper is gone.

The package, one module per concern: ``rules`` (limits, exceptions, times,
tag and name checks), ``models`` (the frozen values), ``migrations`` (the
schema), ``db`` (the file, its transactions and change log), ``records`` (each
paper's bookmark, tags, note, read mark and snapshot), ``saved_searches`` (saved
searches and watches), ``visits`` (triage positions, what's new, unread
counts) and ``transfer`` (import and export). :class:`Library` holds one of
each: ``library.saved``, ``library.visits`` and ``library.transfer`` are
used as they are; the per-paper state and the change log are the library's
own interface (``library.set_bookmark``, ``library.generation`` …).

No Textual and no Whoosh here: the index and the app talk to this package.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Iterable, Sequence

from .db import BUSY_TIMEOUT_MS, Database, Transaction
from .follows import FollowStore
from .migrations import MIGRATIONS, SCHEMA_VERSION
from .models import ImportReport, Record, SavedSearch, Snapshot, TriagePosition
from .rules import (
    MAX_DIGEST_NAME_CHARS, MAX_ID_CHARS, MAX_NOTE_BYTES, MAX_QUERY_CHARS, MAX_SEARCH_NAME_CHARS, MAX_TAG_CHARS,
    WATCH_TAG_PREFIX, ImportFormatError, InvalidSavedSearch, InvalidTag, LibraryError, NoteTooLong, clean_query,
    format_time, normalize_search_name, normalize_tag, now_iso, parse_tags, parse_time, shown_note, watch_tag,
)
from .mute_store import InvalidMute, Mute, MuteStore
from .records import PaperRecords
from .saved_searches import SavedSearchStore
from .transfer import EXPORT_FORMAT, EXPORT_VERSION, Transfer, parse_export, parse_saved_searches
from .visits import Visits

if TYPE_CHECKING:  # pragma: no cover
    from ..papers import LibraryState, Paper
    from ..paths import Paths

__all__ = [
    "BUSY_TIMEOUT_MS", "EXPORT_FORMAT", "EXPORT_VERSION", "MAX_DIGEST_NAME_CHARS", "MAX_ID_CHARS",
    "MAX_NOTE_BYTES", "NoteTooLong", "shown_note", "MAX_QUERY_CHARS", "MAX_SEARCH_NAME_CHARS", "MAX_TAG_CHARS", "MIGRATIONS", "SCHEMA_VERSION",
    "WATCH_TAG_PREFIX", "ImportFormatError", "ImportReport", "InvalidMute", "Mute", "InvalidSavedSearch", "InvalidTag", "Library",
    "LibraryError", "Record", "SavedSearch", "Snapshot", "TriagePosition", "clean_query", "format_time",
    "normalize_search_name", "normalize_tag", "now_iso", "parse_export", "parse_tags", "parse_saved_searches", "parse_time",
    "watch_tag",
]


class Library:
    """Bookmarks, tags, notes and read state by paper id. Thread-safe; one
    SQLite connection per instance; open one per process with :meth:`open`.

    It holds its parts, each over the same :class:`~.db.Database` (``db``:
    the file, its lock, :meth:`batch` and the change log):
    ``papers`` (:class:`~.records.PaperRecords`: bookmark, tags, note, read
    mark, snapshots and the listings, which the library answers for),
    ``saved`` (:class:`~.saved_searches.SavedSearchStore`: saved searches
    and watches), ``visits`` (:class:`~.visits.Visits`: triage positions,
    what's new, unread counts), ``mutes`` (:class:`~.mute_store.MuteStore`: the
    queries whose papers the lists hide) and ``transfer``
    (:class:`~.transfer.Transfer`: import and export, over the papers' state,
    the saved searches and the mutes).
    """

    def __init__(self, db: Database):
        self.db = db
        self.papers = PaperRecords(db)
        self.saved = SavedSearchStore(db)
        self.visits = Visits(db)
        self.mutes = MuteStore(db)
        self.follows = FollowStore(db)  # the authors followed (tui.core.following)
        self.transfer = Transfer(db, self.papers, self.saved, self.mutes)

    @classmethod
    def open(cls, paths: "Paths") -> "Library":
        """Open (creating, upgrading or replacing a broken file as needed) the
        library of ``paths``. Raises :class:`LibraryError`."""
        return cls(Database.open(paths))

    # -- the file ------------------------------------------------------------------
    @property
    def path(self):
        return self.db.path

    @property
    def notices(self) -> list[str]:
        """What opening the file found (a broken file moved aside, a read-only folder)."""
        return self.db.notices

    @property
    def readonly(self) -> bool:
        """Opened read-only: every change raises :class:`LibraryError`."""
        return self.db.readonly

    @readonly.setter
    def readonly(self, value: bool) -> None:
        self.db.readonly = value

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def batch(self) -> AbstractContextManager[Transaction]:
        """One transaction for several changes (:meth:`.db.Database.batch`)."""
        return self.db.batch()

    def generation(self) -> int:
        """Bumped by every committed change, by any process; never goes down."""
        return self.db.generation()

    def outside_version(self) -> int:
        """Changes when another process commits anything (:meth:`.db.Database.outside_version`)."""
        return self.db.outside_version()

    def changed_since(self, generation: int) -> list[str]:
        """Ids of the papers changed after ``generation`` (:meth:`.db.Database.changed_since`)."""
        return self.db.changed_since(generation)

    def touched_ids(self) -> list[str]:
        """Every paper id the library has held, with or without state now."""
        return self.db.touched_ids()

    def integrity_check(self) -> str:
        """``ok``, or SQLite's first complaint."""
        return self.db.integrity_check()

    # -- each paper's state (PaperRecords) ----------------------------------------------
    def set_bookmark(self, pid: str, on: bool, paper: "Paper | None" = None) -> bool:
        return self.papers.set_bookmark(pid, on, paper)

    def toggle_bookmark(self, pid: str, paper: "Paper | None" = None) -> bool:
        return self.papers.toggle_bookmark(pid, paper)

    def add_tags(self, pid: str, tags: Iterable[str], paper: "Paper | None" = None) -> list[str]:
        return self.papers.add_tags(pid, tags, paper)

    def remove_tags(self, pid: str, tags: Iterable[str]) -> list[str]:
        return self.papers.remove_tags(pid, tags)

    def set_note(self, pid: str, text: str | None, paper: "Paper | None" = None) -> bool:
        return self.papers.set_note(pid, text, paper)

    def set_read(self, pid: str, read: bool, paper: "Paper | None" = None) -> bool:
        return self.papers.set_read(pid, read, paper)

    def refresh_snapshots(self, papers: Iterable["Paper"]) -> int:
        return self.papers.refresh_snapshots(papers)

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        return self.papers.records(ids)

    def get(self, pid: str) -> Record | None:
        return self.papers.get(pid)

    def bookmarks(self, tag: str | None = None, sort: str = "added") -> list[Record]:
        return self.papers.bookmarks(tag, sort)

    def notes(self) -> list[Record]:
        return self.papers.notes()

    def all_records(self) -> list[Record]:
        return self.papers.all_records()

    def tags(self) -> dict[str, int]:
        return self.papers.tags()

    def index_state(self, ids: Sequence[str]) -> dict[str, "LibraryState"]:
        return self.papers.index_state(ids)

    def json_fields(self, pid: str) -> dict:
        return self.papers.json_fields(pid)
