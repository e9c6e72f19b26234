"""The layout at the sizes terminals have: 120×36, 80×24 and 60×20. Every
pane's tab, ? Help and q Quit stay on screen; narrow, the details pane hides
behind the list (v shows it); triage keeps esc in view."""

from __future__ import annotations

import re
import time

import pytest

#: the tabs: whole words, with their numbers where there is room
TABS = re.compile(r"(1 )?Search +(2 )?(Bookmarks|Marks) +(3 )?Notes +(4 )?Digests +(5 )?Saved")


def footer_shows(t, *keys: str, timeout: float = 30.0) -> str:
    """Wait until the footer (the last line) shows every one of ``keys``; the screen."""
    deadline = time.monotonic() + timeout
    while True:
        screen = t.screen()
        lines = [line for line in screen.splitlines() if line.strip()]
        if lines and all(k in lines[-1] for k in keys):
            return screen
        assert time.monotonic() < deadline, f"the footer never showed {keys}:\n{screen}"
        time.sleep(0.1)


def tab_line(screen: str) -> str:
    return next((line.split("│")[0] for line in screen.splitlines()
                 if line.lstrip().startswith(("1 ", "Search")) and "Notes" in line), "")


@pytest.mark.parametrize("width, height", [(120, 36), (80, 24), (60, 20)])
def test_every_tab_help_and_quit_fit(term, width, height):
    t = term(width=width, height=height)
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    screen = footer_shows(t, "? Help", "q Quit")
    assert TABS.search(tab_line(screen)), screen
    t.keys("T")
    footer_shows(t, "esc Leave")
    t.keys("Escape")
    time.sleep(0.3)
    t.keys("2")  # a pane with a key of its own
    t.wait_for("No bookmarks yet")
    footer_shows(t, "s Sort", "? Help", "q Quit")
    t.quit()


def test_narrow_the_details_hide_behind_the_list(term):
    t = term(width=60, height=20)
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    screen = footer_shows(t, "v Details")
    assert "│" not in screen and "Differentially Private (DP)" not in screen  # the list alone
    t.keys("v")  # the details of the highlighted paper, in the list's place
    screen = t.wait_for("Differentially Private (DP)")
    assert not TABS.search(tab_line(screen)) and "●" in screen
    t.keys("v")  # and back
    screen = t.wait_for(TABS)
    assert "Differentially Private (DP)" not in screen
    t.keys("j", "Enter")  # enter opens the details too, esc goes back
    t.wait_for("● unread")  # a line of the details, never of the list
    screen = footer_shows(t, "esc List")
    assert "Harnessing large-language" in screen and not TABS.search(tab_line(screen)), screen
    t.keys("Escape")
    t.wait_for(TABS)
    t.quit()
