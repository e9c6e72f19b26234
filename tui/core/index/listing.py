"""The newest papers as the catalog holds them, before the index is open.

Opening the index imports Whoosh and syncs the digests; a reader with 100,000
papers can show its first page before either, from the catalog the last
opening left (:meth:`Listing.open`): a page of the listing order, and the
papers of it. Nothing here imports Whoosh. The index itself answers the same
(:meth:`~.front.Index.newest_page`) once it is open.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from ..digest import PARSER_VERSION
from ..papers import Paper
from .catalog import SCHEMA_VERSION, Catalog
from .answers import Hit, SearchResult


def newest_page(catalog: Catalog, offset: int, limit: int) -> SearchResult:
    """Papers newest digest first (the empty query's answer)."""
    t0 = time.perf_counter()
    ids = catalog.page(offset, limit)
    titles = catalog.titles(ids)
    hits = tuple(Hit(pid, 0.0, titles.get(pid, ""), ()) for pid in ids)
    return SearchResult("", catalog.count(), hits, offset, elapsed_ms=(time.perf_counter() - t0) * 1000)


class Listing:
    """The catalog of an index folder, read-only, as the last opening left it."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    @classmethod
    def open(cls, folder: Path) -> "Listing | None":
        """The listing of the index in ``folder``, or None when there is none of
        this version (a first start, a format change, a damaged file)."""
        path = Path(folder) / "catalog.sqlite3"
        if not path.is_file():
            return None
        try:
            catalog = Catalog(path, readonly=True)
        except sqlite3.Error:
            return None
        try:
            versions = (catalog.meta("parser_version"), catalog.meta("schema_version"))
            if versions == (str(PARSER_VERSION), str(SCHEMA_VERSION)):
                return cls(catalog)
        except sqlite3.Error:
            pass
        catalog.close()
        return None

    def newest_page(self, offset: int = 0, limit: int = 200) -> SearchResult:
        return newest_page(self.catalog, offset, limit)

    def get_many(self, ids) -> dict[str, Paper]:
        return self.catalog.get_many(list(ids))

    def close(self) -> None:
        self.catalog.close()
