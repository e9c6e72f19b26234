"""Snapshot tests of the main views, from a fixed demo library, cursor blink off.
Update after an intended change with ``pytest tests/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "screenshots"))

import demo  # noqa: E402
from tui.app import PapersApp  # noqa: E402

SIZE = (120, 36)


@pytest.fixture
def demo_app(tmp_path):
    paths = demo.build(tmp_path / "demo")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    app.show_timings = False
    return app


async def _ready(pilot):
    app = pilot.app
    for _ in range(1200):  # a loaded machine may take a while to build the demo index
        await pilot.pause(0.05)
        if app.index is not None and app.query_one("#results").ids and app.search_settled:
            break
    await app.workers.wait_for_complete()
    await pilot.press("escape")  # from the search box, where the reader starts, to the list
    for widget in app.query("Input"):
        widget.cursor_blink = False
    await pilot.pause(0.1)


async def _query(pilot, text):
    await pilot.press("slash", *text)
    for _ in range(400):
        await pilot.pause(0.05)
        if pilot.app.search_settled:
            break
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    pilot.app.query_one("#search").cursor_blink = False


def test_main_screen(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await _query(pilot, "vision transformer")
        await pilot.press("enter")
        await pilot.pause(0.1)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_details_with_note(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await _query(pilot, "shifted windows")
        await pilot.press("enter", "enter")
        await pilot.pause(0.1)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_bookmarks_pane(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("2")
        await pilot.pause(0.2)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_copy_menu(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await _query(pilot, "shifted windows")
        await pilot.press("enter", "Y")
        await pilot.pause(0.2)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_triage(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("T", "b", "s")
        await pilot.pause(0.2)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_more_like_this(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await _query(pilot, "shifted windows")
        await pilot.press("enter", "m")
        for _ in range(200):
            await pilot.pause(0.05)
            if pilot.app.search_settled:
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_saved_searches_pane(snap_compare, demo_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("5")
        for _ in range(100):  # the hit counts arrive from a worker
            await pilot.pause(0.05)
            if pilot.app.reader.saved_counts:
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_reading_screen(snap_compare, demo_app):
    """The full text of the demo's Swin paper (cached), a word found in it."""
    async def run_before(pilot):
        await _ready(pilot)
        await _query(pilot, "shifted windows")
        await pilot.press("enter", "f")
        for _ in range(100):
            await pilot.pause(0.05)
            if getattr(pilot.app.screen, "complete", False):
                break
        await pilot.press("slash", *"windows", "enter", "n")
        await pilot.pause(0.2)
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)
