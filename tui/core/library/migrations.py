"""The library's schema: its version (``PRAGMA user_version``) and the
migrations that bring an older file up to it, each run inside the one
transaction that opening the library upgrades in (see ``db.py``).
"""

from __future__ import annotations

import sqlite3

from ..text import strip_control
from .rules import InvalidTag, normalize_tag

SCHEMA_VERSION = 6


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements inside the open transaction
    (``executescript`` would commit it first)."""
    for stmt in script.split(";"):
        if stmt.strip():
            db.execute(stmt)


def _migrate_1(db: sqlite3.Connection) -> None:
    """Version 1: the state tables."""
    _script(db, """
        CREATE TABLE bookmarks (paper_id TEXT PRIMARY KEY, added_at TEXT NOT NULL);
        CREATE TABLE tags (paper_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (paper_id, tag));
        CREATE TABLE notes (paper_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE reads (paper_id TEXT PRIMARY KEY, read_at TEXT NOT NULL);
    """)


def _migrate_2(db: sqlite3.Connection) -> None:
    """Version 2: note creation time, paper snapshots, generation and change log;
    tags normalised (version 1 stored them as typed)."""
    _script(db, """
        ALTER TABLE notes ADD COLUMN created_at TEXT;
        UPDATE notes SET created_at = updated_at;
        CREATE TABLE papers (
            id TEXT PRIMARY KEY, title TEXT, link TEXT, arxiv_id TEXT,
            labels TEXT NOT NULL DEFAULT '[]', authors TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE changes (generation INTEGER NOT NULL, paper_id TEXT NOT NULL,
                              PRIMARY KEY (generation, paper_id)) WITHOUT ROWID;
        CREATE INDEX tags_by_tag ON tags (tag);
        CREATE INDEX bookmarks_by_time ON bookmarks (added_at);
        INSERT INTO meta VALUES ('generation', '0'), ('log_floor', '0');
    """)
    rows = db.execute("SELECT paper_id, tag FROM tags").fetchall()
    db.execute("DELETE FROM tags")
    fixed = set()
    for pid, tag in rows:
        try:
            fixed.add((pid, normalize_tag(strip_control(tag))))
        except InvalidTag:
            continue
    db.executemany("INSERT INTO tags VALUES (?, ?)", sorted(fixed))
    ids = [r[0] for r in db.execute(
        "SELECT paper_id FROM bookmarks UNION SELECT paper_id FROM tags "
        "UNION SELECT paper_id FROM notes UNION SELECT paper_id FROM reads")]
    db.executemany("INSERT INTO papers (id) VALUES (?)", ((i,) for i in ids))
    if ids:  # the index has never seen this state: one generation for all of it
        db.execute("UPDATE meta SET value='1' WHERE key='generation'")
        db.executemany("INSERT INTO changes VALUES (1, ?)", ((i,) for i in ids))


def _migrate_3(db: sqlite3.Connection) -> None:
    """Version 3: saved searches, triage positions, digests seen at the last
    open. Only new tables: nothing that was stored changes."""
    _script(db, """
        CREATE TABLE saved_searches (
            name TEXT PRIMARY KEY, query TEXT NOT NULL, watch INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, checked_at TEXT
        );
        CREATE TABLE triage (
            digest TEXT PRIMARY KEY, paper_id TEXT, position INTEGER, updated_at TEXT NOT NULL
        );
        CREATE TABLE seen_digests (name TEXT PRIMARY KEY, first_seen TEXT NOT NULL)
    """)


def _migrate_4(db: sqlite3.Connection) -> None:
    """Version 4: mutes (queries whose papers the lists hide). A new table only."""
    _script(db, "CREATE TABLE mutes (query TEXT PRIMARY KEY, created_at TEXT NOT NULL)")


def _migrate_5(db: sqlite3.Connection) -> None:
    """Version 5: the authors the user follows, by the key of their name
    (casefolded, without accents). Only a new table."""
    _script(db, """
        CREATE TABLE follows (key TEXT PRIMARY KEY, name TEXT NOT NULL, followed_at TEXT NOT NULL)
    """)


def _migrate_6(db: sqlite3.Connection) -> None:
    """Version 6: the papers skipped in triage, a decision against a paper
    the for-you ranking learns from (a skip also marks the paper read, as
    before). A new table only."""
    _script(db, "CREATE TABLE skips (paper_id TEXT PRIMARY KEY, skipped_at TEXT NOT NULL)")


MIGRATIONS = {1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6}
_OUR_TABLES = {"bookmarks", "tags", "notes", "reads", "papers", "meta", "changes",
               "saved_searches", "triage", "seen_digests", "mutes", "follows", "skips"}
