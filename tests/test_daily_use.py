"""The reader for daily use: it keeps the reader's place while the library
changes, takes every key of a burst in order, and says what it sorted by."""

from __future__ import annotations

from textual._xterm_parser import XTermParser

from helpers import SIZE, details as details_text, ready, screen_text, settle, status
from tui.app import PapersApp
from tui.core.library import Library


def burst(app, keys: str) -> None:
    """``keys`` as a terminal sends them in one read (faster than any person types)."""
    for event in XTermParser().feed(keys):
        app.post_message(event)


async def test_marking_read_keeps_the_details_scroll_and_the_highlight(paths, bundled_index):
    """Open an unread paper, scroll its abstract; when it is marked read (the
    details stayed open) the pane keeps its place, and the list its row."""
    app = PapersApp(paths, watch_interval=0, dwell=0.5)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape")
        results = app.main.results
        await pilot.press("j", "j", "j")
        pid = results.current_id
        await pilot.press("enter")
        await pilot.pause(0.1)
        details = app.query_one("#details")
        assert app.focused is details and details.max_scroll_y >= 3
        await pilot.press("j", "j", "j")
        await pilot.pause(0.1)
        assert details.scroll_y == 3
        await pilot.pause(0.8)  # the dwell: marked read
        await settle(app, pilot)
        assert app.library.get(pid).read
        assert details.scroll_y == 3 and results.current_id == pid
        await pilot.press("r")  # marked unread, and read again: the place stays
        await settle(app, pilot)
        rec = app.library.get(pid)  # a paper with no state left has no record
        assert (rec is None or not rec.read) and details.scroll_y == 3
        await pilot.press("j", "b")
        await settle(app, pilot)
        assert app.library.get(pid).bookmarked and details.scroll_y == 4
        with Library.open(paths) as other:  # another papers process tags it
            other.add_tags(pid, ["elsewhere"])
        await pilot.press("ctrl+r")
        await settle(app, pilot, rounds=6)
        assert "elsewhere" in details_text(app)
        assert details.scroll_y == 4 and results.current_id == pid


