"""What the index takes on disk, part by part: each table and index of the
catalog (SQLite's ``dbstat``), and for Whoosh each field's postings and
terms, the term bitsets, stored fields and columns, summed over segments.
For ``papers bench`` and for deciding what is worth storing."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from .build.schema import _storage


def _file_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def catalog_sizes(path: Path) -> dict[str, int]:
    """Bytes of each table and index of the catalog (pages, as SQLite stores them)."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"))
    except sqlite3.Error:  # SQLite built without dbstat
        return {}
    finally:
        db.close()


def whoosh_sizes(folder: Path) -> dict:
    """Bytes of the Whoosh index by kind of file (``pst`` postings, ``trm``
    terms, ``bits``, ``col`` columns and stored fields) and, per field, of
    postings (blocks in the postings file) and terms (their count and the
    bytes of their text; a term entry takes some 30 bytes more)."""
    ix = _storage(folder).open_index()
    files: Counter = Counter()
    postings: Counter = Counter()
    terms: Counter = Counter()
    term_bytes: Counter = Counter()
    try:
        for seg in ix._segments():
            store = seg.open_compound_file(ix.storage) if seg.is_compound() else ix.storage
            for name in store.list():
                if seg.segment_id() in name:
                    kind = name.rsplit(".", 1)[-1]
                    files["stored" if name.endswith("_stored.col") else kind] += store.file_length(name)
        with ix.reader() as reader:
            leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
            for leaf, _ in leaves:
                for (fieldname, tbytes), info in leaf._terms.items():
                    terms[fieldname] += 1
                    term_bytes[fieldname] += len(tbytes)
                    if not info.is_inlined():
                        length = info.extent()[1]
                        postings[fieldname] += length[0] if isinstance(length, tuple) else length
    finally:
        ix.close()
    return {"files": dict(files.most_common()), "postings": dict(postings.most_common()),
            "terms": dict(terms.most_common()), "term_bytes": dict(term_bytes.most_common()),
            "segments": len(ix._segments())}


def index_sizes(folder: Path) -> dict:
    """The catalog's and Whoosh's bytes in all, and their parts."""
    folder = Path(folder)
    catalog = folder / "catalog.sqlite3"
    return {"catalog_bytes": _file_bytes(catalog), "whoosh_bytes": _file_bytes(folder / "whoosh"),
            "catalog": catalog_sizes(catalog), "whoosh": whoosh_sizes(folder / "whoosh")}
