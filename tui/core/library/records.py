"""The library's state of each paper: bookmark, tags, note and read mark,
the snapshot that keeps a paper showing when its digest is gone, and the
listings built from them (records, bookmarks, notes, tags, what the search
index needs).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..papers import LibraryState
from .db import Database, Transaction, chunks
from .models import Record, Snapshot
from .rules import InvalidTag, _check_id, _clean_note, normalize_tag, now_iso

if TYPE_CHECKING:  # pragma: no cover
    from ..papers import Paper


class PaperRecords:
    """Per-paper state by paper id, in ``db``: every change is one
    :meth:`~.db.Database.batch` that logs the ids it touched."""

    def __init__(self, db: Database):
        self.db = db

    def _snap(self, tx: Transaction, pid: str, paper: "Paper | None") -> None:
        """Refresh the snapshot of a paper the user touched."""
        if paper is None:
            return
        if paper.id != pid:
            raise ValueError(f"paper {paper.id} given for id {pid}")
        known = self.db.execute("SELECT title, link, arxiv_id, labels, authors FROM papers WHERE id=?",
                                 (pid,)).fetchone()
        if known is None and pid not in tx.changed:
            return  # untouched: nothing to remember
        snap = Snapshot.of(paper)
        row = (snap.title, snap.link, snap.arxiv_id, json.dumps(list(snap.labels), ensure_ascii=False),
               json.dumps(list(snap.authors), ensure_ascii=False))
        if known is not None and tuple(known) == row:
            return
        self.db.execute(
            "INSERT INTO papers (id, title, link, arxiv_id, labels, authors) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET title=excluded.title, link=excluded.link, "
            "arxiv_id=excluded.arxiv_id, labels=excluded.labels, authors=excluded.authors",
            (pid, *row))
        tx.changed.add(pid)

    # -- changes ----------------------------------------------------------------
    def set_bookmark(self, pid: str, on: bool, paper: "Paper | None" = None) -> bool:
        """Bookmark (keeping the first time) or unbookmark; True if anything changed."""
        return self._set_flag("bookmarks", pid, on, paper)

    def toggle_bookmark(self, pid: str, paper: "Paper | None" = None) -> bool:
        """Flip the bookmark; returns whether the paper is bookmarked now."""
        _check_id(pid)
        with self.db.batch():
            on = self.db.execute("SELECT 1 FROM bookmarks WHERE paper_id=?", (pid,)).fetchone() is None
            self.set_bookmark(pid, on, paper)
        return on

    def add_tags(self, pid: str, tags: Iterable[str], paper: "Paper | None" = None) -> list[str]:
        """Add tags (normalised; :class:`InvalidTag` before anything is written);
        returns the tags that were new."""
        _check_id(pid)
        wanted = list(dict.fromkeys(normalize_tag(t) for t in tags))
        added = []
        with self.db.batch() as tx:
            for t in wanted:
                if self.db.execute("INSERT OR IGNORE INTO tags VALUES (?, ?)", (pid, t)).rowcount:
                    added.append(t)
            if added:
                tx.changed.add(pid)
            self._snap(tx, pid, paper)
        return added

    def remove_tags(self, pid: str, tags: Iterable[str]) -> list[str]:
        """Remove tags; returns those that were there."""
        _check_id(pid)
        wanted = []
        for t in tags:
            try:
                wanted.append(normalize_tag(t))
            except InvalidTag:
                continue  # cannot be in the library
        removed = []
        with self.db.batch() as tx:
            for t in dict.fromkeys(wanted):
                if self.db.execute("DELETE FROM tags WHERE paper_id=? AND tag=?", (pid, t)).rowcount:
                    removed.append(t)
            if removed:
                tx.changed.add(pid)
        return removed

    def set_note(self, pid: str, text: str | None, paper: "Paper | None" = None) -> bool:
        """Set the note (control characters removed, newlines kept); empty or
        blank text deletes it. True if anything changed."""
        _check_id(pid)
        text = _clean_note(text or "")
        with self.db.batch() as tx:
            old = self.db.execute("SELECT text FROM notes WHERE paper_id=?", (pid,)).fetchone()
            if not text.strip():
                changed = self.db.execute("DELETE FROM notes WHERE paper_id=?", (pid,)).rowcount > 0
            elif old is None:
                now = now_iso()
                self.db.execute("INSERT INTO notes (paper_id, text, updated_at, created_at) VALUES (?,?,?,?)",
                                 (pid, text, now, now))
                changed = True
            elif old[0] != text:
                self.db.execute("UPDATE notes SET text=?, updated_at=? WHERE paper_id=?",
                                 (text, now_iso(), pid))
                changed = True
            else:
                changed = False
            if changed:
                tx.changed.add(pid)
            self._snap(tx, pid, paper)
        return changed

    def set_read(self, pid: str, read: bool, paper: "Paper | None" = None) -> bool:
        """Mark read (keeping the first time) or unread; True if anything changed."""
        return self._set_flag("reads", pid, read, paper)

    def _set_flag(self, table: str, pid: str, on: bool, paper: "Paper | None") -> bool:
        """A row of ``bookmarks`` or ``reads`` (paper id, first time) added or removed."""
        assert table in ("bookmarks", "reads")
        _check_id(pid)
        with self.db.batch() as tx:
            if on:
                cur = self.db.execute(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", (pid, now_iso()))
            else:
                cur = self.db.execute(f"DELETE FROM {table} WHERE paper_id=?", (pid,))
            changed = cur.rowcount > 0
            if changed:
                tx.changed.add(pid)
            self._snap(tx, pid, paper)
        return changed

    def refresh_snapshots(self, papers: Iterable["Paper"]) -> int:
        """Bring the snapshots of papers the library holds up to date (for
        instance from the catalog); returns how many changed."""
        papers = list(papers)
        with self.db.batch() as tx:
            before = set(tx.changed)
            for p in papers:
                self._snap(tx, p.id, p)
            return len(tx.changed - before)

    # -- reading ----------------------------------------------------------------
    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        """Records of those of ``ids`` that have any state (bookmark, tag, note, read)."""
        ids = list(dict.fromkeys(ids))
        out: dict[str, Record] = {}
        with self.db.reading():
            snaps = self.snapshots(ids)
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                bm = dict(self.db.read(f"SELECT paper_id, added_at FROM bookmarks WHERE paper_id IN ({marks})", chunk))
                rd = dict(self.db.read(f"SELECT paper_id, read_at FROM reads WHERE paper_id IN ({marks})", chunk))
                notes = {r[0]: r[1:] for r in self.db.read(
                    f"SELECT paper_id, text, created_at, updated_at FROM notes WHERE paper_id IN ({marks})", chunk)}
                tags: dict[str, list[str]] = {}
                for pid, tag in self.db.read(
                        f"SELECT paper_id, tag FROM tags WHERE paper_id IN ({marks}) ORDER BY tag", chunk):
                    tags.setdefault(pid, []).append(tag)
                for pid in chunk:
                    if pid not in bm and pid not in rd and pid not in notes and pid not in tags:
                        continue
                    note = notes.get(pid)
                    out[pid] = Record(
                        id=pid, bookmarked_at=bm.get(pid), tags=tuple(tags.get(pid, ())),
                        note=note[0] if note else None, note_created=note[1] if note else None,
                        note_updated=note[2] if note else None, read_at=rd.get(pid),
                        snapshot=snaps.get(pid))
        return out

    def snapshots(self, ids: Sequence[str]) -> dict[str, Snapshot]:
        out = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for pid, title, link, arxiv_id, labels, authors in self.db.read(
                    f"SELECT id, title, link, arxiv_id, labels, authors FROM papers "
                    f"WHERE id IN ({marks}) AND title IS NOT NULL", chunk):
                out[pid] = Snapshot(title, link, arxiv_id, tuple(json.loads(labels)), tuple(json.loads(authors)))
        return out

    def get(self, pid: str) -> Record | None:
        """The paper's record, or None when the library holds nothing for it."""
        return self.records([pid]).get(pid)

    def _ordered(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        with self.db.reading():
            ids = [r[0] for r in self.db.read(sql, params)]
            recs = self.records(ids)
        return [recs[i] for i in ids if i in recs]

    def bookmarks(self, tag: str | None = None, sort: str = "added") -> list[Record]:
        """Bookmarked papers, newest first (``sort="added"``) or by title."""
        if sort not in ("added", "title"):
            raise ValueError(f"unknown sort {sort!r}: use 'added' or 'title'")
        if tag is None:
            out = self._ordered("SELECT paper_id FROM bookmarks ORDER BY added_at DESC, rowid DESC")
        else:
            try:
                tag = normalize_tag(tag)
            except InvalidTag:
                return []
            out = self._ordered(
                "SELECT b.paper_id FROM bookmarks b JOIN tags t ON t.paper_id = b.paper_id "
                "WHERE t.tag = ? ORDER BY b.added_at DESC, b.rowid DESC", (tag,))
        if sort == "title":
            out.sort(key=lambda r: (not r.title, r.title.casefold(), r.id))
        return out

    def notes(self) -> list[Record]:
        """Papers with a note, most recently edited first."""
        return self._ordered("SELECT paper_id FROM notes ORDER BY updated_at DESC, paper_id")

    def all_records(self) -> list[Record]:
        """Every paper with any state, by id."""
        return self._ordered(
            "SELECT paper_id FROM bookmarks UNION SELECT paper_id FROM tags UNION "
            "SELECT paper_id FROM notes UNION SELECT paper_id FROM reads ORDER BY 1")

    def tags(self) -> dict[str, int]:
        """Every tag in use and how many papers carry it, by name."""
        return dict(self.db.read("SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag"))

    def index_state(self, ids: Sequence[str]) -> dict[str, LibraryState]:
        """What the search index needs, for those of ``ids`` with any state."""
        return {pid: r.state() for pid, r in self.records(ids).items()}

    def json_fields(self, pid: str) -> dict:
        """``bookmarked``, ``tags``, ``note``, ``read`` for ``search --json``."""
        r = self.get(pid)
        return r.json_fields() if r else Record(pid).json_fields()
