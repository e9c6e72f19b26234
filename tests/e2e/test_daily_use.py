"""The reader for daily use in a real terminal: keys sent faster than any
person types (a burst, a held key) reach the details pane in order."""

from __future__ import annotations

import re
import time


def details_lines(screen: str) -> list[str]:
    """The details pane's side of the screen (right of the list's border,
    drawn │, or █ while the details are focused), its text lines."""
    return [re.split("[│█]", line, maxsplit=1)[1].strip() for line in screen.splitlines()[3:-2]
            if re.search("[│█]", line)]


def test_g_then_eight_j_in_one_write_scroll_the_details_eight_lines(term):
    t = term(width=80, height=24)
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("Enter")  # the details pane, focused
    time.sleep(0.5)
    top = details_lines(t.screen())
    for _ in range(8):  # a person, one key at a time
        t.keys("j")
        time.sleep(0.15)
    time.sleep(0.3)
    slow = details_lines(t.screen())
    assert slow != top
    t.keys("G")
    time.sleep(0.3)
    t.keys("g", "jjjjjjjj")  # one write: a burst, as a held key sends it
    time.sleep(0.5)
    assert details_lines(t.screen()) == slow
    t.keys("g")
    time.sleep(0.3)
    t.keys("Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down")  # a held ↓
    time.sleep(0.5)
    assert details_lines(t.screen()) == slow
    t.quit()
