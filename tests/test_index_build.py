"""How the index is built and kept: a sync that would re-index most papers
rebuilds the search index instead, and finds what an update would find."""

from __future__ import annotations

import os

import pytest

from helpers import text_digest
from tui.core.index import Index
from tui.core.paths import Paths, digest_sources

QUERIES = ["transformer", "vision", "graph", "title:graph", "", '"state of the art"', "quokka", "method 7"]


def _write(paths: Paths, name: str, titles: list[str], when: int) -> None:
    paths.digests.mkdir(parents=True, exist_ok=True)
    f = paths.digests / f"{name}.txt"
    f.write_text(text_digest(titles, label=None), encoding="utf-8")
    os.utime(f, ns=(when, when))


def _corpus(paths: Paths, changed: set[str]) -> None:
    topics = ["vision transformer", "graph networks", "speech models", "quokka attention"]
    for k, topic in enumerate(topics):
        name = f"d{k}"
        extra = " revisited" if name in changed else ""
        titles = [f"Method {k * 40 + i}: {topic} at scale {i}{extra}" for i in range(40)]
        _write(paths, name, titles, (k + 1) * 10**12 + (5 if name in changed else 0))


def _answers(index: Index) -> dict:
    out = {}
    for q in QUERIES:
        res = index.search(q, limit=200)
        out[q] = (res.total, sorted(h.id for h in res.hits))
    out["listing"] = [h.id for h in index.search("", limit=500).hits]
    out["papers"] = index.get_many(index.ids())
    return out


def _sync(paths: Paths, changed: set[str]):
    _corpus(paths, changed)
    return Index.open(paths, sources=digest_sources(paths, bundled=False))


@pytest.fixture
def small_rebuild(monkeypatch):
    import tui.core.index as index_module

    monkeypatch.setattr(index_module.build.writer, "REBUILD_MIN", 20)


def test_sync_changing_most_papers_rebuilds_and_finds_what_an_update_finds(tmp_path, small_rebuild, monkeypatch):
    import tui.core.index as index_module

    most = {"d0", "d1", "d2"}
    results = {}
    for way in ("rebuild", "update"):
        paths = Paths.default(tmp_path / way)
        index, first = _sync(paths, set())
        index.close()
        assert first.rebuilt  # the first build
        if way == "update":
            monkeypatch.setattr(index_module.build.writer, "REBUILD_MIN", 10**9)
        index, report = _sync(paths, most)
        assert sorted(report.changed) == sorted(most) and report.papers_written >= 120
        assert report.rebuilt == (way == "rebuild")
        assert any("rebuilt" in n for n in report.notices) == (way == "rebuild")
        if way == "rebuild":
            # a new index: no deleted documents, no segment of the old one
            assert index.ix.doc_count_all() == index.ix.doc_count() == index.count() == 160
        results[way] = _answers(index)
        assert index.catalog.has_word("revisited")
        index.close()
    assert results["rebuild"] == results["update"]


def test_sync_changing_few_papers_updates(tmp_path, small_rebuild):
    paths = Paths.default(tmp_path / "home")
    index, _ = _sync(paths, set())
    index.close()
    index, report = _sync(paths, {"d3"})
    assert report.changed == ["d3"] and not report.rebuilt and report.papers_written == 40
    assert index.search("revisited").total == 40
    index.close()
