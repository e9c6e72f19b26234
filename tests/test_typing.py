"""The Search pane while the reader starts and while a query is typed."""

from __future__ import annotations

import threading

from helpers import SIZE, ready, settle
from tui.app import PapersApp
from tui.core.index import Index
from tui.reader import Reader
from tui.widgets import search_pane as results_module


async def test_newest_papers_show_from_the_catalog_while_the_index_opens(paths, bundled_index, monkeypatch):
    index, _ = Index.open(paths)  # an earlier start left its catalog
    want = [h.id for h in index.search("", limit=50).hits]
    index.close()
    opening = threading.Event()
    go_on = threading.Event()
    real_open = Reader.open_index

    def slow_open(self, progress, rebuild=False):
        opening.set()
        assert go_on.wait(30)
        return real_open(self, progress, rebuild)

    monkeypatch.setattr(Reader, "open_index", slow_open)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        results = app.query_one("#results")
        for _ in range(200):  # the preview is posted first, then the opening begins
            await pilot.pause(0.05)
            if results.ids and opening.is_set():
                break
        assert opening.is_set() and app.index is None  # still opening
        assert results.ids[:50] == want
        go_on.set()
        await ready(app, pilot)
        assert app.index is not None and results.ids[:50] == want


async def test_first_key_searches_at_once_and_keys_that_keep_coming_wait(paths, bundled_index, monkeypatch):
    monkeypatch.setattr(results_module, "SEARCH_DEBOUNCE", 5.0)  # a pause no test waits out
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("slash")
        results._last_key = 0.0  # the previous key long ago
        seq = results.seq
        await pilot.press("s")
        assert results.seq == seq + 1 and results._timer is None  # at once
        await pilot.press("w", "i", "n")
        assert results.seq == seq + 1 and results._timer is not None  # waits: keys keep coming
        assert results.query_text == "swin"
        results._timer.stop()
        results._fire()  # the pause is over
        await settle(app, pilot)
        assert results.last_result.query == "swin" and results.settled
        assert all("Swin" in app.reader.paper(pid).title for pid in results.ids[:2])


async def test_a_first_page_draws_a_screenful_first_then_the_rest(paths, bundled_index, monkeypatch):
    from tui.widgets.paper_list import PaperList

    drawn = []
    real_set_rows = PaperList.set_rows

    def set_rows(self, rows, total, keep=None):
        drawn.append(len(rows))
        real_set_rows(self, rows, total, keep)

    monkeypatch.setattr(PaperList, "set_rows", set_rows)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        drawn.clear()
        results.search("transformer", immediate=True)
        await settle(app, pilot)
        assert drawn == [results_module.FIRST_ROWS]  # at once: a screenful
        assert results.total > len(results.ids) == 200 and "showing 200" in str(app.query_one("#status").render())


def test_preview_is_none_without_a_catalog_or_papers(paths):
    assert Reader(paths).preview(50) is None  # a first start
    index, _ = Index.open(paths, sources=[])  # a catalog, no papers yet (a first build under way)
    index.close()
    assert Reader(paths).preview(50) is None
    index, _ = Index.open(paths)
    index.close()
    result, papers = Reader(paths).preview(50)
    assert len(result.hits) == 50 and set(papers) == {h.id for h in result.hits}


def test_a_search_made_stale_by_a_newer_key_stops_ranking_and_frees_the_index(bundled_index, monkeypatch):
    """The reader hands the pane's "a newer key came" to the index, which asks
    it between chunks of scoring: a stale search gives up there (no page)
    instead of ranking to the end while the newer search waits for the lock."""
    import tui.core.index as index_module
    from tui.core.index import SearchStopped

    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # ranked in steps, as a big corpus is
    reader = Reader(bundled_index)
    reader.open_library()
    opened, _ = reader.open_index(lambda *a: None)
    reader.use_index(opened.index)
    ended = []
    real_search = type(reader.index).search

    def spy(self, *args, **kwargs):
        try:
            result = real_search(self, *args, **kwargs)
        except SearchStopped:
            ended.append("stopped")
            raise
        ended.append("ranked to the end")
        return result

    monkeypatch.setattr(type(reader.index), "search", spy)
    asked = []

    def newer_key_came() -> bool:  # not yet when the lock is taken, then at once
        asked.append(1)
        return len(asked) > 1

    try:
        assert reader.search_page("vision transformer", 0, 50, cancelled=newer_key_came) is None
        assert ended == ["stopped"]
        result, papers = reader.search_page("vision transformer", 0, 50)
        assert ended[-1] == "ranked to the end" and len(result.hits) == 50 and set(papers) == {h.id for h in result.hits}
    finally:
        reader.close()
