"""What the reader remembers of its visits: the triage position in each
digest, the digests seen when it was last opened ("what's new"), and how
many papers of each digest are still unread. Written like saved searches:
no generation, the change log is about papers.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from .db import Database, chunks
from .models import TriagePosition
from .rules import _check_digest_name, _check_id, now_iso


class Visits:
    """Triage positions by digest name, the digests seen, read counts, in ``db``."""

    def __init__(self, db: Database):
        self.db = db

    # -- triage position ----------------------------------------------------------
    def set_triage_position(self, digest: str, paper_id_or_index: str | int, *,
                            index: int | None = None) -> TriagePosition:
        """Remember where triage of ``digest`` is: a paper id (optionally with
        its 0-based ``index`` in the digest as a fallback) or just an index."""
        _check_digest_name(digest)
        if isinstance(paper_id_or_index, str):
            pid: str | None = _check_id(paper_id_or_index)
        elif isinstance(paper_id_or_index, int) and not isinstance(paper_id_or_index, bool):
            pid, index = None, paper_id_or_index
        else:
            raise ValueError(f"not a paper id or an index: {paper_id_or_index!r}")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
            raise ValueError(f"not an index in a digest: {index!r}")
        now = now_iso()
        with self.db.batch():
            self.db.execute(
                "INSERT INTO triage (digest, paper_id, position, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT(digest) DO UPDATE SET paper_id=excluded.paper_id, "
                "position=excluded.position, updated_at=excluded.updated_at",
                (digest, pid, index, now))
        return TriagePosition(digest, pid, index, now)

    def triage_position(self, digest: str) -> TriagePosition | None:
        """Where triage of ``digest`` was left, or None."""
        rows = self.db.read("SELECT digest, paper_id, position, updated_at FROM triage WHERE digest=?",
                          (str(digest),))
        return TriagePosition(*rows[0]) if rows else None

    def clear_triage_position(self, digest: str) -> bool:
        """Forget the triage position of ``digest`` (triage finished); True if there was one."""
        with self.db.batch():
            return self.db.execute("DELETE FROM triage WHERE digest=?", (str(digest),)).rowcount > 0

    # -- triage's skips: decisions against papers (the for-you ranking learns from them)
    def record_skip(self, pid: str) -> None:
        """Triage skipped ``pid`` (the latest skip's time is kept)."""
        _check_id(pid)
        with self.db.batch():
            self.db.execute("INSERT INTO skips VALUES (?, ?) ON CONFLICT(paper_id) DO UPDATE "
                            "SET skipped_at=excluded.skipped_at", (pid, now_iso()))

    def clear_skip(self, pid: str) -> bool:
        """``pid`` is no longer skipped (triage decided otherwise); True if it was."""
        with self.db.batch():
            return self.db.execute("DELETE FROM skips WHERE paper_id=?", (str(pid),)).rowcount > 0

    def skips_version(self) -> tuple[int, str | None]:
        """How many skips and the newest: changes with a skip made or taken
        back (skips bump no generation of their own)."""
        return tuple(self.db.read("SELECT count(*), max(skipped_at) FROM skips")[0])

    def skipped_ids(self) -> list[str]:
        """Every paper skipped in triage, oldest skip first."""
        return [r[0] for r in self.db.read("SELECT paper_id FROM skips ORDER BY skipped_at, paper_id")]

    # -- what's new -----------------------------------------------------------------
    def last_opened(self) -> str | None:
        """When an opening last recorded digests -- the first opening, or the
        last one that saw a digest not seen before -- or None if none did."""
        rows = self.db.read("SELECT value FROM meta WHERE key='opened_at'")
        return rows[0][0] if rows else None

    def _unseen(self, names: Sequence[str]) -> list[str]:
        seen: set[str] = set()
        with self.db.reading():
            for chunk in chunks(names):
                marks = ",".join("?" * len(chunk))
                seen.update(r[0] for r in self.db.read(
                    f"SELECT name FROM seen_digests WHERE name IN ({marks})", chunk))
        return [n for n in names if n not in seen]

    def new_digests(self, current_digest_names: Iterable[str]) -> list[str]:
        """Those of the digests (in the order given) that no earlier
        :meth:`mark_opened` saw. The very first time -- nothing was ever marked
        -- none is new: on a first start every digest would be "new", which
        says nothing."""
        names = [n for n in dict.fromkeys(current_digest_names) if isinstance(n, str)]
        with self.db.reading():
            if self.last_opened() is None:
                return []
            return self._unseen(names)

    def mark_opened(self, digest_names: Iterable[str]) -> list[str]:
        """Record an opening that saw these digests; returns those that are new
        since the last opening (as :meth:`new_digests` would have, in the same
        transaction, so two windows starting at once agree). A digest once seen
        stays seen, even if it is removed and comes back. An opening with
        nothing new writes nothing (so it works on a read-only library too)."""
        names = [n for n in dict.fromkeys(digest_names) if isinstance(n, str)]
        with self.db.reading():
            if self.last_opened() is not None and not self._unseen(names):
                return []
        now = now_iso()
        with self.db.batch():
            new = self.new_digests(names)
            self.db.executemany("INSERT OR IGNORE INTO seen_digests VALUES (?, ?)", ((n, now) for n in names))
            self.db.execute("INSERT INTO meta VALUES ('opened_at', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (now,))
        return new

    def read_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` marked read."""
        ids = list(dict.fromkeys(ids))
        out: set[str] = set()
        with self.db.reading():
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                out.update(r[0] for r in self.db.read(f"SELECT paper_id FROM reads WHERE paper_id IN ({marks})", chunk))
        return out

    def unread_counts(self, papers_by_digest: Mapping[str, Iterable[str]]) -> dict[str, int]:
        """``{digest: number of its papers not marked read}`` for a mapping of
        digest -> paper ids (from the catalog); one query per 500 distinct ids."""
        lists = {d: list(dict.fromkeys(ids)) for d, ids in papers_by_digest.items()}
        read = self.read_ids(pid for ids in lists.values() for pid in ids)
        return {d: sum(1 for pid in ids if pid not in read) for d, ids in lists.items()}
