"""Known-item search, measured: people search a year of digests for the paper
they half remember. ``known_items.tsv`` (beside this module) holds queries
of the kinds readers type -- partial titles, words of the abstract, typos,
names without accents, hyphenated and symbol words -- each with the title of
the bundled paper it looks for.

:func:`measure` runs them through an open index and through SQLite FTS5 on
the same papers, and gives MRR@k and the hits at rank 1 of each. It is meant
for a corpus that holds the bundled papers among many others (e.g. the
bench's synthetic papers with the bundled digests added).

FTS5 is asked the way a search box would ask it: every word of the query
quoted (so ``pre-training`` is the phrase ``pre training`` and ``$$$`` is no
syntax error), all words required, or any of them when no paper has all;
ranked by ``bm25(papers, 2.5, 1.0)`` (the title weighed as in the index).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

KNOWN_ITEMS = Path(__file__).with_name("known_items.tsv")
FTS5_TOKENIZER = "porter unicode61 remove_diacritics 2"


def load(path: Path = KNOWN_ITEMS) -> list[tuple[str, str]]:
    """(query, expected title) of a known-item file (tab-separated, ``#`` comments)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, title = line.split("\t")
            rows.append((query, title))
    return rows


def fts5_table(index) -> sqlite3.Connection:
    """An in-memory FTS5 table ``papers(title, abstract)`` of every paper of ``index``."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE papers USING fts5(title, abstract, tokenize = '{FTS5_TOKENIZER}')")
    ids = index.ids()
    for start in range(0, len(ids), 2000):
        papers = index.get_many(ids[start:start + 2000])
        db.executemany("INSERT INTO papers (title, abstract) VALUES (?, ?)",
                       ((p.title, p.abstract) for p in papers.values()))
    db.commit()
    return db


def fts5_titles(db: sqlite3.Connection, query: str, k: int) -> list[str]:
    """The first ``k`` titles FTS5 ranks for a query typed into a search box."""
    words = ['"' + w.replace('"', '""') + '"' for w in query.split()]
    for joint in (" ", " OR "):
        try:
            rows = db.execute("SELECT title FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 2.5, 1.0) "
                              "LIMIT ?", (joint.join(words), k)).fetchall()
        except sqlite3.Error:
            rows = []
        if rows or len(words) < 2:
            return [r[0] for r in rows]
    return []


def exact_top(index, queries: list[str], k: int = 10) -> dict:
    """How many of ``queries`` the search ranks exactly as the straightforward
    reference does (Whoosh's own BM25F over every match, ties newest first:
    :func:`tui.core.index.search.reference.reference_search`): the same ``k``
    papers in the same order. ``exact_top{k}`` is that share; the queries
    that differ are listed."""
    from ..core.index.search.reference import reference_search

    differ = []
    for q in queries:
        fast = [h.id for h in index.search(q, limit=k).hits]
        exact = [h.id for h in reference_search(index, q, limit=k).hits]
        if fast != exact:
            differ.append(q if len(q) <= 60 else q[:40] + f"… ({len(q)} chars)")
    n = len(queries)
    return {f"exact_top{k}": round((n - len(differ)) / n, 4) if n else None, "compared": n, "differ": differ}


def measure(index, fts5: sqlite3.Connection | None = None, queries: Path = KNOWN_ITEMS, k: int = 10) -> dict:
    """MRR@k and hits at rank 1 of the known-item set for ``index`` (an open
    :class:`tui.core.index.Index`) and for FTS5 (``fts5``: a connection with
    a table ``papers(title, abstract)`` of the same papers; built in memory
    from the index when None). Each engine's misses (rank above 1) are listed
    as (query, rank or None)."""
    rows = load(queries)
    own_db = None
    if fts5 is None:
        own_db = fts5 = fts5_table(index)
    try:
        engines = {"papers": lambda q: [h.title for h in index.search(q, limit=k).hits],
                   "fts5": lambda q: fts5_titles(fts5, q, k)}
        out: dict = {"queries": len(rows), "k": k}
        for name, ranked_titles in engines.items():
            total, first, misses = 0.0, 0, []
            for query, title in rows:
                ranked = ranked_titles(query)
                rank = ranked.index(title) + 1 if title in ranked else None
                total += 1 / rank if rank else 0.0
                first += rank == 1
                if rank != 1:
                    misses.append((query, rank))
            out[name] = {"mrr": round(total / len(rows), 4), "rank1": first, "misses": misses}
        return out
    finally:
        if own_db is not None:
            own_db.close()