async def test_g_then_eight_j_in_one_burst_scroll_the_details_eight_lines(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape", "enter")
        await pilot.pause(0.1)
        details = app.query_one("#details")
        assert app.focused is details and details.max_scroll_y >= 9
        burst(app, "G")
        await settle(app, pilot)
        burst(app, "g" + "j" * 8)
        await settle(app, pilot)
        assert details.scroll_y == 8


async def test_triage_scrolls_a_long_abstract_and_counts_each_papers_last_decision(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape", "T")
        await pilot.pause(0.2)
        triage = app.screen
        body = triage.query_one("#triage-body")
        assert body.max_scroll_y > 4
        for key, moved in (("ctrl+d", True), ("ctrl+u", False), ("ctrl+f", True), ("ctrl+b", False),
                           ("down", True), ("up", False), ("pagedown", True), ("pageup", False)):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert (body.scroll_y > 0) == moved, key
        footer = screen_text(app).rstrip().splitlines()[-1]
        assert "Scroll" in footer, footer
        help_keys = " ".join(keys for group, pairs in app.binding_groups() if group.startswith("Triage")
                             for keys, _ in pairs)
        for key in ("ctrl+d", "ctrl+f", "pagedown", "down"):
            assert key in help_keys, (key, help_keys)

        def head() -> str:
            return str(app.screen.query_one("#triage-head").render())

        await pilot.press("b", "k", "s", "s", "k", "l")  # kept, then skipped; skipped, then later
        await pilot.pause(0.2)
        assert "1 skipped" in head() and "1 later" in head() and "kept" not in head(), head()
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("T")
        await pilot.pause(0.3)
        assert "1 skipped" in head() and "1 later" in head() and "kept" not in head(), head()


async def _bookmark(app, pilot, n: int) -> list[str]:
    """Bookmark the first ``n`` papers of the Search pane, one after another."""
    results = app.main.results
    ids = []
    for i in range(n):
        results.highlighted = i
        ids.append(results.current_id)
        await pilot.press("b")
        await settle(app, pilot)
    return ids


async def test_the_bookmarks_status_counts_what_its_filter_lets_through(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape")
        ids = await _bookmark(app, pilot, 5)
        for pid in ids[:2]:
            app.library.add_tags(pid, ["reading-group"])
        await pilot.press("2", "slash", *"reading")
        await settle(app, pilot)
        assert app.main.panes.bookmarks.ids == ids[1::-1]  # newest first
        assert status(app).startswith("2 of 5 bookmarks match 'reading'"), (status(app), app.main.panes.bookmarks.status_text, repr(app.main.panes.bookmarks.filter))
        await pilot.press(*"zzz")
        await settle(app, pilot)
        assert status(app).startswith("0 of 5 bookmarks match 'readingzzz'"), status(app)
        await pilot.press("ctrl+u")
        await settle(app, pilot)
        assert status(app).startswith("5 bookmarks"), status(app)


async def test_the_bookmarks_pane_opens_on_its_top_row_and_keeps_a_removed_row_until_left(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape")
        ids = await _bookmark(app, pilot, 3)
        await pilot.press("2")
        await settle(app, pilot)
        marks = app.main.panes.bookmarks
        assert marks.ids == ids[::-1] and marks.highlighted == 0, (marks.ids, marks.highlighted)
        await pilot.press("b")  # removed: the row stays (unmarked) while the pane is shown
        await settle(app, pilot)
        assert not (app.library.get(ids[2]) and app.library.get(ids[2]).bookmarked)
        assert marks.ids == ids[::-1] and marks.current_id == ids[2]
        await pilot.press("b")  # and b again bookmarks it back
        await settle(app, pilot)
        assert app.library.get(ids[2]).bookmarked
        await pilot.press("b", "1", "2")  # left and come back: it is gone
        await settle(app, pilot)
        assert marks.ids == ids[1::-1]


async def test_tabs_at_80_columns_are_whole_words(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(app, pilot)
        labels = [str(tab.label_text) for tab in app.query("#tabs Tab")]
        words = {"Search", "Bookmarks", "Marks", "Notes", "Digests", "Saved"}
        assert all(label.split()[-1] in words for label in labels), labels


async def test_the_palette_fetch_offers_the_command_not_papers(paths, bundled_index):
    from helpers import palette

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await palette(pilot, "fetch")
        text = screen_text(app)
        assert "Fetch new papers" in text and "Go to paper" not in text, text


async def test_the_copy_menu_says_its_keys_and_a_failed_copy_says_why_once(paths, bundled_index):
    from tui.core.clipboard import CopyResult

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape", "Y")
        await settle(app, pilot)
        text = screen_text(app)
        assert "enter copies" in text and "esc cancels" in text, text
        await pilot.press("escape")
        await settle(app, pilot)
        handoff = app.main.query_one("Handoff")
        handoff._copied("link", "https://example.org", CopyResult(
            False, "", "no clipboard tool (xclip, xsel, wl-copy, pbcopy) usable here"))
        await pilot.pause(0.1)
        said = [n.message for n in app._notifications]
        assert said and sum(m.count("clipboard tool") for m in said) == 1, said


async def test_the_reader_starts_in_the_search_box_and_typing_searches(paths, bundled_index):
    """A new reader who types "shift" gets a search, not a sort and the tags
    dialog; the arrows, tab, enter and esc go to the list."""
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot, in_list=False)
        box, results = app.query_one("#search"), app.main.results
        assert app.focused is box
        await pilot.press(*"shift")
        await settle(app, pilot, rounds=6)
        assert box.value == "shift" and results.sort == "relevance" and app.screen is app.main
        for key in ("down", "tab", "enter", "escape", "up"):
            await pilot.press("slash")
            assert app.focused is box, key
            await pilot.press(key)
            await pilot.pause(0.05)
            assert app.focused is results, key
        await pilot.press("s")  # in the list, s sorts: the status says so, whatever else it says
        await settle(app, pilot, rounds=6)
        assert "newest first" in status(app), status(app)
        await pilot.press("s")
        await settle(app, pilot, rounds=6)
        assert "most upvoted first" in status(app), status(app)


async def test_rows_show_the_upvotes_when_sorted_by_them(paths, bundled_index):
    from helpers import api_digest

    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "2024-08-07.json").write_text(api_digest([
        {"id": "2408.00001", "title": "Quokka Routing With Few Upvotes", "upvotes": 3},
        {"id": "2408.00002", "title": "Quokka Routing With Many Upvotes", "upvotes": 91}]))
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot, in_list=False)
        await pilot.press(*"quokka", "escape", "s", "s")
        await settle(app, pilot, rounds=6)
        results = app.main.results
        assert results.sort == "upvotes"
        rows = [str(results.get_option_at_index(i).prompt) for i in range(2)]
        assert "Many Upvotes" in rows[0] and "▲ 91" in rows[0] and "▲ 3" in rows[1], rows
        await pilot.press("C")  # compact rows too
        await settle(app, pilot)
        rows = [str(results.get_option_at_index(i).prompt) for i in range(2)]
        assert "▲ 91" in rows[0] and "▲ 3" in rows[1], rows
        await pilot.press("C", "s", "s")  # for you, then by relevance: no upvotes in the rows
        await settle(app, pilot, rounds=6)
        assert all("▲" not in str(results.get_option_at_index(i).prompt) for i in range(2))


def test_papers_search_sorted_by_upvotes_shows_an_upvotes_column(capsys, paths):
    from helpers import api_digest
    from tui.cli import main

    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "2024-08-07.json").write_text(api_digest([
        {"id": "2408.00001", "title": "Quokka Routing With Few Upvotes", "upvotes": 3},
        {"id": "2408.00002", "title": "Quokka Routing With Many Upvotes", "upvotes": 91}]))
    home = str(paths.data.parent)
    assert main(["--data-dir", home, "search", "quokka", "--sort", "upvotes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["upvotes", "title"], lines
    assert lines[1].split()[:3] == ["1.", "91", "Quokka"] and lines[3].split()[:3] == ["2.", "3", "Quokka"], lines
    assert main(["--data-dir", home, "search", "quokka"]) == 0  # by relevance: no column
    assert "upvotes" not in capsys.readouterr().out


async def test_help_groups_keys_by_where_they_act_with_the_whole_query_syntax(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        text = str(app.screen.query_one("Static").render())
        lines = text.splitlines()
        assert "esc, q or ? closes" in lines[0], lines[0]
        groups = {}
        group = None
        for line in lines[1:]:
            if line and not line.startswith(" "):
                group = groups.setdefault(line, [])
            elif line.strip() and group is not None:
                group.append(line.strip().split("  ")[0])
        for place in ("Main screen (any pane)", "The selected paper (lists, details, triage)", "Search box", "Lists",
                      "Search pane", "Bookmarks pane", "Digests pane", "Saved searches pane", "Details pane",
                      "Triage (T)", "Query syntax"):
            assert place in groups, (place, list(groups))
        for place, keys in groups.items():
            assert len(keys) == len(set(keys)), (place, keys)  # one line per key in each place
        assert "s" in groups["Search pane"] and "s" in groups["Bookmarks pane"] and "s" not in groups["Main screen (any pane)"]
        assert "W" in groups["Saved searches pane"] and "x" in groups["Saved searches pane"]
        assert all("W" not in keys for place, keys in groups.items() if place != "Saved searches pane")
        for form in ("has:code", "upvotes:", "author:", "tag:", "note:", "is:unread", "digest:", "title:"):
            assert form in text, form
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main


async def test_the_reader_shows_what_another_process_changed_within_5_s(paths, bundled_index):
    """papers add and papers reindex in another terminal, tags and notes from
    another window: every pane shows them within 5 s, new digests announced
    with their number; after a reindex the reader moves to the new index and
    its writes go there."""
    import subprocess
    import sys
    import time

    from helpers import text_digest

    app = PapersApp(paths, watch_interval=1.0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.main.panes.pane("digests")
        before = len(digests.ids)
        folder = paths.data / "elsewhere"
        folder.mkdir()
        for n, day in enumerate(("Sep 1", "Sep 2", "Sep 3")):
            path = folder / f"sep{n}.txt"
            path.write_text(text_digest([f"Wombat Routing Study Number {n} Of Three"], label=day))
        subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(paths.data.parent), "add", str(folder)],
                       check=True, capture_output=True, timeout=120)  # papers add, in another terminal
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and len(digests.ids) < before + 3:
            await pilot.pause(0.1)
        assert len(digests.ids) == before + 3, digests.ids
        said = [n.message for n in app._notifications]
        assert any(m.startswith("3 new digests") for m in said), said
        await pilot.press("1")
        await settle(app, pilot)
        pid = app.main.results.current_id
        with Library.open(paths) as lib:  # another window tags the paper on screen
            lib.add_tags(pid, ["from-elsewhere"])
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and "from-elsewhere" not in details_text(app):
            await pilot.pause(0.1)
        assert "from-elsewhere" in details_text(app)
        old_index = app.index
        done = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(paths.data.parent), "reindex"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and app.index is old_index:
            await pilot.pause(0.1)
        assert app.index is not old_index and not app.index.replaced()
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert any("rebuilt by another papers process" in m for m in said), said
        app.main.results.highlighted = 0
        await pilot.press("b")  # a write into the new index: no error, no damage
        await settle(app, pilot)
        assert app.screen is app.main
    done = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(paths.data.parent), "search", "is:bookmarked"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "cut off" not in done.stderr and "rebuil" not in done.stderr, done.stderr


async def test_a_note_written_from_the_details_returns_to_them(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("enter", "j", "j", "n")
        await pilot.pause(0.2)
        await pilot.press(*"compare", "escape")
        await settle(app, pilot)
        details = app.query_one("#details")
        assert app.focused is details and details.scroll_y == 2, (app.focused, details.scroll_y)
        assert "compare" in details_text(app)
        await pilot.press("escape", "n", "escape")  # from the list: back to the list
        await settle(app, pilot)
        assert app.focused is app.main.results
