"""Pilot tests of the reader: each flow a user goes through, asserting on state,
files and what is on screen."""

from __future__ import annotations

import json

from helpers import SIZE, SWIN, api_digest, palette, ready, screen_text, search, settle, status, text_digest
from tui.app import PapersApp
from tui.core.library import Library
from tui.core.papers import paper_id


async def test_search_results_and_details(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        assert app.query_one("#results").total == 285
        assert "285 papers" in status(app)
        await search(app, pilot, "shifted windows")
        results = app.query_one("#results")
        assert results.ids[0] == paper_id(SWIN)
        assert "2 papers match" in status(app)
        await pilot.press("enter")  # to the list
        assert app.focused is results
        await pilot.press("enter")  # to the details
        assert app.focused.id == "details"
        body = str(app.query_one("#details-body").render())
        assert SWIN in body and "https://github.com/microsoft/Swin-Transformer" in body
        assert "Sample digest 2 · 65 of 65" in body


async def test_no_hits_and_did_you_mean(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "zzqqxx")
        assert app.query_one("#results").ids == []
        assert "No papers match" in status(app)
        await search(app, pilot, "arithmetc")
        assert "did you mean: arithmetic" in status(app)


async def test_bookmark_tag_note_read_persist_after_restart(paths, bundled_index):
    pid = paper_id(SWIN)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.press("enter")
        await pilot.press("b")
        assert any("Bookmarked: Swin" in n.message for n in app._notifications)
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"reading group, vision")
        await pilot.press("enter")
        await pilot.press("n")
        await pilot.pause(0.1)
        text = "Read the [bold]ablation[/bold] section"
        await pilot.press(*text)
        for _ in range(100):  # until the editor has taken every key
            if app.screen.query_one("TextArea").text == text:
                break
            await pilot.pause(0.05)
        # saved while typing, without closing the editor: at most ~1 s behind
        saved = None
        for _ in range(60):
            await pilot.pause(0.05)
            lib = Library.open(paths)
            saved = lib.get(pid).note
            lib.close()
            if saved == text:
                break
        assert saved == text
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("r")
        await settle(app, pilot)
        row = str(app.query_one("#results").get_option(pid).prompt)
        assert row.startswith("★✎"), row
    lib = Library.open(paths)
    rec = lib.get(pid)
    assert rec.bookmarked and rec.read and set(rec.tags) == {"reading-group", "vision"}
    lib.close()
    # start again: everything is there, in the panes and in search
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("escape", "2")
        await settle(app, pilot)
        assert app.query_one("#bookmark-list").ids == [pid]
        body = str(app.query_one("#details-body").render())
        assert "Read the [bold]ablation[/bold] section" in body and "reading-group" in body
        await pilot.press("3")
        assert app.query_one("#notes").ids == [pid]
        await pilot.press("1")
        await search(app, pilot, "tag:reading-group")
        assert app.query_one("#results").ids == [pid]
        await search(app, pilot, "note:ablation")
        assert app.query_one("#results").ids == [pid]
        await search(app, pilot, "is:bookmarked")
        assert app.query_one("#results").ids == [pid]


