"""Saved searches that watch for papers: after a sync, each saved search
with its watch on tags the papers the sync brought in that match its query
``watch:<name>`` (:func:`apply_watches`), and the opening announces them.

No Textual here; the index is used through its public methods only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .library import MAX_QUERY_CHARS

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index, SyncReport
    from .library import Library

SEARCH_PAGE = 1000  # the most Index.search returns at once


def new_paper_ids(index: "Index", report: "SyncReport") -> list[str]:
    """Papers that the sync of ``report`` brought in: those of the digests it
    added or changed that appear in no other digest. None after a rebuild
    (which re-adds every digest) -- nothing is new then."""
    if report.rebuilt:
        return []
    fresh = list(dict.fromkeys([*report.added, *report.changed]))
    if not fresh:
        return []
    ids = list(dict.fromkeys(pid for name in fresh for pid in index.digest_page(name)))
    papers = index.get_many(ids)
    names = set(fresh)
    return [pid for pid in ids if pid in papers and all(a.digest in names for a in papers[pid].appearances)]


def matching_ids(index: "Index", query: str, among: Iterable[str]) -> list[str]:
    """Those of ``among`` that ``query`` finds, best first.

    The query is run in parentheses, which makes it strict: a plain query whose
    words no paper has all of would otherwise fall back to papers with some of
    them, and its last word would match as a prefix (both meant for typing).
    The index cannot restrict a search to given ids, so its results are paged
    through until every candidate is found or the results end."""
    wanted = set(among)
    if not wanted:
        return []
    text = f"({query})" if len(query) + 2 <= MAX_QUERY_CHARS else query
    found: list[str] = []
    offset = 0
    while True:
        res = index.search(text, limit=SEARCH_PAGE, offset=offset)
        found += [h.id for h in res.hits if h.id in wanted]
        offset += len(res.hits)
        if not res.hits or offset >= res.total or len(found) >= len(wanted):
            return found


def apply_watches(index: "Index", library: "Library", new_paper_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """For each saved search with its watch on, tag the papers of
    ``new_paper_ids`` that match its query ``watch:<name>``; returns
    ``[(name, [paper ids newly tagged, best first]), ...]`` for the watches
    that tagged any. Running it again on the same papers tags and announces
    nothing. The caller brings the index up to date with the library
    (``index.catch_up(library)``) so that ``tag:watch:<name>`` finds them."""
    new = list(dict.fromkeys(new_paper_ids))
    watches = [s for s in library.saved.all() if s.watch]
    if not new or not watches:
        return []
    matches = [(s, matching_ids(index, s.query, new)) for s in watches]
    papers = index.get_many(sorted({pid for _, ids in matches for pid in ids}))
    out: list[tuple[str, list[str]]] = []
    with library.batch():
        for s, ids in matches:
            tagged = [pid for pid in ids if library.add_tags(pid, [s.tag], papers.get(pid))]
            if tagged:
                out.append((s.name, tagged))
        library.saved.mark_checked(s.name for s in watches)
    return out
