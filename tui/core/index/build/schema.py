"""The index on disk: the Whoosh schema and its version, the index folder,
and the document a paper becomes.

``SCHEMA_VERSION`` is kept in the catalog; a change rebuilds the index. The
``order`` column holds the catalog's listing order (:func:`_order_key`) so that
searches can list the newest papers first without asking the catalog.
"""

from __future__ import annotations

import re

from whoosh import columns as wc
from whoosh import fields as wf
from whoosh.filedb.filestore import FileStorage

from ...links import has_code
from ...papers import LibraryState, Paper
from .analysis import PLAIN_ANALYZER, TEXT_ANALYZER, abstract_text, symbols
from ..catalog import SCHEMA_VERSION  # noqa: F401 (the index's version, here since its schema is)
from .codec import CompactPositions

VOTES = "votes"  # the column of upvotes
MAX_VOTES = 2**31 - 1


class IndexError_(Exception):
    """The index cannot be opened or written; the message is one line."""


# The text fields, whose postings the bulk writer computes itself (see bulk.py).
TEXT_FIELDS = ("title", "abstract", "note", "text")
#: the note's weight beside the abstract's 1.0 and the title's 2.5
NOTE_BOOST = 0.5
#: the full text's weight beside the abstract's 1.0 and the title's 2.5: a plain
#: word found only in a paper's full text ranks it below those found in title or
#: abstract. A binary fraction, so that a posting's weight (frequency x boost) is
#: an exact multiple of it: the ranking reads frequencies back from weights (tf_planes).
TEXT_BOOST = 0.25
# The fields whose unstemmed words make the "did you mean" vocabulary.
SURFACE_FIELDS = ("title", "abstract")


def _storage(folder) -> FileStorage:
    """The index folder, read without mmap: Whoosh copies each file it opens
    from a memory-mapped compound segment into a BytesIO, so the whole index
    would sit in the heap of every reader (~360 MB at 100,000 papers); read
    through file handles it is read block by block, from the page cache."""
    return FileStorage(str(folder), supports_mmap=False)


def _text(analyzer, field_boost: float = 1.0) -> wf.TEXT:
    """A text field whose positions are stored compactly (see codec.py)."""
    field = wf.TEXT(analyzer=analyzer, field_boost=field_boost)
    field.format = CompactPositions(field_boost=field_boost)
    return field


def make_schema() -> wf.Schema:
    return wf.Schema(
        # the paper's id, the hash of its title key: a query that is a paper's
        # whole title finds it by this id (no field of title keys is needed)
        id=wf.ID(stored=True, unique=True),
        # No spelling=True: Whoosh would index every word a second time, unstemmed
        # (a third of a build); "did you mean" uses the catalog's word list.
        title=_text(TEXT_ANALYZER, field_boost=2.5),
        abstract=_text(TEXT_ANALYZER),
        digest=wf.TEXT(analyzer=PLAIN_ANALYZER),
        author=wf.TEXT(analyzer=PLAIN_ANALYZER),
        arxiv=wf.ID(),
        # the symbols of the title (see analysis.symbols), for a literal match
        sym=wf.KEYWORD(),
        # fed by the library (bookmarks, tags, notes, read state)
        tag=wf.KEYWORD(lowercase=True, commas=True, scorable=True),
        # a plain word is looked for in the note too, ranked below title and abstract
        note=_text(TEXT_ANALYZER, field_boost=NOTE_BOOST),
        # the paper's cached full text (tui.core.fulltext), searched by plain words and text:
        text=_text(TEXT_ANALYZER, field_boost=TEXT_BOOST),
        is_=wf.KEYWORD(lowercase=True),
        has=wf.KEYWORD(lowercase=True),
        # the catalog's listing order (newest digest first) as a number: see _order_key
        order=wf.COLUMN(wc.NumericColumn("Q", default=0)),
        # upvotes (-1: unknown), for upvotes: ranges and sorting
        votes=wf.COLUMN(wc.NumericColumn("i", default=-1)),
    )


# ``is`` is a Python keyword; the field is called ``is_`` and the query parser
# maps ``is:`` to it.


def _order_key(p: Paper, ranks: dict[str, str]) -> int:
    """A number that sorts papers as the catalog lists them, larger first: the
    newest digest the paper is in (its import time, to the microsecond), then
    its place in that digest. Bundled digests count as oldest, in the order of
    the number their names start with (``000_…``, ``001_…``)."""
    newest = max(p.appearances, key=lambda a: (ranks.get(a.digest, ""), -a.position), default=None)
    if newest is None:
        return 0
    parts = ranks.get(newest.digest, "").split("|")
    if len(parts) > 2 and parts[0] == "1" and parts[1].isdigit():
        when = int(parts[1]) // 1000
    else:
        lead = re.match(r"\d{1,9}", parts[-1])
        when = int(lead.group(0)) if lead else 0
    return (min(when, (1 << 51) - 1) << 12) | (4095 - min(max(newest.position, 0), 4095))


def _doc(p: Paper, state: LibraryState | None, ranks: dict[str, str], text: str = "") -> dict:
    state = state or LibraryState()
    words = []
    for a in p.appearances:
        words.append(a.digest)
        if a.label:
            words.append(a.label)
    flags = ["bookmarked" if state.bookmarked else "notbookmarked", "read" if state.read else "unread"]
    has = []
    if state.note.strip():
        has.append("note")
    if state.tags:
        has.append("tags")
    if p.arxiv_id:
        has.append("arxiv")
    if has_code(p.abstract, p.github):
        has.append("code")
    if text:
        has.append("fulltext")
    return dict(
        id=p.id, title=p.title, abstract=abstract_text(p),
        digest=" ".join(words), author=", ".join(p.authors), arxiv=p.arxiv_id or "", sym=symbols(p.title),
        tag=",".join(state.tags), note=state.note, text=text, is_=" ".join(flags), has=" ".join(has) or "none",
        order=_order_key(p, ranks), votes=-1 if p.upvotes is None else max(0, min(p.upvotes, MAX_VOTES)),
    )