async def test_copy_link_and_menu(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert app.clipboard == "https://github.com/microsoft/Swin-Transformer"
        assert any("link" in n.message and "Swin-Transformer" in n.message for n in app._notifications)
        # close the selectable-text dialog if no clipboard tool works here
        if app.screen.__class__.__name__ == "TextDialog":
            await pilot.press("escape")
        await pilot.press("Y")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "CopyMenu"
        await pilot.press("2")  # Markdown link
        await settle(app, pilot)
        assert app.clipboard == f"[{SWIN}](https://github.com/microsoft/Swin-Transformer)"
        if app.screen.__class__.__name__ == "TextDialog":
            await pilot.press("escape")
        await pilot.press("Y")
        await pilot.pause(0.1)
        await pilot.press("3")  # BibTeX
        await settle(app, pilot)
        assert app.clipboard.startswith("@misc{") and "Shifted Windows" in app.clipboard


async def test_hostile_titles_render_literally(paths, bundled_index, tmp_path):
    hostile = ["[CLS] Tokens [/] and [bold]x[/bold] Considered", "Clicks [@click=app.quit] Are Text",
               "Escapes \x1b[31mRed\x1b]0;pwned\x07 Gone"]
    paths.digests.mkdir(parents=True)
    (paths.digests / "hostile.txt").write_text(text_digest(hostile))
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "considered")
        await pilot.press("enter")
        body = str(app.query_one("#details-body").render())
        assert "[CLS] Tokens [/] and [bold]x[/bold] Considered" in body
        row = str(app.query_one("#results").get_option_at_index(0).prompt)
        assert "[CLS] Tokens [/] and [bold]x[/bold] Considered" in row
        await search(app, pilot, "clicks")
        await pilot.press("enter", "b")
        await settle(app, pilot)
        assert app.is_running
        body = str(app.query_one("#details-body").render())
        assert "Clicks [@click=app.quit] Are Text" in body
        assert any("Bookmarked: Clicks [@click=app.quit] Are Text" in n.message for n in app._notifications)
        await search(app, pilot, "escapes")
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "pwned" not in svg
        row = str(app.query_one("#results").get_option_at_index(0).prompt)
        assert "Escapes Red Gone" in row


