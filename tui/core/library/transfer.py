"""Moving the library in and out: the lossless JSON export, and importing
one (all or nothing) with its merge rules -- the union of tags, the earlier
bookmark and read times, the note edited last, the library's snapshot and
saved searches by the one edited last.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from .models import ImportReport, Record, SavedSearch
from .rules import ImportFormatError, _check_id, _one_line, now_iso
from .db import Database
from .follows import Follow, FollowStore
from .records import PaperRecords
from .mute_store import MAX_MUTES, Mute, MuteStore
from .saved_searches import SavedSearchStore

EXPORT_FORMAT = "papers-library"
EXPORT_VERSION = 4  # 2 added "saved_searches", 3 "mutes" and "follows", 4 "skips"; older files still import


class Transfer:
    """Import and export, over the papers' state (``papers``) and the saved
    searches (``saved``), both in ``db``."""

    def __init__(self, db: Database, papers: PaperRecords, saved: SavedSearchStore, mutes: MuteStore):
        self.db = db
        self.papers = papers
        self.saved = saved
        self.mutes = mutes

    def import_json(self, data: Any) -> ImportReport:
        """Merge an export (the parsed object, or its JSON text) into the library.

        All or nothing: the whole file is validated first (:class:`ImportFormatError`
        naming the first bad field), then merged in one transaction. Per paper:
        the union of tags; bookmark and read times the earlier of the two; on a
        note conflict the note updated last wins (the library's on a tie); the
        library's snapshot unless it has none. Saved searches by name: a new
        name is added; for a name the library has, the one edited last wins
        (the library's on a tie).
        """
        if isinstance(data, (bytes, bytearray)):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ImportFormatError(f"not UTF-8 text (byte {e.start})") from None
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as e:
                raise ImportFormatError(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
            except RecursionError:
                raise ImportFormatError("not a papers library export (JSON nested too deep)") from None
        incoming = parse_export(data)
        searches = parse_saved_searches(data)
        mutes = parse_mutes(data)
        follows = parse_follows(data)
        skips = parse_skips(data)
        added, merged, unchanged, replaced, kept = [], [], [], [], []
        with self.db.batch() as tx:
            s_added, s_updated, s_same = self._import_searches(searches)
            m_added = self.mutes.merge(mutes)
            f_added = FollowStore(self.db).merge(follows)
            # triage's skips the library lacks (a skip it has keeps its time)
            self.db.executemany("INSERT OR IGNORE INTO skips VALUES (?, ?)", skips)
            ids = [r.id for r in incoming]
            local = self.papers.records(ids)
            local_snaps = self.papers.snapshots(ids)
            for rec in incoming:
                old = local.get(rec.id)
                new, conflict = _merge(old, rec)
                snap = local_snaps.get(rec.id) or rec.snapshot  # the library's, if it has one
                new = _replace(new, snapshot=snap)
                if conflict == "replaced":
                    replaced.append(rec.id)
                elif conflict == "kept":
                    kept.append(rec.id)
                if old == new or not new.has_state:
                    unchanged.append(rec.id)
                    continue
                self._put(new, write_snapshot=rec.id not in local_snaps)
                tx.changed.add(rec.id)
                (merged if old else added).append(rec.id)
        return ImportReport(tuple(added), tuple(merged), tuple(unchanged), tuple(replaced), tuple(kept),
                            tuple(s_added), tuple(s_updated), tuple(s_same), tuple(m_added), tuple(f_added))

    def _import_searches(self, searches: list[SavedSearch]) -> tuple[list[str], list[str], list[str]]:
        """Merge saved searches (inside the import's transaction)."""
        added, updated, same = [], [], []
        for s in searches:
            old = self.saved.get(s.name)
            if old is None:
                self.db.execute(
                    "INSERT INTO saved_searches (name, query, watch, created_at, updated_at) VALUES (?,?,?,?,?)",
                    (s.name, s.query, int(s.watch), s.created_at, s.updated_at))
                added.append(s.name)
            elif (old.query, old.watch) != (s.query, s.watch) and s.updated_at > old.updated_at:
                self.db.execute(
                    "UPDATE saved_searches SET query=?, watch=?, created_at=?, updated_at=? WHERE name=?",
                    (s.query, int(s.watch), min(old.created_at, s.created_at), s.updated_at, s.name))
                updated.append(s.name)
            else:
                same.append(s.name)
        return added, updated, same

    def _put(self, r: Record, write_snapshot: bool) -> None:
        """Make the rows of one paper say exactly ``r`` (inside a transaction)."""
        db = self.db
        old_bm = db.execute("SELECT added_at FROM bookmarks WHERE paper_id=?", (r.id,)).fetchone()
        if (old_bm[0] if old_bm else None) != r.bookmarked_at:
            db.execute("DELETE FROM bookmarks WHERE paper_id=?", (r.id,))
            if r.bookmarked_at:
                db.execute("INSERT INTO bookmarks VALUES (?, ?)", (r.id, r.bookmarked_at))
        db.execute("DELETE FROM tags WHERE paper_id=?", (r.id,))
        db.executemany("INSERT INTO tags VALUES (?, ?)", ((r.id, t) for t in r.tags))
        db.execute("DELETE FROM notes WHERE paper_id=?", (r.id,))
        if r.note:
            db.execute("INSERT INTO notes (paper_id, text, updated_at, created_at) VALUES (?,?,?,?)",
                       (r.id, r.note, r.note_updated, r.note_created))
        db.execute("DELETE FROM reads WHERE paper_id=?", (r.id,))
        if r.read_at:
            db.execute("INSERT INTO reads VALUES (?, ?)", (r.id, r.read_at))
        if write_snapshot and r.snapshot is not None:
            s = r.snapshot
            db.execute(
                "INSERT INTO papers (id, title, link, arxiv_id, labels, authors) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET title=excluded.title, link=excluded.link, "
                "arxiv_id=excluded.arxiv_id, labels=excluded.labels, authors=excluded.authors",
                (r.id, s.title, s.link, s.arxiv_id, json.dumps(list(s.labels), ensure_ascii=False),
                 json.dumps(list(s.authors), ensure_ascii=False)))

    def export_json(self, records: Iterable[Record] | None = None, what: str = "all",
                    searches: Iterable[SavedSearch] | None = None) -> dict:
        """The lossless export object (see :func:`parse_export`). Saved
        searches go with ``what="all"`` (unless ``searches`` are given)."""
        recs = self.papers.all_records() if records is None else list(records)
        if searches is None:
            searches = self.saved.all() if what == "all" else []
        mutes = self.mutes.all() if what == "all" else []
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "what": what,
                "exported_at": now_iso(), "papers": [r.as_json() for r in recs],
                "saved_searches": [s.as_json() for s in searches],
                "mutes": [m.as_json() for m in mutes],
                "follows": [f.as_json() for f in FollowStore(self.db).all()] if what == "all" else [],
                "skips": [{"paper_id": pid, "skipped_at": at} for pid, at in
                          self.db.read("SELECT paper_id, skipped_at FROM skips ORDER BY skipped_at, paper_id")]
                if what == "all" else []}


def _replace(r: Record, **changes) -> Record:
    from dataclasses import replace

    return replace(r, **changes)


def _earlier(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return min(a, b)


def _merge(old: Record | None, new: Record) -> tuple[Record, str | None]:
    """The merged record and, on a note conflict, ``"replaced"`` or ``"kept"``."""
    if old is None:
        return new, None
    conflict = None
    note = (old.note, old.note_created, old.note_updated)
    if new.note is not None:
        if old.note is None:
            note = (new.note, new.note_created, new.note_updated)
        elif new.note != old.note:
            if (new.note_updated or "") > (old.note_updated or ""):
                note, conflict = (new.note, new.note_created, new.note_updated), "replaced"
            else:
                conflict = "kept"
    return Record(
        id=old.id,
        bookmarked_at=_earlier(old.bookmarked_at, new.bookmarked_at),
        tags=tuple(sorted(set(old.tags) | set(new.tags))),
        note=note[0], note_created=note[1], note_updated=note[2],
        read_at=_earlier(old.read_at, new.read_at),
        snapshot=old.snapshot or new.snapshot,
    ), conflict


def parse_export(data: Any) -> list[Record]:
    """The records of an export object, validated; :class:`ImportFormatError`
    names the first thing wrong.

    The format::

        {"format": "papers-library", "version": 3, "what": "all",
         "exported_at": "...", "papers": [Record.as_json(), ...],
         "saved_searches": [SavedSearch.as_json(), ...],
         "mutes": [{"query": ..., "created_at": ...}, ...]}

    Version 2 is the same without ``mutes``, version 1 without
    ``saved_searches`` either; all are read.
    """
    if not isinstance(data, dict):
        raise ImportFormatError("not a papers library export (expected a JSON object)")
    if data.get("format") != EXPORT_FORMAT:
        raise ImportFormatError(f"not a papers library export (\"format\" is not {EXPORT_FORMAT!r})")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise ImportFormatError("\"version\" is missing or not a number")
    if version > EXPORT_VERSION:
        raise ImportFormatError(f"written by a newer papers (export version {version}); upgrade papers")
    papers = data.get("papers")
    if not isinstance(papers, list):
        raise ImportFormatError("\"papers\" is missing or not a list")
    return _unique_items(papers, "papers", Record.from_json, lambda r: r.id, "id")


def parse_saved_searches(data: Any) -> list[SavedSearch]:
    """The saved searches of an export object (none in a version 1 export),
    validated; :class:`ImportFormatError` names the first thing wrong. Call
    after :func:`parse_export` has checked the header."""
    raw = data.get("saved_searches", []) if isinstance(data, dict) else []
    if not isinstance(raw, list):
        raise ImportFormatError("\"saved_searches\" is not a list")
    return _unique_items(raw, "saved_searches", SavedSearch.from_json, lambda x: x.name, "name")


def parse_mutes(data: Any) -> list[Mute]:
    """The mutes of an export object (none before version 3), checked."""
    raw = data.get("mutes", []) if isinstance(data, dict) else []
    if not isinstance(raw, list):
        raise ImportFormatError("\"mutes\" is not a list")
    if len(raw) > MAX_MUTES:
        raise ImportFormatError(f"\"mutes\": more than {MAX_MUTES:,}")
    return _unique_items(raw, "mutes", Mute.from_json, lambda m: m.query, "query")


def parse_follows(data: Any) -> list[Follow]:
    """The followed authors of an export object (none before they were
    exported), validated as :func:`parse_saved_searches` does."""
    raw = data.get("follows", []) if isinstance(data, dict) else []
    if not isinstance(raw, list):
        raise ImportFormatError("\"follows\" is not a list")
    return _unique_items(raw, "follows", Follow.from_json, lambda x: x.key, "name")


def parse_skips(data: Any) -> list[tuple[str, str]]:
    """The papers skipped in triage of an export object (none before version
    4), as (paper id, when), checked."""
    raw = data.get("skips", []) if isinstance(data, dict) else []
    if not isinstance(raw, list):
        raise ImportFormatError("\"skips\" is not a list")

    def read(item, where: str) -> tuple[str, str]:
        if not isinstance(item, dict) or not isinstance(item.get("skipped_at"), str):
            raise ValueError(f"{where}: expected {{\"paper_id\": id, \"skipped_at\": time}}")
        try:
            return _check_id(item.get("paper_id")), item["skipped_at"]
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None

    return _unique_items(raw, "skips", read, lambda x: x[0], "id")


def _unique_items(items: list, where: str, read, key, what: str) -> list:
    """``read(item, "where[i]")`` of each item, in order; the first item that
    cannot be read, or whose ``key`` an earlier item had, is an
    :class:`ImportFormatError` naming its place."""
    out: list = []
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        try:
            x = read(item, f"{where}[{i}]")
        except ValueError as e:
            raise ImportFormatError(_one_line(str(e))) from None
        k = key(x)
        if k in seen:
            shown = k if what == "id" else repr(k)
            raise ImportFormatError(f"{where}[{i}]: {what} {shown} appears twice (also {where}[{seen[k]}])")
        seen[k] = i
        out.append(x)
    return out
