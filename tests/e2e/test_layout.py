"""The layout at the sizes terminals have: 120×36, 80×24 and 60×20. Every
pane's tab, ? Help and q Quit stay on screen; narrow, the details pane hides
behind the list (v shows it); triage keeps esc in view."""

from __future__ import annotations

import re
import time

import pytest

TABS = re.compile(r"1 \w+ +2 \w+ +3 \w+ +4 \w+ +5 \w+")


def tab_line(screen: str) -> str:
    return next((line.split("│")[0] for line in screen.splitlines() if line.lstrip().startswith("1 ")), "")


@pytest.mark.parametrize("width, height", [(120, 36), (80, 24), (60, 20)])
def test_every_tab_help_and_quit_fit(term, width, height):
    t = term(width=width, height=height)
    screen = t.wait_for("papers, newest digest first")
    assert TABS.search(tab_line(screen)), screen
    footer = screen.splitlines()[-1]
    assert "? Help" in footer and "q Quit" in footer, screen
    t.keys("T")
    screen = t.wait_for("esc Leave")
    assert "esc Leave" in screen.splitlines()[-1], screen
    t.keys("Escape")
    time.sleep(0.3)
    t.keys("2")  # a pane with a key of its own
    screen = t.wait_for("No bookmarks yet")
    footer = screen.splitlines()[-1]
    assert "? Help" in footer and "q Quit" in footer, screen
    t.quit()


def test_narrow_the_details_hide_behind_the_list(term):
    t = term(width=60, height=20)
    screen = t.wait_for("papers, newest digest first")
    assert "│" not in screen and "Differentially Private (DP)" not in screen  # the list alone
    assert "v Details" in screen.splitlines()[-1], screen
    t.keys("v")  # the details of the highlighted paper, in the list's place
    screen = t.wait_for("Differentially Private (DP)")
    assert not TABS.search(tab_line(screen)) and "●" in screen
    t.keys("v")  # and back
    screen = t.wait_for(TABS)
    assert "Differentially Private (DP)" not in screen
    t.keys("j", "Enter")  # enter opens the details too, esc goes back
    screen = t.wait_for("● unread")  # a line of the details, never of the list
    assert "Harnessing large-language" in screen
    assert not TABS.search(tab_line(screen)) and "esc List" in screen.splitlines()[-1], screen
    t.keys("Escape")
    t.wait_for(TABS)
    t.quit()