async def test_panes_help_and_palette(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        assert len(digests.ids) == 4 and app.focused is digests
        await pilot.press("enter")  # open the newest digest as a feed
        await settle(app, pilot)
        assert app.query_one("#panes").current == "results"
        assert "Digest Mar 11: 75 papers" in status(app)
        await pilot.press("2")
        assert app.query_one("#panes").current == "bookmarks"
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "HelpScreen"
        text = str(app.screen.query_one("Static").render())  # the whole help, also what is scrolled out
        assert "Bookmark" in text and "Copy link" in text and "Quit" in text and "Keep" in text
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        assert app.screen.__class__.__name__ == "CommandPalette"
        await pilot.press(*"Bookm")
        await pilot.pause(0.3)
        assert "Bookmark" in screen_text(app)
        await pilot.press("escape")
        # go to paper… from the palette
        await palette(pilot, "kmax deeplab", 1.0)
        assert "Go to paper  kMaX-DeepLab: k-means Mask Transformer" in screen_text(app)
        await pilot.press("down", "enter")
        await pilot.pause(0.2)
        for _ in range(100):
            await pilot.pause(0.05)
            if app.search_settled:
                break
        await settle(app, pilot)
        results = app.query_one("#results")
        assert app.reader.paper(results.current_id).title == "kMaX-DeepLab: k-means Mask Transformer"
        # go to digest…
        await palette(pilot, "digest aug 7")
        assert "Go to digest Aug 7" in screen_text(app)


async def test_theme_is_remembered(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.theme = "nord"
        await pilot.pause(0.1)
    assert json.loads(paths.state_file.read_text())["theme"] == "nord"
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert app.theme == "nord"


async def test_keys_remapped_from_config(paths, bundled_index):
    paths.config.mkdir(parents=True)
    paths.config_file.write_text('[keys]\nbookmark = "B"\n')
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        assert any(n.message.startswith("Bookmarked: ") for n in app._notifications)


async def test_bad_digest_is_announced(paths, bundled_index):
    paths.digests.mkdir(parents=True)
    (paths.digests / "broken.json").write_text("[{")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        assert any("broken.json" in n.message and "invalid JSON" in n.message for n in app._notifications)
        assert app.query_one("#results").total == 285


def test_app_module_does_not_import_whoosh():
    """Start-up paints before the index is opened: importing the app (and its
    screens, widgets, library) must not pull in Whoosh."""
    import subprocess
    import sys

    code = ("import sys\nimport tui.app, tui.cli\n"
            "bad = [m for m in sys.modules if m == 'whoosh' or m.startswith('whoosh.')]\n"
            "assert not bad, bad\nprint('ok')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


async def test_a_library_that_refuses_changes_loses_nothing_typed(paths, bundled_index):
    """Read-only (or full) library: each change is a notification, the app
    keeps running, and a note that could not be saved is offered back."""
    with Library.open(paths) as lib:
        lib.set_note(paper_id(SWIN), "kept from before")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        app.library.readonly = True  # as Library.open leaves it for a read-only folder
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "b")
        await pilot.pause(0.1)
        assert any(n.message.startswith("Not saved: cannot change the library") for n in app._notifications)
        await pilot.press("r")
        await pilot.press("n")
        await pilot.pause(0.1)
        await pilot.press(*" and typed now")
        for _ in range(60):
            await pilot.pause(0.05)
            if "Not saved" in str(app.screen.query_one("#note-status").render()):
                break
        assert "read-only" in str(app.screen.query_one("#note-status").render())
        await pilot.press("escape")
        await pilot.pause(0.2)
        dialog = app.screen
        assert type(dialog).__name__ == "TextDialog"
        assert dialog.query_one("TextArea").text == "kept from before and typed now"
        assert app.is_running
    with Library.open(paths) as lib:
        rec = lib.get(paper_id(SWIN))
        assert rec.note == "kept from before" and not rec.bookmarked and not rec.read


async def test_garbage_library_is_moved_aside_and_the_app_runs(paths, bundled_index):
    paths.data.mkdir(parents=True)
    paths.library.write_bytes(b"this is not a database\x00" * 100)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        notice = next(n.message for n in app._notifications if "could not be read" in n.message)
        assert str(paths.library) in notice and "moved to" in notice
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "b")
        await settle(app, pilot)
    aside = [p for p in paths.data.iterdir() if p.name.startswith(paths.library.name) and p != paths.library
             and not p.name.endswith(("-wal", "-shm", ".lock"))]
    assert len(aside) == 1 and aside[0].read_bytes() == b"this is not a database\x00" * 100
    with Library.open(paths) as lib:
        assert [r.id for r in lib.bookmarks()] == [paper_id(SWIN)]


async def test_details_opened_count_as_read_after_a_dwell_and_r_undoes_it(paths, bundled_index):
    pid = paper_id(SWIN)
    app = PapersApp(paths, watch_interval=0, dwell=0.3)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.pause(0.6)  # highlighted only: not read
        assert app.library.get(pid) is None or not app.library.get(pid).read
        await pilot.press("enter")  # from the search box to the list
        await pilot.pause(0.6)
        assert app.library.get(pid) is None or not app.library.get(pid).read
        await pilot.press("enter")  # open the details
        await pilot.pause(0.6)
        assert app.library.get(pid).read
        row = str(app.query_one("#results").get_option(pid).prompt)
        assert "●" not in row.splitlines()[0]
        await pilot.press("r")  # the user says unread: the dwell does not undo that
        await pilot.press("escape", "enter")
        await pilot.pause(0.6)
        rec = app.library.get(pid)
        assert rec is None or not rec.read


async def test_brackets_step_through_digests_in_order(paths, bundled_index):
    from tui.core.navigation import digest_order

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        order = digest_order(app.index.digests())
        assert order.by == "import time" and "has no year" in order.why  # "Aug 7" carries no year
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        assert digests.ids == list(order.names)
        await pilot.press("right_square_bracket")
        assert digests.current_id == order.names[1]
        assert "Digest 2 of 4" in str(app.query_one("#details-body").render())
        await pilot.press("left_square_bracket")
        assert digests.current_id == order.names[0]
        await pilot.press("left_square_bracket")  # nothing newer
        assert any(n.message.startswith("No newer digest") for n in app._notifications)
        # from a feed in the Search pane, ] opens the next older digest as the feed
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.main.results.feed == order.names[0]
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert app.main.results.feed == order.names[1]
        first = app.index.digest_page(order.names[1], 0, 1)[0]
        assert app.query_one("#results").ids[0] == first


def test_digest_order_uses_label_dates_only_when_all_have_a_year():
    from types import SimpleNamespace as D

    from tui.core.navigation import digest_order

    dated = [D(name="a", label="2024-08-07", rank="1"), D(name="b", label="Aug 9, 2024", rank="0"),
             D(name="c", label="2024-08-08", rank="2")]
    order = digest_order(dated)
    assert order.names == ("b", "c", "a") and order.by == "label date"
    mixed = dated + [D(name="d", label="Aug 7", rank="3")]
    order = digest_order(mixed)
    assert order.names == ("d", "c", "a", "b") and "'Aug 7' has no year" in order.why
    assert order.step(None, 1) == "d" and order.step("b", 1) is None and order.step("c", -1) == "d"


async def test_more_like_this_and_like_my_bookmarks(paths, bundled_index):
    swin = paper_id(SWIN)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "m")
        await settle(app, pilot)
        ids = app.query_one("#results").ids
        assert swin not in ids and len(ids) >= 10
        titles = [app.reader.paper(i).title for i in ids[:3]]
        assert titles[0].startswith("Swin Transformer V2"), titles
        row = str(app.query_one("#results").get_option(ids[0]).prompt)
        assert "shares: " in row and "swin" in row.split("shares: ")[1]
        assert status(app).startswith(f"{len(ids)} papers like “Swin Transformer") and "key terms: " in status(app)
        # bookmark it and ask for papers like the bookmarks
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "b", "M")
        await settle(app, pilot)
        assert "papers like your bookmarks" in status(app)
        assert swin not in app.query_one("#results").ids
        assert app.reader.paper(app.query_one("#results").ids[0]).title.startswith("Swin Transformer V2")


