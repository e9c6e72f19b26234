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
``tui.core.watch``), the triage position in each digest, and the digests seen
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
counts) and ``transfer`` (import and export). :class:`Library` is all of them.

No Textual and no Whoosh here: the index and the app talk to this package.
"""

from __future__ import annotations

from .db import BUSY_TIMEOUT_MS
from .migrations import MIGRATIONS, SCHEMA_VERSION
from .models import ImportReport, Record, SavedSearch, Snapshot, TriagePosition
from .rules import (
    MAX_DIGEST_NAME_CHARS, MAX_ID_CHARS, MAX_QUERY_CHARS, MAX_SEARCH_NAME_CHARS, MAX_TAG_CHARS, WATCH_TAG_PREFIX,
    ImportFormatError, InvalidSavedSearch, InvalidTag, LibraryError, clean_query, format_time, normalize_search_name,
    normalize_tag, now_iso, parse_time, watch_tag,
)
from .transfer import EXPORT_FORMAT, EXPORT_VERSION, Transfer, parse_export, parse_saved_searches
from .visits import Visits

__all__ = [
    "BUSY_TIMEOUT_MS", "EXPORT_FORMAT", "EXPORT_VERSION", "MAX_DIGEST_NAME_CHARS", "MAX_ID_CHARS",
    "MAX_QUERY_CHARS", "MAX_SEARCH_NAME_CHARS", "MAX_TAG_CHARS", "MIGRATIONS", "SCHEMA_VERSION",
    "WATCH_TAG_PREFIX", "ImportFormatError", "ImportReport", "InvalidSavedSearch", "InvalidTag", "Library",
    "LibraryError", "Record", "SavedSearch", "Snapshot", "TriagePosition", "clean_query", "format_time",
    "normalize_search_name", "normalize_tag", "now_iso", "parse_export", "parse_saved_searches", "parse_time",
    "watch_tag",
]


class Library(Transfer, Visits):
    """Bookmarks, tags, notes and read state by paper id. Thread-safe; one
    SQLite connection per instance; open one per process with :meth:`open`.

    One class per concern, all over one :class:`~.db.Database` (the file,
    its lock, :meth:`batch` and the change log):
    :class:`~.records.PaperRecords` (bookmark, tags, note, read mark, snapshots
    and the listings), :class:`~.saved_searches.SavedSearchStore` (saved searches and
    watches), :class:`~.visits.Visits` (triage positions, what's new, unread
    counts) and :class:`~.transfer.Transfer` (import and export, which builds
    on the first two).
    """
