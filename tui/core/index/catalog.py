"""The catalog: every parsed digest, entry and merged paper, in SQLite.

It lives beside the Whoosh index in the cache dir and can always be rebuilt
from the digest files. The index finds paper ids; the catalog answers
everything else about them (titles, abstracts, appearances, listing order)
without holding the corpus in memory.

Each entry is stored once, as compressed JSON (about half its size); a paper
is stored as its id, title and place in the listing order, and read back by
merging its entries (:func:`~tui.core.papers.merge_entries`, some tens of
microseconds a paper), so the text of the corpus is not kept twice.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..digest import DigestError, Entry, parse_file, signals_json, signals_kwargs
from ..papers import Appearance, Paper, merge_entries, paper_id

#: The version of the index's format (this catalog's tables and the Whoosh
#: schema, see schema.py); kept in the catalog, a change rebuilds the index.
SCHEMA_VERSION = 17

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS digests (
    name TEXT PRIMARY KEY, path TEXT NOT NULL, origin TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL,
    rank TEXT NOT NULL, label TEXT, format TEXT, entries INTEGER NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]', error TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    digest TEXT NOT NULL, position INTEGER NOT NULL, paper_id TEXT NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY (digest, position)
);
CREATE INDEX IF NOT EXISTS entries_paper ON entries (paper_id);
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, title TEXT NOT NULL,
    newest_rank TEXT NOT NULL, newest_pos INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS papers_order ON papers (newest_rank DESC, newest_pos);
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class DigestInfo:
    name: str
    path: str
    origin: str
    size: int
    mtime_ns: int
    sha256: str
    rank: str
    label: str | None
    format: str | None
    entries: int
    problems: tuple[str, ...]
    error: str | None

    def as_json(self) -> dict:
        return {
            "name": self.name, "path": self.path, "origin": self.origin, "label": self.label,
            "format": self.format, "entries": self.entries, "problems": list(self.problems),
            "error": self.error,
        }


def _entry_to_row(e: Entry) -> bytes:
    """An entry as stored: compressed JSON, a list (its position is a column;
    the signals, when it has any, a dict at the end)."""
    row = [e.title, e.abstract, e.arxiv_id, list(e.authors), e.upvotes, e.published, e.line]
    signals = signals_json(e)
    if signals:
        row.append(signals)
    return zlib.compress(json.dumps(row, ensure_ascii=False).encode("utf-8"), 3)


def _entry_from_row(position: int, data: bytes) -> Entry:
    row = json.loads(zlib.decompress(data))
    title, abstract, arxiv_id, authors, upvotes, published, line = row[:7]
    return Entry(position=position, title=title, abstract=abstract, arxiv_id=arxiv_id,
                 authors=tuple(authors or ()), upvotes=upvotes, published=published, line=line,
                 **signals_kwargs(row[7] if len(row) > 7 else {}))


@dataclass
class ParsedDigest:
    """A digest file parsed into the rows the catalog stores (in this process
    or in the helper process of a big build)."""

    label: str | None
    format: str | None
    problems: tuple[str, ...]
    error: str | None  # the file could not be parsed: one line
    rows: list[tuple[int, str, bytes]]  # position, paper id, stored entry


def parse_digest(path: Path, name: str) -> ParsedDigest:
    try:
        d = parse_file(path, name)
    except DigestError as e:
        return ParsedDigest(None, None, (), str(e), [])
    rows = [(e.position, paper_id(e.title), _entry_to_row(e)) for e in d.entries]
    return ParsedDigest(d.label, d.format, tuple(p.format(path) for p in d.problems), None, rows)


class Catalog:
    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        if readonly:
            self.db = _connect_readonly(path)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        self.db.execute("PRAGMA busy_timeout=5000")

    def close(self) -> None:
        self.db.close()

    # --- transactions ---------------------------------------------------------
    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # --- meta -----------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- digests --------------------------------------------------------------
    def digests(self) -> list[DigestInfo]:
        rows = self.db.execute(
            "SELECT name, path, origin, size, mtime_ns, sha256, rank, label, format, entries,"
            " problems, error FROM digests ORDER BY rank").fetchall()
        return [DigestInfo(*r[:10], tuple(json.loads(r[10])), r[11]) for r in rows]

    def put_digest(self, info: DigestInfo) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO digests VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (info.name, info.path, info.origin, info.size, info.mtime_ns, info.sha256, info.rank,
             info.label, info.format, info.entries, json.dumps(list(info.problems)), info.error))

    def delete_digest(self, name: str) -> list[str]:
        """Forget a digest and its entries; returns the paper ids it had."""
        ids = self.digest_paper_ids(name)
        self.db.execute("DELETE FROM entries WHERE digest=?", (name,))
        self.db.execute("DELETE FROM digests WHERE name=?", (name,))
        return ids

    def digest_paper_ids(self, name: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT paper_id FROM entries WHERE digest=? ORDER BY position", (name,))]

    def put_entries(self, digest: str, rows: Iterable[tuple[int, str, bytes]]) -> None:
        """A digest's entries as :func:`parse_digest` stores them."""
        self.db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?)", ((digest, pos, pid, row) for pos, pid, row in rows))

    def entries_of(self, paper_ids: list[str]) -> dict[str, list[tuple[Entry, Appearance]]]:
        """Entries of these papers, each list oldest digest first."""
        out: dict[str, list[tuple[Entry, Appearance]]] = {}
        for chunk in _chunks(paper_ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT e.paper_id, e.position, e.data, d.name, d.label, d.entries FROM entries e"
                f" JOIN digests d ON d.name = e.digest WHERE e.paper_id IN ({marks})"
                " ORDER BY d.rank, e.position", chunk)
            for pid, position, data, name, label, total in rows:
                entry = _entry_from_row(position, data)
                out.setdefault(pid, []).append((entry, Appearance(name, label, position, total)))
        return out

    def rank_of(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT name, rank FROM digests"))

    # --- papers ---------------------------------------------------------------
    def put_papers(self, papers: Iterable[Paper], ranks: dict[str, str]) -> None:
        """Record these papers (merged from the entries now stored): their
        titles and places in the listing order."""
        def rows():
            for p in papers:
                newest = max(p.appearances, key=lambda a: (ranks.get(a.digest, ""), -a.position))
                yield (p.id, p.title, ranks.get(newest.digest, ""), newest.position)
        self.db.executemany("INSERT OR REPLACE INTO papers VALUES (?,?,?,?)", rows())

    def delete_papers(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM papers WHERE id=?", ((i,) for i in ids))

    def get(self, pid: str) -> Paper | None:
        return self.get_many([pid]).get(pid)

    def get_many(self, ids: list[str]) -> dict[str, Paper]:
        """The papers of these ids that exist, merged from their entries."""
        out: dict[str, Paper] = {}
        for chunk in _chunks(ids, 500):
            groups = self.entries_of(chunk)
            for pid in sorted(groups):  # in the order of the id index, as callers have had them
                paper = merge_entries(pid, groups[pid])
                if paper is not None:
                    out[pid] = paper
        return out

    def titles(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, title FROM papers WHERE id IN ({marks})", chunk))
        return out

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    def entry_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def page(self, offset: int, limit: int) -> list[str]:
        """Paper ids, newest digest first, in page order."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM papers ORDER BY newest_rank DESC, newest_pos LIMIT ? OFFSET ?",
            (limit, offset))]

    def digest_page(self, name: str, offset: int = 0, limit: int = -1) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT paper_id FROM entries WHERE digest=? ORDER BY position LIMIT ? OFFSET ?",
            (name, limit, offset))]

    def digest_members(self, names: list[str]) -> dict[str, list[str]]:
        """``{digest: its paper ids in order}`` for these digests, in one query
        per 500 names (a page per digest would be a query each)."""
        out: dict[str, list[str]] = {n: [] for n in names}
        for chunk in _chunks(list(out), 500):
            marks = ",".join("?" * len(chunk))
            for name, pid in self.db.execute(
                    f"SELECT digest, paper_id FROM entries WHERE digest IN ({marks}) ORDER BY digest, position",
                    chunk):
                out[name].append(pid)
        return out

    def listing_ids(self) -> list[str]:
        """Every paper id, in the order of the digests and their entries (the
        order a first build indexes them in)."""
        rows = self.db.execute(
            "SELECT e.paper_id FROM entries e JOIN digests d ON d.name = e.digest ORDER BY d.rank, e.position")
        return list(dict.fromkeys(r[0] for r in rows))

    def all_ids(self) -> Iterator[str]:
        for (pid,) in self.db.execute("SELECT id FROM papers ORDER BY rowid"):
            yield pid

    def iter_papers(self, batch: int = 2000) -> Iterator[Paper]:
        last = ""
        while True:
            ids = [r[0] for r in self.db.execute(
                "SELECT id FROM papers WHERE id > ? ORDER BY id LIMIT ?", (last, batch))]
            if not ids:
                return
            papers = self.get_many(ids)
            for pid in ids:
                if pid in papers:
                    yield papers[pid]
            last = ids[-1]

    # --- words (the unstemmed vocabulary, for "did you mean") -------------------
    def add_words(self, counts: dict[str, int]) -> None:
        """Add each word's change in occurrences (in titles and abstracts)."""
        self.db.executemany(
            "INSERT INTO words VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
            ((w, n) for w, n in counts.items() if n))
        if any(n < 0 for n in counts.values()):
            self.db.execute("DELETE FROM words WHERE n <= 0")

    def clear_words(self) -> None:
        self.db.execute("DELETE FROM words")

    def has_word(self, word: str) -> bool:
        return self.db.execute("SELECT 1 FROM words WHERE word = ?", (word,)).fetchone() is not None

    def words_like(self, first: str, min_len: int, max_len: int) -> list[tuple[str, int]]:
        """Words starting with ``first`` (one character) of a length in range, with
        their occurrences."""
        return self.db.execute(
            "SELECT word, n FROM words WHERE word >= ? AND word < ? AND length(word) BETWEEN ? AND ?",
            (first, first + "\U0010ffff", min_len, max_len)).fetchall()


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that never writes: plain read-only, which also reads what
    is still in the -wal file; where SQLite cannot make its -shm file (a full
    disk, a read-only folder) ``immutable``, which reads the main file alone."""
    last: sqlite3.Error | None = None
    for mode in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"{path.as_uri()}?{mode}", uri=True, check_same_thread=False)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as e:
            db.close()
            last = e
    raise last


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
