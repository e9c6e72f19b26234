"""Pilot tests of the panes: each pane's keys, what it says when empty, its
status line; and the messages between panes and screen."""

from __future__ import annotations

from helpers import SIZE, SWIN, details, palette, ready, screen_text, search, settle, status
from tui.app import PapersApp
from tui.core.library import Library
from tui.core.papers import paper_id


async def test_a_new_query_selects_and_shows_its_top_hit(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("j", "j", "j")
        old = results.current_id
        await search(app, pilot, "transformer")
        assert old in results.ids  # the old paper matches too: it must not stay selected
        assert results.highlighted == 0 and results.current_id == results.ids[0] != old
        top = app.reader.paper(results.ids[0]).title
        assert top in details(app)
        await pilot.press("enter", "b")
        await settle(app, pilot)
        assert app.library.get(results.ids[0]).bookmarked
        assert app.library.get(old) is None or not app.library.get(old).bookmarked


async def test_editing_keys_typed_fast_apply_in_order(paths, bundled_index):
    """A terminal delivers "/", ctrl+u and the text in one read: every key is
    queued before the first is handled. ctrl+u must not run after the text."""
    from textual._xterm_parser import XTermParser

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        for event in XTermParser().feed("/\x15shifted windows"):
            app.post_message(event)
        await pilot.pause(0.3)
        assert app.query_one("#search").value == "shifted windows"
        for event in XTermParser().feed("\x15abc\x7fd"):  # ctrl+u, abc, backspace, d
            app.post_message(event)
        await pilot.pause(0.3)
        assert app.query_one("#search").value == "abd"


async def test_bookmarks_filter_takes_slash_tab_and_parts_of_tags_and_titles(paths, bundled_index, monkeypatch):
    swin = paper_id(SWIN)
    with Library.open(paths) as lib:
        lib.set_bookmark(swin, True)
        lib.add_tags(swin, ["reading-group"])
    monkeypatch.setenv("EDITOR", "false")  # were e a command here, it would fail loudly
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        marks = app.query_one("#bookmark-list")
        assert marks.ids == [swin] and app.focused is marks
        await pilot.press("slash")
        assert app.focused.id == "bookmark-filter"
        await pilot.press(*"reading")  # part of the tag reading-group
        await settle(app, pilot)
        assert app.query_one("#search").value == ""
        assert marks.ids == [swin]
        await pilot.press("enter")
        assert app.focused is marks
        await pilot.press("tab")  # from the list, Tab reaches the filter
        assert app.focused.id == "bookmark-filter"
        app.query_one("#bookmark-filter").value = ""
        await pilot.press(*"shifted")  # a title word; "e" and "t" are text here, not keys
        await settle(app, pilot)
        assert app.query_one("#bookmark-filter").value == "shifted"
        assert marks.ids == [swin] and app.screen is app.main
        await pilot.press(*" zzz")
        await settle(app, pilot)
        assert marks.ids == []
        assert SWIN not in details(app)  # nothing selected: the details pane is cleared
        await pilot.press("escape")  # back to the (empty) list, still in the pane
        assert app.focused is marks and app.query_one("#panes").current == "bookmarks"


async def test_each_pane_has_its_own_status_and_a_long_one_ends_with_an_ellipsis(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(70, 24), notifications=True) as pilot:
        await ready(app, pilot)
        assert "285 papers" in status(app)
        await pilot.press("2")
        await settle(app, pilot)
        assert "285 papers" not in status(app) and "0 bookmarks" in status(app)
        await pilot.press("4")
        await settle(app, pilot)
        assert "4 digests" in status(app)
        await pilot.press("5")
        await settle(app, pilot)
        assert "0 saved searches" in status(app)
        await pilot.press("1")
        assert "285 papers" in status(app)
        line = next(row for row in screen_text(app).splitlines() if "285 papers" in row)
        assert line.rstrip().endswith("…"), line  # cut to the width, and said so


async def test_esc_leaves_a_digest_feed_for_all_papers(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("right_square_bracket")  # the newest digest as a feed
        await settle(app, pilot)
        assert app.main.results.feed is not None and results.total == 75
        assert "Digest Mar 11: 75 papers" in status(app) and "esc: all papers" in status(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.main.results.feed is None and results.total == 285
        assert "285 papers, newest digest first" in status(app)
        await pilot.press("4", "enter")  # the same from the Digests pane
        await settle(app, pilot)
        assert app.main.results.feed is not None
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.main.results.feed is None and results.total == 285


async def test_empty_panes_say_what_fills_them(paths):
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")  # no digests at all
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.index is not None and app.search_settled:
                break
        await settle(app, pilot)
        await pilot.press("escape")  # from the search box, where the reader starts, to the list
        await settle(app, pilot)
        shown = screen_text(app)
        for words in ("papers add FILE", "papers fetch", str(paths.digests)[:30]):
            assert words in shown, words
        assert "No paper selected." not in details(app) and "papers add FILE" in details(app)
        for key, words in (("2", "No bookmarks yet — press b on a paper"), ("3", "No notes yet — press n on a paper"),
                           ("4", "papers add FILE"), ("5", "No saved searches yet")):
            await pilot.press(key)
            await settle(app, pilot)
            assert words in screen_text(app), words


async def test_deleting_a_saved_search_asks_first(paths, bundled_index):
    with Library.open(paths) as lib:
        lib.saved.save("quokkas", "quokka")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        saved = app.query_one("#saved")
        assert saved.ids == ["quokkas"]
        await pilot.press("x")
        await settle(app, pilot)
        assert saved.ids == ["quokkas"] and type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("escape")  # kept
        await settle(app, pilot)
        assert saved.ids == ["quokkas"] and app.screen is app.main
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert saved.ids == []
    with Library.open(paths) as lib:
        assert lib.saved.all() == []


async def test_palette_lists_each_command_once_by_what_it_does_and_goes_to_papers(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await palette(pilot, "bookmark")
        shown = screen_text(app)
        assert shown.replace(" ", "").count("Bookmarktheselectedpaper") == 1, shown
        assert "Bookmark (b)" not in shown
        for _ in "bookmark":
            await pilot.press("backspace")
        await pilot.press(*"editor")
        await pilot.pause(0.5)
        assert "EditthenoteoftheselectedpaperinEDITOR" in screen_text(app).replace(" ", "").replace("$", "")
        for _ in "editor":
            await pilot.press("backspace")
        await pilot.press(*"go to paper")
        await pilot.pause(0.8)
        shown = screen_text(app)
        assert "Gotopaper…" in shown.replace(" ", "")  # a command (its matched letters drawn apart) …
        assert "Go to paper  " not in shown  # … not a search for those words
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press(*"kmax deeplab")
        await pilot.pause(1.0)
        assert "kMaX-DeepLab: k-means Mask Transformer" in screen_text(app)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen is app.main and app.search_settled:
                break
        await settle(app, pilot)
        results = app.query_one("#results")
        assert app.reader.paper(results.current_id).title == "kMaX-DeepLab: k-means Mask Transformer"


async def test_triage_keys_mean_what_they_mean_in_lists(paths, bundled_index):
    """j/k move (k never bookmarks), b keeps, s or space skip, l later; keep is
    the per-paper bookmark key, so remapping it remaps keep too."""
    paths.config.mkdir(parents=True)
    paths.config_file.write_text('[keys]\nbookmark = "B"\n')
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        newest = app.reader.digest_order().names[0]
        ids = app.index.digest_page(newest)
        await pilot.press("T")
        await pilot.pause(0.2)
        triage = app.screen
        await pilot.press("k", "j", "j", "k")  # a vim user going back and forth
        await pilot.pause(0.1)
        assert triage.viewing_id() == ids[1]
        assert all(app.library.get(i) is None or not app.library.get(i).bookmarked for i in ids[:3])
        await pilot.press("b")  # remapped to B: b does nothing here
        await pilot.pause(0.1)
        assert triage.viewing_id() == ids[1] and not (app.library.get(ids[1]) and app.library.get(ids[1]).bookmarked)
        await pilot.press("B", "s", "space", "l")
        await pilot.pause(0.1)
        head = str(triage.query_one("#triage-head").render())
        assert "1 kept" in head and "2 skipped" in head and "1 later" in head, head
        assert triage.viewing_id() == ids[5]
        footer = next(line for line in screen_text(app).splitlines() if "Skip" in line)
        assert "B Keep" in footer and "k Keep" not in footer, footer
        help_lines = [line.strip() for group, pairs in app.binding_groups() if group.startswith("Triage")
                      for line in (f"{keys}  {desc}" for keys, desc in pairs)]
        assert "B  Keep" in help_lines and any(line.startswith("left k") or line.startswith("k")
                                                for line in help_lines if line.endswith("Back")), help_lines
    with Library.open(paths) as lib:
        assert lib.get(ids[1]).bookmarked and lib.get(ids[1]).read
        assert not any(lib.get(i) and lib.get(i).bookmarked for i in ids[:1] + ids[2:5])
        assert lib.get(ids[2]).read and lib.get(ids[3]).read and "later" in lib.get(ids[4]).tags


async def test_a_key_sent_with_a_pane_key_reaches_the_new_pane(paths, bundled_index):
    """"4" and enter in one read: enter opens the highlighted digest, it does
    not go to the list that was being left; in a text box the digits are text."""
    from textual._xterm_parser import XTermParser

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        for event in XTermParser().feed("4\r"):
            app.post_message(event)
        await settle(app, pilot)
        assert app.main.results.feed is not None and app.main.current_name == "results"
        assert app.focused is app.main.results
        for event in XTermParser().feed("/a12345"):
            app.post_message(event)
        await settle(app, pilot)
        assert app.query_one("#search").value == "a12345" and app.main.current_name == "results"


async def test_the_palette_still_shows_the_panes(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await palette(pilot, "digests pane")
        assert "ShowtheDigestspane" in screen_text(app).replace(" ", "")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.main.current_name == "digests"


async def test_paging_keys_page_the_lists_and_the_details(paths, bundled_index):
    """ctrl+d / ctrl+u half a page, ctrl+f / ctrl+b and space a page, as in
    less and vim; ctrl+u still clears the search box, space still skips in triage."""
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        assert app.focused is results and results.highlighted == 0
        height = results.scrollable_content_region.height

        def line() -> int:
            return results._index_to_line[results.highlighted]

        moved = {}
        for key, back in (("ctrl+d", "ctrl+u"), ("ctrl+f", "ctrl+b"), ("space", "ctrl+b")):
            await pilot.press(key)
            await pilot.pause(0.05)
            moved[key] = line()
            await pilot.press(back)
            await pilot.pause(0.05)
            assert results.highlighted == 0, (key, back)
        assert height // 2 - 3 <= moved["ctrl+d"] <= height // 2 + 1, (moved, height)
        assert height - 3 <= moved["ctrl+f"] == moved["space"] <= height + 1, (moved, height)
        await pilot.press("enter")  # the details pane: it scrolls with the same keys
        details = app.query_one("#details")
        assert app.focused is details and details.max_scroll_y > 0
        page = details.scrollable_content_region.height
        await pilot.press("ctrl+d")
        await pilot.pause(0.05)
        assert details.scroll_y == min(page // 2, details.max_scroll_y)
        await pilot.press("ctrl+u")
        await pilot.pause(0.05)
        assert details.scroll_y == 0
        for key in ("space", "ctrl+f"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert details.scroll_y == min(page, details.max_scroll_y), key
            await pilot.press("ctrl+b")
            await pilot.pause(0.05)
            assert details.scroll_y == 0
        await search(app, pilot, "shifted")
        await pilot.press("ctrl+u")  # in the search box: clears the line
        assert app.query_one("#search").value == ""
        await pilot.press("escape", "T", "space")  # in triage: skip
        await pilot.pause(0.1)
        assert "1 skipped" in str(app.screen.query_one("#triage-head").render())
        help_text = "\n".join(f"{keys}  {desc}" for _, pairs in app.binding_groups() for keys, desc in pairs)
        for keys in ("ctrl+d", "ctrl+u", "ctrl+f", "ctrl+b", "space"):
            assert keys in help_text, keys
