"""Keys in a real terminal: what a new query selects, the Bookmarks filter,
keys typed faster than the screen redraws."""

from __future__ import annotations

import json
import time

from helpers import SWIN
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.core.paths import Paths

from .conftest import papers


def first_row(screen: str) -> str:
    """The title on the first row of the list (left of the details pane)."""
    lines = [line.split("│")[0] for line in screen.splitlines()]
    start = next(i for i, line in enumerate(lines) if "1 Search" in line)
    for line in lines[start + 1:]:
        text = line.strip(" ▔▁━─★✎●")
        if len(text) > 10:
            return text
    raise AssertionError(screen)


def test_a_new_query_selects_its_top_hit(term):
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("j", "j", "j")
    time.sleep(0.3)
    t.keys("/")
    t.type("transformer")
    screen = t.wait_for("papers match")
    top = first_row(screen)
    t.keys("Enter")
    t.keys("b")
    screen = t.wait_for("Bookmarked: ")
    said = screen[screen.index("Bookmarked: ") + len("Bookmarked: "):].split("\n")[0].strip(" ▎▊")
    assert top[:20] == said[:20], (top, said)


def test_slash_ctrl_u_and_text_sent_at_once_all_arrive(term):
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("/", "C-u", "shifted windows")  # one write: faster than any person types
    screen = t.wait_for("2 papers match", timeout=10)
    assert "shifted windows" in screen.splitlines()[1]
    t.keys("C-u", "swin")
    screen = t.wait_for("▊  swin  ", timeout=10)
    assert "shifted" not in screen.splitlines()[1]


def test_bookmarks_filter_in_a_terminal(term, tmp_path):
    home = tmp_path / "home"
    with Library.open(Paths.default(home)) as lib:
        lib.set_bookmark(paper_id(SWIN), True)
        lib.add_tags(paper_id(SWIN), ["reading-group"])
    t = term(env={"EDITOR": "false", "VISUAL": "false"})
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("2")
    t.wait_for("★ ● Swin Transformer: Hierarchical")
    t.keys("/")
    t.type("reading")  # part of the tag
    time.sleep(0.5)
    screen = t.screen()
    assert "★ ● Swin Transformer: Hierarchical" in screen
    assert "Search papers" in screen.splitlines()[1]  # the search box got nothing
    t.keys("Enter")
    t.keys("Tab")  # from the list to the filter
    time.sleep(0.3)
    t.keys("C-u")
    t.type("shifted zzz")  # e and t are text in the filter, not commands
    screen = t.wait_for("No bookmark matches")
    assert "Tags —" not in screen and "EXITED" not in screen
    assert "Swin Transformer: Hierarchical" not in screen  # nor in the details pane
    t.quit()


def test_triage_k_goes_back_and_b_keeps(term, tmp_path):
    home = tmp_path / "home"
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("T")
    t.wait_for("Triage  Mar 11  1/75")
    t.keys("j", "j", "k")  # a vim user: down, down, up
    screen = t.wait_for("Triage  Mar 11  2/75")
    assert "kept" not in screen and "b Keep" in screen.splitlines()[-1], screen
    t.keys("b")
    t.wait_for("3/75   1 kept")
    t.keys("s", "Space", "l")
    t.wait_for("6/75   1 kept · 2 skipped · 1 later")
    t.quit()
    out = papers(home, "bookmarks", "--json")
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)) == 1


def test_keys_sent_with_a_pane_key_reach_the_new_pane(term):
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("4", "Enter")  # one write: enter must reach the Digests pane, not the list being left
    t.wait_for("Digest Mar 11: 75 papers")
    t.keys("2", "/")  # and / the Bookmarks filter
    time.sleep(0.5)
    t.keys("x7", literal=True)
    screen = t.wait_for("No bookmarks yet")
    assert "Search papers" in screen.splitlines()[1]  # the search box got nothing
    t.quit()
