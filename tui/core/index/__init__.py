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

Importing this package imports Whoosh: the reader imports it only once its
main screen is painted.
"""

from .analysis import PLAIN_ANALYZER, SURFACE_ANALYZER, TEXT_ANALYZER, WORDS, CompoundTokenizer
from .bulk import BulkWriter, merge_policy
from .catalog import Catalog, DigestInfo
from .highlight import Spans, highlight_spans, snippet
from .query import MAX_QUERY_CHARS, Hit, SearchResult, clamp_query
from .recovery import IndexDamaged
from .schema import SCHEMA_VERSION, IndexError_, _doc, make_schema
from .store import Index, LibrarySource, SyncReport
from .vocabulary import edit_distance

__all__ = [
    "PLAIN_ANALYZER", "SURFACE_ANALYZER", "TEXT_ANALYZER", "WORDS", "CompoundTokenizer",
    "BulkWriter", "merge_policy", "Catalog", "DigestInfo", "Spans", "highlight_spans", "snippet",
    "MAX_QUERY_CHARS", "Hit", "SearchResult", "clamp_query", "SCHEMA_VERSION", "IndexError_",
    "_doc", "make_schema", "Index", "LibrarySource", "SyncReport", "edit_distance", "IndexDamaged",
]
