"""Faults a person causes: the terminal killed while a note is being typed,
two readers open on one library at once."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time

import pytest

from helpers import SWIN
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.core.paths import Paths

from .conftest import papers

SAVED = re.compile(r"Saved \d\d:\d\d:\d\d")
KILLS = 20


@pytest.mark.slow
def test_kill_9_while_typing_a_note_never_loses_what_was_saved(term, tmp_path):
    home = tmp_path / "home"
    rng = random.Random(7)
    saved = ""   # text the editor has shown as saved (it must survive)
    typed = ""   # everything typed so far (the note is at most this)
    for i in range(KILLS):
        t = term()
        t.wait_for("papers, newest digest first")
        t.to_list()  # the reader starts in the search box
        t.keys("n")  # the first paper of the list is highlighted at start
        t.wait_for("esc closes")
        part = f" k{i}a"
        t.type(part, wait=False)
        typed += part
        t.wait_for(SAVED, timeout=10)
        saved = typed
        tail = f" k{i}b"
        t.type(tail, wait=False)
        typed += tail
        time.sleep(rng.uniform(0.0, 1.2))  # sometimes before, during or after the next autosave
        os.kill(t.app_pid(), signal.SIGKILL)
        t.wait_for("EXITED 137")
        t.close()

        with Library.open(Paths.default(home)) as lib:
            assert lib.integrity_check() == "ok", f"after kill {i + 1}"
            notes = lib.notes()
            assert len(notes) == 1, f"after kill {i + 1}: {[n.id for n in notes]}"
            note = notes[0].note
        assert note.startswith(saved), f"after kill {i + 1}: {note!r} lost {saved!r}"
        assert typed.startswith(note), f"after kill {i + 1}: {note!r} is not what was typed"
        typed = saved = note  # the next session continues the note as stored


@pytest.mark.slow
def test_two_readers_bookmark_at_once_and_both_are_kept(term, tmp_path):
    home = tmp_path / "home"
    built = papers(home, "digests")  # build the index once; both readers then open it
    assert built.returncode == 0, built.stderr
    a, b = term(), term()
    a.wait_for("papers, newest digest first")
    a.to_list()  # the reader starts in the search box
    b.wait_for("papers, newest digest first")
    b.to_list()  # the reader starts in the search box
    a.search("shifted windows", "2 papers match")
    b.search("strong differentially private learners", "Large Language Models Can Be Strong")
    a.keys("Enter")
    b.keys("Enter")
    a.keys("b")
    b.keys("b")
    a.wait_for("Bookmarked: Swin")
    b.wait_for("Bookmarked: Large Language Models Can Be Strong")
    # each reader picks up the other's bookmark through the library watch
    other = paper_id("Large Language Models Can Be Strong Differentially Private Learners")
    a.keys("2")
    a.wait_for("Large Language Models Can Be Strong", timeout=15)
    a.quit()
    b.quit()
    out = papers(home, "bookmarks", "--json")
    assert out.returncode == 0, out.stderr
    assert sorted(r["id"] for r in json.loads(out.stdout)) == sorted([paper_id(SWIN), other])
    with Library.open(Paths.default(home)) as lib:
        assert lib.integrity_check() == "ok"


def test_index_deleted_while_closed_is_rebuilt_and_library_kept(term, tmp_path):
    home = tmp_path / "home"
    with Library.open(Paths.default(home)) as lib:
        lib.set_bookmark(paper_id(SWIN), True)
    assert papers(home, "digests").returncode == 0
    index_dir = Paths.default(home).index
    subprocess.run(["rm", "-rf", str(index_dir)], check=True)
    t = term()
    t.wait_for("papers, newest digest first", timeout=60)
    t.to_list()  # the reader starts in the search box
    t.keys("2")
    t.wait_for("Swin Transformer")
    t.quit()


def test_read_only_data_folder_shows_the_library_and_refuses_changes(term, tmp_path):
    """The data folder on a read-only file system (which binds root too): the
    library is shown, a change is refused with a message, the file is intact."""
    home = tmp_path / "home"
    paths = Paths.default(home)
    paths.data.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(paths.data)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a file system here (needs root): " + mounted.stderr.strip())
    started = []
    try:
        with Library.open(paths) as lib:
            lib.set_bookmark(paper_id(SWIN), True)
        assert papers(home, "digests").returncode == 0  # the index lives in the cache folder
        before = paths.library.read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(paths.data)], check=True)
        t = term()
        started.append(t)
        t.wait_for("read-only", timeout=60)  # the notice (it wraps inside the toast)
        t.search("shifted windows", "2 papers match")
        left = [line.split("│")[0] for line in t.screen().splitlines()]
        row = next(line for line in left if "Swin Transformer: Hierarchical" in line)
        assert "★" in row  # the bookmark is read from the read-only library
        t.keys("Enter")
        t.keys("b")
        t.wait_for("Not saved: cannot")
        t.quit()
        assert paths.library.read_bytes() == before
        assert sorted(p.name for p in paths.data.iterdir()) == ["library.sqlite3"]
    finally:
        for t in started:
            t.close()  # the reader holds the library open: end it before unmounting
        time.sleep(0.3)
        if subprocess.run(["umount", str(paths.data)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(paths.data)], capture_output=True)


def _pane(t, fmt: str) -> str:
    return subprocess.run(["tmux", "display-message", "-p", "-t", t.name, fmt],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_terminal_closed_while_typing_a_note_saves_it_and_restores_the_terminal(term, tmp_path, sig):
    """SIGHUP (the terminal closed) or SIGTERM a moment after the last key in
    the note editor: the note is saved whole, and the terminal is left as it was
    found (main screen, no mouse reporting, echo on)."""
    home = tmp_path / "home"
    assert papers(home, "digests").returncode == 0  # build the index once
    rng = random.Random(int(sig))
    typed = ""
    for i in range(4):
        t = term()
        t.wait_for("papers, newest digest first")
        t.to_list()  # the reader starts in the search box
        t.keys("n")
        t.wait_for("esc closes")
        part = f"<s{i}-{rng.randrange(10**6)}>"
        t.type(part, wait=False)  # a key every 30 ms; the autosave waits 0.5 s for a pause
        typed += part
        time.sleep(rng.uniform(0.05, 0.3))
        os.kill(t.app_pid(), sig)
        t.wait_for(f"EXITED {128 + int(sig)}", timeout=10)
        with Library.open(Paths.default(home)) as lib:
            notes = lib.notes()
        assert len(notes) == 1, f"trial {i + 1}: {[n.id for n in notes]}"
        shown = papers(home, "note", notes[0].id)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.rstrip("\n") == typed, f"trial {i + 1}: {shown.stdout!r} is not {typed!r}"
        assert _pane(t, "#{alternate_on}") == "0", f"trial {i + 1}: still in the alternate screen"
        assert _pane(t, "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}") == "000"
        t.keys("echo-is-on", literal=True)  # typed into the shell's sleep: shown only if echo is on
        t.wait_for("echo-is-on", timeout=5)
        t.close()