async def test_text_paper_gains_api_fields_and_keeps_its_library_state(paths, bundled_index):
    """Seen first in a text dump, later in an API digest: same id, bookmark and
    note kept, authors / upvotes / exact links shown."""
    title = "Quokka Attention: Marsupial Transformers at Scale"
    pid = paper_id(title)
    paths.digests.mkdir(parents=True)
    (paths.digests / "monday.txt").write_text(text_digest([title, "Another Paper About Wombat Routing"]))
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "quokka attention")
        await pilot.press("enter", "b")
        await settle(app, pilot)
        app.library.set_note(pid, "compare with the wombat paper")
        body = str(app.query_one("#details-body").render())
        assert "Authors" not in body and "huggingface.co/papers?q=" in body
    (paths.digests / "tuesday.json").write_text(api_digest([{
        "id": "2408.01234", "title": title, "upvotes": 42,
        "authors": ["Ada Lovelace", "Grace Hopper [bold]x[/bold]"]}]))
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "quokka attention")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_one("#results").ids[0] == pid
        body = str(app.query_one("#details-body").render())
        assert "Ada Lovelace, Grace Hopper [bold]x[/bold]" in body
        assert "Upvotes  42" in body and "arXiv  2408.01234" in body
        assert "https://huggingface.co/papers/2408.01234" in body and "https://arxiv.org/abs/2408.01234" in body
        assert "★ bookmarked" in body and "compare with the wombat paper" in body
        assert app.reader.paper(pid).primary_link == "https://huggingface.co/papers/2408.01234"
        await search(app, pilot, "author:hopper")
        assert app.query_one("#results").ids == [pid]


