"""What the ``bundled_index`` fixture promises the tests that use it: a copy
of the index built once for the session opens as it was left, nothing parsed
or re-indexed, in the reader as on the command line; and a test writing into
its copy leaves the built one as it was."""

from __future__ import annotations

from pathlib import Path

from helpers import SIZE, SWIN, ready, search, settle
from tui.app import PapersApp
from tui.core.index import Index
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.reader import Reader


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_copied_index_opens_with_nothing_to_write(bundled_index):
    with Library.open(bundled_index) as library:
        index, report = Index.open(bundled_index, library=library)
    try:
        assert not report.wrote and not report.notices and not report.errors, report
        assert index.count() == 285 and len(index.digests()) == 4
        assert all(d.path.endswith(".txt") and "/tui/digests/" in d.path for d in index.digests())
    finally:
        index.close()


async def test_the_reader_opens_a_copied_index_without_building_and_leaves_the_built_one_alone(
        bundled_index, bundled_index_built, monkeypatch):
    before = _files(bundled_index_built)
    reports = []
    real_open = Reader.open_index

    def open_index(self, progress, rebuild=False):
        opened, imported = real_open(self, progress, rebuild)
        reports.append(opened.report)
        return opened, imported

    monkeypatch.setattr(Reader, "open_index", open_index)
    app = PapersApp(bundled_index, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        assert len(reports) == 1 and not reports[0].wrote and not reports[0].notices, reports
        assert app.query_one("#results").total == 285
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "b")  # a bookmark re-indexes the paper: a write into the copy
        await settle(app, pilot)
        assert app.library.get(paper_id(SWIN)).bookmarked
        assert app.index.search("is:bookmarked").total == 1
    assert _files(bundled_index_built) == before
