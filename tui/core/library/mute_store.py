"""Mutes: queries whose papers the user never wants to see (``papers mute
QUERY``). The library keeps the queries, in the order they were added (their
number in ``papers mute --list`` and ``papers unmute N``); which papers they
hide is the index's answer (``tui.core.mutes``). Like saved searches they are
written in the library's transactions but bump no generation: no paper's
state changes, only what the lists show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .db import Database
from .rules import MAX_QUERY_CHARS, now_iso, query_line

MAX_MUTES = 100_000  # more than anyone types; a bound for a hostile import


class InvalidMute(ValueError):
    """A mute that cannot be stored; ``str(error)`` is one line."""


@dataclass(frozen=True)
class Mute:
    query: str
    created_at: str

    def as_json(self) -> dict:
        return {"query": self.query, "created_at": self.created_at}

    @classmethod
    def from_json(cls, d: Any, where: str = "mute") -> "Mute":
        if not isinstance(d, dict):
            raise ValueError(f"{where}: not an object")
        created = d.get("created_at")
        if created is not None and not isinstance(created, str):
            raise ValueError(f"{where}.created_at: must be text")
        try:
            return cls(clean_mute(d.get("query")), created or now_iso())
        except InvalidMute as e:
            raise ValueError(f"{where}.query: {e}") from None


def clean_mute(raw: Any) -> str:
    """A mute's query on one line, control characters removed, not empty, at
    most :data:`MAX_QUERY_CHARS` characters. Raises :class:`InvalidMute`."""
    return query_line(raw, InvalidMute, "a mute is a query (text), not {}",
                      "a mute needs a query: words, tag:, author:, a \"phrase\"",
                      f"a mute's query is at most {MAX_QUERY_CHARS} characters")


class MuteStore:
    """The mutes in ``db``, oldest first."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[Mute]:
        return [Mute(q, t) for q, t in self.db.read("SELECT query, created_at FROM mutes ORDER BY created_at, rowid")]

    def queries(self) -> tuple[str, ...]:
        return tuple(m.query for m in self.all())

    def add(self, query: str) -> tuple[Mute, bool]:
        """Mute ``query`` (checked: :class:`InvalidMute`); ``(mute, False)`` if
        it was muted already."""
        query = clean_mute(query)
        with self.db.batch():
            rows = self.db.read("SELECT query, created_at FROM mutes WHERE query=?", (query,))
            if rows:
                return Mute(*rows[0]), False
            mute = Mute(query, now_iso())
            self.db.execute("INSERT INTO mutes (query, created_at) VALUES (?, ?)", (query, mute.created_at))
        return mute, True

    def find(self, which: str) -> Mute | None:
        """The mute numbered ``which`` (1 is the oldest, as ``--list`` shows), or
        whose query is ``which``."""
        mutes = self.all()
        if which.strip().isdigit():
            n = int(which)
            return mutes[n - 1] if 1 <= n <= len(mutes) else None
        try:
            query = clean_mute(which)
        except InvalidMute:
            return None
        return next((m for m in mutes if m.query == query), None)

    def remove(self, which: str) -> Mute | None:
        """Unmute by number or query; the mute removed, or None."""
        with self.db.batch():
            found = self.find(which)
            if found is not None:
                self.db.execute("DELETE FROM mutes WHERE query=?", (found.query,))
        return found

    def merge(self, mutes: list[Mute]) -> list[str]:
        """Add the mutes not held yet (inside an import's transaction); their queries."""
        have = set(self.queries())
        added = []
        for m in mutes:
            if m.query not in have:
                self.db.execute("INSERT INTO mutes (query, created_at) VALUES (?, ?)", (m.query, m.created_at))
                have.add(m.query)
                added.append(m.query)
        return added
