"""Pilot tests of the panes: each pane's keys, what it says when empty, its
status line; and the messages between panes and screen."""

from __future__ import annotations

from test_app import SIZE, SWIN, ready, screen_text, search, settle, status
from tui.app import PapersApp
from tui.core.library import Library
from tui.core.papers import paper_id


def details(app) -> str:
    return str(app.query_one("#details-body").render())


async def test_a_new_query_selects_and_shows_its_top_hit(paths):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("j", "j", "j")
        old = results.current_id
        await search(app, pilot, "transformer")
        assert old in results.ids  # the old paper matches too: it must not stay selected
        assert results.highlighted == 0 and results.current_id == results.ids[0] != old
        top = app.reader.paper(results.ids[0]).title
        assert top in details(app)
        await pilot.press("enter", "b")
        await settle(app, pilot)
        assert app.library.get(results.ids[0]).bookmarked
        assert app.library.get(old) is None or not app.library.get(old).bookmarked


async def test_editing_keys_typed_fast_apply_in_order(paths):
    """A terminal delivers "/", ctrl+u and the text in one read: every key is
    queued before the first is handled. ctrl+u must not run after the text."""
    from textual._xterm_parser import XTermParser

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        for event in XTermParser().feed("/\x15shifted windows"):
            app.post_message(event)
        await pilot.pause(0.3)
        assert app.query_one("#search").value == "shifted windows"
        for event in XTermParser().feed("\x15abc\x7fd"):  # ctrl+u, abc, backspace, d
            app.post_message(event)
        await pilot.pause(0.3)
        assert app.query_one("#search").value == "abd"
