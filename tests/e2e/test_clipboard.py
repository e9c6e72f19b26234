"""Copying in a real terminal: `y` puts the primary link on a real X clipboard
(Xvfb + xclip), and with no display at all it still reaches the terminal
through OSC 52 (tmux keeps what OSC 52 sends as a paste buffer)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers import SWIN
from tui.core.index import Index
from tui.core.papers import paper_id
from tui.core.paths import Paths, digest_sources



def primary_link(home: Path, title: str) -> str:
    paths = Paths.default(home)
    index, _ = Index.open(paths, sources=digest_sources(paths))
    try:
        return index.get(paper_id(title)).primary_link
    finally:
        index.close()


@pytest.fixture
def display():
    """A private X server; its DISPLAY. Xvfb picks the first free display number
    itself (``-displayfd``, taking its lock file atomically) and writes it when it
    is ready, so tests running side by side never start two servers on one number."""
    if shutil.which("Xvfb") is None or shutil.which("xclip") is None:
        pytest.skip("Xvfb or xclip is not installed (.ci/run installs both)")
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    said = b""
    deadline = time.monotonic() + 10
    try:
        while not said.endswith(b"\n"):
            left = deadline - time.monotonic()
            assert left > 0 and select.select([read_end], [], [], left)[0], "Xvfb did not start"
            chunk = os.read(read_end, 16)
            assert chunk, f"Xvfb exited ({proc.wait()}) before naming its display"
            said += chunk
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        os.close(read_end)
    yield f":{int(said)}"
    proc.terminate()
    proc.wait(timeout=10)


def x_clipboard(display: str) -> str:
    res = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                         timeout=5, env={**os.environ, "DISPLAY": display})
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_y_puts_the_link_on_the_x_clipboard(term, tmp_path, display):
    subprocess.run(["xclip", "-selection", "clipboard", "-in"], input="before", text=True, timeout=5,
                   env={**os.environ, "DISPLAY": display}, check=True)
    assert x_clipboard(display) == "before"
    t = term(env={"DISPLAY": display}, unset=("WAYLAND_DISPLAY",))
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.search("shifted windows", "2 papers match")
    t.keys("Enter")
    t.keys("y")
    screen = t.wait_for("via xclip")
    assert "Copied link" in screen
    t.quit()
    assert x_clipboard(display) == primary_link(tmp_path / "home", SWIN)


def test_without_a_display_the_link_goes_through_osc52(term, tmp_path):
    t = term(unset=("DISPLAY", "WAYLAND_DISPLAY"))
    subprocess.run(["tmux", "set-option", "-s", "set-clipboard", "on"], check=True)
    subprocess.run(["tmux", "set-buffer", "-b", "papers-test", "before"], check=True)
    t.wait_for("papers, newest digest first")
    t.to_list()  # the reader starts in the search box
    t.search("shifted windows", "2 papers match")
    t.keys("Enter")
    t.keys("y")
    screen = t.wait_for("Sent link to the terminal clipboard (OSC 52)")
    assert "No system clipboard tool works here" in screen
    # nothing from a clipboard tool was written over the interface
    assert "Error" not in screen and "Can't open display" not in screen
    link = primary_link(tmp_path / "home", SWIN)
    # the terminal (tmux) received the OSC 52 sequence and holds the link as its newest buffer
    newest = subprocess.run(["tmux", "show-buffer"], capture_output=True, text=True, check=True).stdout
    assert newest == link
    # the dialog offers the link for copying by hand; it is shown literally
    assert "Copy the link from here" in screen
    t.keys("Escape")
    t.quit()
