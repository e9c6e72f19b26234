"""Saved searches: named queries, some of them *watches* that tag the new
papers matching them (``tui.core.search_watches``). They are written in the same kind
of transaction as the papers' state but bump no generation: the change log
is about papers, for the search index.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .db import Database
from .models import SavedSearch
from .rules import InvalidSavedSearch, clean_query, normalize_search_name, now_iso


class SavedSearchStore:
    """Saved searches by (normalised) name, in ``db``."""

    def __init__(self, db: Database):
        self.db = db

    def save(self, name: str, query: str, watch: bool | None = None) -> SavedSearch:
        """Save a named query; saving an existing name replaces its query.
        ``watch=None`` keeps the current watch flag (off for a new search).
        Name and query are checked (:class:`InvalidSavedSearch`) before anything
        is written. Returns the search as stored."""
        name, query = normalize_search_name(name), clean_query(query)
        with self.db.batch():
            old = self.get(name)
            now = now_iso()
            if old is None:
                self.db.execute(
                    "INSERT INTO saved_searches (name, query, watch, created_at, updated_at) "
                    "VALUES (?,?,?,?,?)", (name, query, int(bool(watch)), now, now))
            else:
                on = old.watch if watch is None else bool(watch)
                if (old.query, old.watch) != (query, on):
                    self.db.execute("UPDATE saved_searches SET query=?, watch=?, updated_at=? WHERE name=?",
                                     (query, int(on), now, name))
            saved = self.get(name)
        assert saved is not None
        return saved

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return [_saved_from_row(r) for r in self.db.read(
            "SELECT name, query, watch, created_at, updated_at, checked_at FROM saved_searches ORDER BY name")]

    def get(self, name: str) -> SavedSearch | None:
        """The saved search of that name (normalised), or None."""
        try:
            name = normalize_search_name(name)
        except InvalidSavedSearch:
            return None
        rows = self.db.read("SELECT name, query, watch, created_at, updated_at, checked_at "
                          "FROM saved_searches WHERE name=?", (name,))
        return _saved_from_row(rows[0]) if rows else None

    def delete(self, name: str) -> bool:
        """Forget a saved search; True if there was one. Tags its watch put on
        papers stay: they are the user's now."""
        try:
            name = normalize_search_name(name)
        except InvalidSavedSearch:
            return False
        with self.db.batch():
            return self.db.execute("DELETE FROM saved_searches WHERE name=?", (name,)).rowcount > 0

    def set_watch(self, name: str, on: bool) -> SavedSearch | None:
        """Turn a saved search's watch on or off; None if there is no such search.
        Turning it on tags nothing yet: a watch looks only at papers added later."""
        found = self.get(name)
        if found is None:
            return None
        with self.db.batch():
            if found.watch != bool(on):
                self.db.execute("UPDATE saved_searches SET watch=?, updated_at=? WHERE name=?",
                                 (int(bool(on)), now_iso(), found.name))
            return self.get(found.name)

    def mark_checked(self, names: Iterable[str]) -> None:
        """Record that these watches just looked at new papers."""
        now = now_iso()
        with self.db.batch():
            self.db.executemany("UPDATE saved_searches SET checked_at=? WHERE name=?",
                                 ((now, n) for n in dict.fromkeys(names)))


def _saved_from_row(row: Sequence[Any]) -> SavedSearch:
    name, query, watch, created, updated, checked = row
    return SavedSearch(name, query, bool(watch), created, updated, checked)
