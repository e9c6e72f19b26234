"""Pilot tests of the layout at the sizes terminals have: the tabs and the
footer fit, and a narrow screen shows the list or the details, v between them."""

from __future__ import annotations

import pytest

from helpers import ready, screen_text, settle
from tui.app import PapersApp


def footer(app) -> str:
    return [line for line in screen_text(app).splitlines() if line.strip()][-1]


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (60, 20)])
async def test_every_pane_keeps_its_tabs_help_and_quit_in_view(paths, bundled_index, size):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        tabs = app.query_one("#tabs")
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        # whole words, with their numbers where there is room (the numbers go first)
        words = ("Search", "Bookmarks|Marks", "Notes", "Digests", "Saved")
        assert all(label.split()[-1] in word.split("|") and label.split()[0] in (str(n), label.split()[-1])
                   for n, (label, word) in enumerate(zip(labels, words), 1)), labels
        assert sum(len(label) + 2 for label in labels) <= tabs.size.width
        for key in "12345":
            await pilot.press(key)
            await settle(app, pilot, rounds=1)
            shown = footer(app)
            assert "? Help" in shown and "q Quit" in shown, (key, shown)
            assert "v Details" in shown or size[0] >= 80, (key, shown)  # narrow: how to see the details
        await pilot.press("1", "T")
        await pilot.pause(0.2)
        assert "esc Leave" in footer(app)


async def test_narrow_v_and_enter_show_the_details_in_the_lists_place(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        await ready(app, pilot)
        screen, left, details = app.main, app.query_one("#left"), app.query_one("#details")
        assert screen.has_class("-narrow") and left.display and not details.display
        await pilot.press("v")
        assert details.display and not left.display and app.focused is details
        assert details.outer_size.width == 60
        await pilot.press("v")
        assert left.display and not details.display and app.focused is app.main.results
        await pilot.press("enter")
        assert details.display and not left.display and app.focused is details
        await pilot.press("escape")
        assert left.display and not details.display
        await pilot.press("v", "2")  # a pane's number shows its list
        assert left.display and not details.display and app.main.current_name == "bookmarks"


async def test_wide_v_hides_the_details_and_the_list_takes_the_width(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await ready(app, pilot)
        left, details = app.query_one("#left"), app.query_one("#details")
        assert left.outer_size.width == 60 and details.display
        await pilot.press("v")
        await pilot.pause(0.05)
        assert not details.display and left.outer_size.width == 120
        await pilot.press("enter")  # the details of a paper bring the pane back
        await pilot.pause(0.05)
        assert details.display and app.focused is details and left.outer_size.width == 60


@pytest.mark.parametrize("size", [(120, 36), (60, 20)])
async def test_while_typing_a_query_the_footer_says_how_to_reach_the_results(paths, bundled_index, size):
    """In the search box the paper keys are text, so the footer had nothing to
    show; it shows enter, which takes the cursor to the results."""
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"swin")
        await settle(app, pilot)
        shown = footer(app)
        assert "⏎ Results" in shown and "Bookmark" not in shown, shown
        await pilot.press("enter")
        await settle(app, pilot, rounds=1)
        shown = footer(app)
        assert "Results" not in shown and "b Bookmark" in shown, shown
