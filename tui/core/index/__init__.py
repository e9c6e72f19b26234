"""The search index: Whoosh for finding, the catalog (SQLite) for everything else.

``Index.open(paths)`` brings the index up to date with the digest files and
returns a ready index:

* a manifest of the digests it was built from (name, size, mtime, sha256) and
  the parser and schema versions live in the catalog; opening with nothing
  changed writes nothing;
* an added, changed or removed digest re-indexes only the papers it touches;
* a version change, or an index that cannot be read, rebuilds from scratch;
  so do damage a search or listing meets (:class:`IndexDamaged`, one line;
  the next opening rebuilds) and a write cut off between Whoosh's commit and
  the catalog's (see ``recovery``);
* a second process that finds the index being written waits briefly, then
  carries on read-only with a warning.

Search accepts any string whatsoever (see :meth:`Index.search`).

One module per concern:

* ``analysis``   -- tokenizer, analyzers, the word cache ``WORDS``
* ``schema``     -- the Whoosh schema and its version, the document of a paper
* ``bulk``       -- the bulk segment writer, term bitsets, merge policy
* ``helper``     -- the second process of a big first build
* ``store``      -- :class:`Index`: opening, sync, catch-up, library updates, and
  what callers ask of the catalog (papers, titles, digest pages, ids)
* ``query``      -- the query pipeline (:class:`~.query.Search`, a base of Index)
* ``rewrite``    -- a parsed query rewritten: clamps, prefixes, typo tolerance,
  hyphenated and joined words
* ``signals``    -- ``upvotes:`` ranges and the sort orders
* ``execute``    -- a query run: ranked by Whoosh, or answered from bitsets
* ``rank``       -- ranking a costly query's matches from bitsets (BM25)
* ``phrases``    -- phrases checked from the postings' positions
* ``docsets``    -- bitsets of documents, the per-segment cache, Docs and
  ColumnRange queries
* ``vocabulary`` -- prefix and typo expansion, "did you mean"
* ``highlight``  -- highlight spans and snippets
* ``catalog``    -- the SQLite store of digests, entries, papers and words
* ``recovery``   -- index and catalog kept in agreement through interruptions
  and damage: generations, the updating mark, unfinished files, IndexDamaged

Importing this package imports nothing else: each name below is imported
from its module when it is first asked for. The catalog (``catalog``,
``listing``) can so be read without Whoosh; everything else imports Whoosh
through :func:`~.whoosh_import.import_whoosh` (without the modules Whoosh imports for
what the index does not use). The reader imports it only once its main screen
is painted.
"""

from __future__ import annotations

import importlib

#: public name -> the module that defines it
_NAMES = {
    "PLAIN_ANALYZER": "build.analysis", "SURFACE_ANALYZER": "build.analysis", "TEXT_ANALYZER": "build.analysis",
    "WORDS": "build.analysis", "CompoundTokenizer": "build.analysis",
    "BulkWriter": "build.bulk", "merge_policy": "build.bulk",
    "Catalog": "catalog", "DigestInfo": "catalog",
    "Spans": "search.highlight", "highlight_spans": "search.highlight", "snippet": "search.highlight",
    "MAX_QUERY_CHARS": "search.query", "clamp_query": "search.query",
    "Hit": "answers", "SearchResult": "answers", "LibrarySource": "answers", "SyncReport": "answers",
    "SearchStopped": "answers", "IndexReplaced": "answers",
    "Listing": "listing",
    "SCHEMA_VERSION": "build.schema", "IndexError_": "build.schema", "_doc": "build.schema",
    "make_schema": "build.schema",
    "Index": "front",
    "edit_distance": "search.vocabulary",
    "IndexDamaged": "build.recovery",
}
_WITHOUT_WHOOSH = {"catalog", "listing", "answers", "whoosh_import"}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name, name)
    if module not in _WITHOUT_WHOOSH:
        from .whoosh_import import import_whoosh

        import_whoosh()
    try:
        mod = importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{module}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = mod if module == name else getattr(mod, name)
    globals()[name] = value
    return value
