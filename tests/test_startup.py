"""Starting fast: what a fresh process imports, and the newest papers read from
the catalog before the index is open."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tui.core.index import Index, Listing
from tui.core.paths import Paths

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_catalog_and_listing_import_no_whoosh():
    mods = _modules_after("import tui.core.index as ix; ix.Listing, ix.SearchResult, ix.Hit, ix.Catalog")
    assert not any(m == "whoosh" or m.startswith("whoosh.") for m in mods)


def test_command_line_search_imports_no_network_asyncio_textual_or_bench(paths):
    code = (f"from tui.cli import main\n"
            f"try:\n    main(['--data-dir', {str(paths.data.parent)!r}, 'search', 'transformer'])\n"
            f"except SystemExit:\n    pass")
    mods = _modules_after(code)
    assert "whoosh.reading" in mods  # it did search
    for unwanted in ("urllib.request", "http.client", "asyncio", "textual", "tui.bench.run", "cached_property"):
        assert unwanted not in mods, unwanted


def test_whoosh_works_with_the_stand_ins_taken_out(paths):
    index, _ = Index.open(paths)
    reader = index.searching.searcher.reader()
    segment = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
    assert segment.deleted_docs_set == frozenset()  # the property the stand-in provides
    assert index.search("transformer").total > 100
    index.close()
    import urllib.request

    assert hasattr(urllib.request, "urlopen")  # the real module, imported afterwards


def test_listing_shows_the_newest_papers_before_the_index_is_open(paths):
    assert Listing.open(paths.index) is None  # nothing built yet
    index, _ = Index.open(paths)
    want = index.search("", limit=50)
    mine = index.newest_page(0, 50)
    assert (mine.total, mine.hits, mine.offset) == (want.total, want.hits, want.offset)
    papers = index.get_many([h.id for h in want.hits])
    index.close()
    listing = Listing.open(paths.index)
    page = listing.newest_page(0, 50)
    assert page.total == want.total == 285
    assert [(h.id, h.title) for h in page.hits] == [(h.id, h.title) for h in want.hits]
    assert listing.get_many([h.id for h in page.hits]) == papers
    assert [h.id for h in listing.newest_page(45, 5).hits] == [h.id for h in want.hits[45:50]]
    listing.close()


def test_listing_of_another_version_is_not_read(paths):
    index, _ = Index.open(paths)
    index.catalog.set_meta("schema_version", "1")
    index.close()
    assert Listing.open(paths.index) is None
    (paths.index / "catalog.sqlite3").write_bytes(b"not a database")
    assert Listing.open(paths.index) is None
