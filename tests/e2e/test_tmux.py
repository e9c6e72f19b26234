"""The real program in a real terminal: tmux runs ``papers``, send-keys types,
capture-pane reads the screen."""

from __future__ import annotations

import json
import subprocess
import time

from helpers import SWIN
from tui.core.papers import paper_id

from .conftest import papers

def test_search_bookmark_note_quit_and_restart(term, tmp_path):
    home = tmp_path / "home"
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.keys("/")
    t.type("shifted windows")
    screen = t.wait_for("2 papers match")
    assert "Swin Transformer: Hierarchical Vision Transformer" in screen
    t.keys("Enter")
    t.keys("b")
    t.wait_for("Bookmarked: Swin")
    t.keys("n")
    t.wait_for("Saved as you type")
    t.keys("typed in tmux [bold]literal[/bold]", literal=True)
    time.sleep(1.5)
    t.keys("Escape")
    time.sleep(0.5)
    t.keys("q")
    t.wait_for("EXITED 0")

    pid = paper_id(SWIN)
    out = papers(home, "bookmarks", "--json")
    assert out.returncode == 0, out.stderr
    assert [b["id"] for b in json.loads(out.stdout)] == [pid]
    note = papers(home, "note", pid)
    assert note.returncode == 0 and "typed in tmux [bold]literal[/bold]" in note.stdout

    t2 = term()
    t2.wait_for("papers, newest digest first")
    t2.to_list()  # the reader starts in the search box
    t2.keys("/")
    t2.type("shifted windows")
    screen = t2.wait_for("2 papers match")
    left = [line.split("│")[0] for line in screen.splitlines()]
    row = next(line for line in left if "Swin Transformer: Hierarchical" in line)
    assert "★" in row and "✎" in row, row


def test_hostile_digest_and_resize(term, tmp_path):
    home = tmp_path / "home"
    digests = home / "data" / "digests"
    digests.mkdir(parents=True)
    abstract = ("We study hostile text in depth. Our method is robust to markup and escapes. "
                "Extensive experiments on many terminals show it never breaks the interface at all.")
    titles = [
        "[CLS] Tokens [/] and [bold]x[/bold] Hostile",
        "Clicks [@click=app.quit] Hostile",
        "Emoji 🙂 CJK 中文 Combining e\u0301 Hostile",
        "Colour \x1b[31mRed\x1b[0m Title \x1b]0;PWNED\x07 Cursor\x1b[2J\x1b[H Hostile",
    ]
    (digests / "hostile.txt").write_text("\n\n".join(f"{t}\n\n{abstract}" for t in titles) + "\n", encoding="utf-8")
    t = term()
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    title_before = subprocess.run(["tmux", "display-message", "-p", "-t", t.name, "#{pane_title}"],
                                  capture_output=True, text=True).stdout.strip()
    t.keys("/")
    t.type("hostile")
    screen = t.wait_for("4 papers match")
    assert "[CLS] Tokens [/] and [bold]x[/bold] Hostile" in screen
    assert "Clicks [@click=app.quit] Hostile" in screen
    assert "中文" in screen and "🙂" in screen
    assert "Colour Red Title Cursor Hostile" in screen
    assert "PWNED" not in screen
    pane_title = subprocess.run(["tmux", "display-message", "-p", "-t", t.name, "#{pane_title}"],
                                capture_output=True, text=True).stdout.strip()
    assert pane_title == title_before and "PWNED" not in pane_title
    # resize: narrower and shorter, then back; the app keeps running and redraws
    subprocess.run(["tmux", "resize-window", "-t", t.name, "-x", "80", "-y", "24"], check=True)
    time.sleep(0.8)
    screen = t.screen()
    assert "Hostile" in screen and "EXITED" not in screen
    subprocess.run(["tmux", "resize-window", "-t", t.name, "-x", "140", "-y", "40"], check=True)
    time.sleep(0.8)
    t.keys("Escape")
    time.sleep(0.5)  # ESC followed at once by q would read as alt+q
    t.keys("q")
    t.wait_for("EXITED 0")