async def test_triage_decides_advances_and_resumes(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        newest = app.reader.digest_order().names[0]
        ids = app.index.digest_page(newest)
        await pilot.press("T")
        await pilot.pause(0.2)
        screen = app.screen
        assert type(screen).__name__ == "TriageScreen" and screen.digest == newest
        assert f"1/{len(ids)}" in str(screen.query_one("#triage-head").render())
        await pilot.press("b", "s", "l")
        await pilot.pause(0.1)
        head = str(screen.query_one("#triage-head").render())
        assert f"4/{len(ids)}" in head and "1 kept" in head and "1 skipped" in head and "1 later" in head
        assert ids[3] in str(screen.query_one("#triage-paper").render()) or \
            app.reader.paper(ids[3]).title.split(":")[0] in str(screen.query_one("#triage-paper").render())
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main
    with Library.open(paths) as lib:
        kept, skipped, later = (lib.get(i) for i in ids[:3])
        assert kept.bookmarked and kept.read
        assert skipped.read and not skipped.bookmarked
        assert "later" in later.tags and not later.read
        assert lib.visits.skipped_ids() == [ids[1]]  # a decision against it, for the for-you ranking
        assert lib.visits.triage_position(newest).paper_id == ids[3]
    # a new session resumes at the fourth paper; ] goes on to the next digest
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("T")
        await pilot.pause(0.2)
        assert app.screen.viewing_id() == ids[3]
        assert any("Resumed where you stopped" in n.message for n in app._notifications)
        await pilot.press("right_square_bracket")
        await pilot.pause(0.2)
        assert app.screen.digest == app.reader.digest_order().names[1]
        assert app.screen.viewing_id() == app.index.digest_page(app.screen.digest)[0]


async def test_saved_search_pane_palette_and_watch(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "quokka")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        app.screen.query_one("Input").value = "quokkas [bold]"  # names are normalised like tags
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("escape", "5")
        await settle(app, pilot)
        saved = app.query_one("#saved")
        assert saved.ids == ["quokkas-[bold]"]
        row = str(saved.get_option("quokkas-[bold]").prompt)
        assert "quokkas-[bold]" in row and "0 papers" in row
        await pilot.press("W")
        await settle(app, pilot)
        assert "◉ watch" in str(saved.get_option("quokkas-[bold]").prompt)
    with Library.open(paths) as lib:
        (x,) = lib.saved.all()
        assert (x.name, x.query, x.watch) == ("quokkas-[bold]", "quokka", True)
    # a digest arrives between two starts: the watch tags its matching paper, what's new lists it
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "fresh.txt").write_text(text_digest(
        ["Counting Quokkas With Transformers", "Wombat Routing With Graphs"], label="Aug 9"))
    quokka = paper_id("Counting Quokkas With Transformers")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Watch quokkas-[bold]: 1 new paper, tagged watch:quokkas-[bold]") for m in messages)
        assert any(m.startswith("1 new digest since you last opened papers") for m in messages)
        await pilot.press("N")
        await settle(app, pilot)
        assert app.query_one("#results").ids == [quokka, paper_id("Wombat Routing With Graphs")]
        assert status(app).startswith("2 papers new since you last opened papers, from 1 digest · 2 unread")
        await pilot.press("4")
        await settle(app, pilot)
        row = str(app.query_one("#digests").get_option("fresh").prompt)
        assert row.startswith("NEW Aug 9") and "2 unread" in row
        await palette(pilot, "saved quokkas", 0.6)  # the palette offers it too
        assert "Saved search quokkas-[bold]" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("5", "enter")
        await settle(app, pilot)
        assert app.query_one("#search").value == "quokka"
        assert app.query_one("#results").ids == [quokka]
        await pilot.press("5", "x", "y")  # x asks first
        await settle(app, pilot)
        assert app.query_one("#saved").ids == []
    with Library.open(paths) as lib:
        assert "watch:quokkas-[bold]" in lib.get(quokka).tags and lib.saved.all() == []


async def test_digest_from_a_watched_folder_is_searchable_on_the_start_that_imports_it(paths, bundled_index, tmp_path):
    from tui.core.config import add_watched

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "dropped.txt").write_text(text_digest(["Counting Quokkas With Transformers"], label="Aug 9"))
    add_watched(paths.watched_file, inbox)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        assert any("Imported" in n.message for n in app._notifications)
        await search(app, pilot, "quokkas")
        assert app.query_one("#results").ids == [paper_id("Counting Quokkas With Transformers")]
