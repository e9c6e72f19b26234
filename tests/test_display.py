"""Pilot tests of what the reader draws: the help, the copy menu, list rows at
the widths people use, and the names shown for digests."""

from __future__ import annotations

import re

import pytest

from helpers import SIZE, SWIN, ready, screen_text, search, settle, status
from tui.app import PapersApp


# --- help ------------------------------------------------------------------------------

async def open_help(app, pilot):
    await ready(app, pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.2)
    assert app.screen.__class__.__name__ == "HelpScreen"
    return str(app.screen.query_one("Static").render())


async def test_help_names_keys_as_they_are_typed(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        text = await open_help(app, pilot)
    lines = [line.strip() for line in text.splitlines()]
    for raw in ("left_square_bracket", "right_square_bracket", "question_mark", "escape", "slash"):
        assert raw not in text, raw
    # each key stands apart from what it does
    assert "[  " in text and "Newer digest" in text
    assert any(line.startswith("[") and line.endswith("Newer digest") and "  " in line for line in lines)
    assert any(line.startswith("]") and line.endswith("Older digest") for line in lines)
    assert any(line.startswith("?") and line.endswith("Help") for line in lines)
    assert any(line.startswith("ctrl+s") and line.endswith("Save search") for line in lines)
    assert any(line.startswith("s, space") and line.endswith("Skip") for line in lines)
    assert any(line.startswith("esc, q") and line.endswith("Leave") for line in lines)
    for line in text.splitlines():  # key column, at least two spaces, description
        if line.startswith("  ") and line.strip():
            keys, sep, desc = line.strip().partition("  ")
            assert sep and desc.strip(), line


async def test_help_scrolls_with_the_reader_keys(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_help(app, pilot)
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y > 0
        await pilot.press("j", "j")
        await pilot.pause(0.1)
        assert box.scroll_y == 2
        await pilot.press("k")
        await pilot.pause(0.1)
        assert box.scroll_y == 1
        await pilot.press("G")
        await pilot.pause(0.1)
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g")
        await pilot.pause(0.1)
        assert box.scroll_y == 0
        await pilot.press("space")
        await pilot.pause(0.1)
        page = box.scroll_y
        assert page > 2
        await pilot.press("ctrl+u")
        await pilot.pause(0.1)
        assert box.scroll_y == 0
        await pilot.press("ctrl+d")
        await pilot.pause(0.1)
        assert box.scroll_y > 2
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ != "HelpScreen"


# --- copy menu -------------------------------------------------------------------------



@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_copy_menu_is_two_aligned_columns_one_line_each(paths, bundled_index, size):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.press("enter", "Y")
        await pilot.pause(0.2)
        assert app.screen.__class__.__name__ == "CopyMenu"
        options = app.screen.query_one("#copy-options")
        choices = app.screen.choices
        lines = [options.render_line(y).text for y in range(options.size.height)]
        lines = [line.strip() for line in lines if line.strip()]
        assert len(lines) == len(choices)  # one line each
        previews = [" ".join(preview.split()) for _, preview, _ in choices]
        column = lines[0].index(previews[0][:10])
        for n, (line, (label, _, _), preview) in enumerate(zip(lines, choices, previews), 1):
            assert line[:column] == f"{n} {label}".ljust(column), line  # label, then at least two spaces
            value = line[column:]
            assert value == preview or (value.endswith("…") and preview.startswith(value[:-1])), line
        assert any(line.endswith("…") for line in lines)  # the title and the abstract are long


# --- list rows ---------------------------------------------------------------------------

def luminance(triplet) -> float:
    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = triplet
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def segment_at(strip, text: str):
    """The style of the segment that holds ``text``."""
    for segment in strip:
        if text in segment.text:
            return segment.style
    raise AssertionError(f"{text!r} not in {strip.text!r}")


async def test_unread_dot_shows_on_the_highlighted_row_in_every_theme(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("enter") if app.focused is not results else None
        assert results.highlighted == 0 and results.scroll_y == 0
        title = app.reader.paper(results.current_id).title
        checked = 0
        for theme in sorted(app.available_themes):
            app.theme = theme
            for focus in (results, app.query_one("#search")):
                focus.focus()
                await pilot.pause(0.05)
                strip = results.render_line(0)
                assert strip.text.lstrip().startswith("●"), strip.text
                dot, text = segment_at(strip, "●"), segment_at(strip, title.split()[0])
                assert dot.bgcolor == text.bgcolor  # the same (highlighted) row
                if dot.bgcolor is None or dot.bgcolor.is_system_defined or dot.color.is_system_defined:
                    continue  # an ANSI theme: the terminal picks the colours
                fg, bg = dot.color.get_truecolor(), dot.bgcolor.get_truecolor()
                # as legible as the row's own text, and at least 3:1 where the theme has a colour for it
                legible = min(3, contrast(text.color.get_truecolor(), bg))
                assert contrast(fg, bg) >= legible - 0.01, (theme, focus, fg, bg)
                assert dot != text, (theme, focus)
                checked += 1
        assert checked >= 30



async def test_unread_count_shows_on_the_highlighted_digest_in_every_theme(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        assert digests.highlighted == 0 and "unread" in str(digests.get_option_at_index(0).prompt)
        checked = 0
        for theme in sorted(app.available_themes):
            app.theme = theme
            for focus in (digests, app.query_one("#search")):
                focus.focus()
                await pilot.pause(0.05)
                strip = digests.render_line(0)
                count, label = segment_at(strip, "unread"), segment_at(strip, "Mar 11")
                assert count.bgcolor == label.bgcolor  # the same (highlighted) row
                if count.bgcolor is None or count.bgcolor.is_system_defined or count.color.is_system_defined:
                    continue  # an ANSI theme: the terminal picks the colours
                fg, bg = count.color.get_truecolor(), count.bgcolor.get_truecolor()
                legible = min(3, contrast(label.color.get_truecolor(), bg))
                assert contrast(fg, bg) >= legible - 0.01, (theme, focus, fg, bg)
                checked += 1
        assert checked >= 30

def option_lines(paper_list, index: int) -> list[str]:
    """The lines an option is drawn as, without the list's left padding."""
    paper_list._update_lines()
    lines = [n for n, (i, _) in enumerate(paper_list._lines) if i == index]
    strips = [paper_list._get_line(paper_list.get_visual_style("option-list--option"), y) for y in lines]
    return [strip.text[1:].rstrip() for strip in strips]


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_long_titles_wrap_under_the_title(paths, bundled_index, size):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "vision transformer")
        results = app.query_one("#results")
        wrapped = 0
        for index, pid in enumerate(results.ids[:15]):
            title = " ".join(app.reader.paper(pid).title.split())
            lines = option_lines(results, index)
            assert lines[0][4:].startswith(title[:20]), lines
            shown, rest = lines[0][4:], lines[1:]
            for line in lines[1:]:
                assert line.startswith("    ") and line[4] != " ", lines  # under the title's first letter
            while len(shown) < len(title):
                shown += " " + rest.pop(0)[4:]
                wrapped += 1
            assert shown == title
            assert rest[0][4:].startswith(app.reader.paper(pid).appearances[-1].describe()[:5])
        assert wrapped >= 3



@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_every_row_is_as_tall_as_its_lines_once_the_scrollbar_shows(paths, bundled_index, size):
    """The first rows are measured before the list has a scrollbar, which
    then takes two cells: a row that wraps once more must grow, or its last
    line (where the paper appeared) is lost."""
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        assert results.show_vertical_scrollbar
        for index, pid in enumerate(results.ids[:12]):
            lines = option_lines(results, index)
            paper = app.reader.paper(pid)
            assert lines[-1].strip().startswith(paper.appearances[-1].describe()[:6]), (index, lines)

def visible_papers(paper_list) -> int:
    paper_list._update_lines()
    top, height = int(paper_list.scroll_y), paper_list.scrollable_content_region.height
    return len({index for index, _ in paper_list._lines[top:top + height]})


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_compact_rows_show_a_paper_per_line(paths, bundled_index, size):
    from tui.widgets.rows import RowState, compact_row, digest_label

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        full = visible_papers(results)
        papers = [app.reader.paper(pid) for pid in results.ids]
        results.set_rows([(p.id, compact_row(p.title, (), digest_label(p), RowState())) for p in papers],
                         results.total)
        await pilot.pause(0.1)
        compact = visible_papers(results)
        height = results.scrollable_content_region.height
        assert compact == height and compact >= 2 * full  # 11 → 29 papers at 120×36
        for index, paper in enumerate(papers[:height]):
            (line,) = option_lines(results, index)
            where = digest_label(paper)
            assert line.startswith("  ● " + paper.title[:10])
            assert line.endswith(where) or line.endswith("…"), line


# --- digest names ----------------------------------------------------------------------

async def test_sample_digests_without_a_date_have_a_readable_name_everywhere(paths, bundled_index, capsys):
    from tui.cli import main

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        results = app.query_one("#results")
        row = str(results.get_option_at_index(0).prompt)
        assert row.splitlines()[1].strip() == "Sample digest 2 · 65 of 65"
        await pilot.press("enter", "enter")
        body = str(app.query_one("#details-body").render())
        assert "Sample digest 2 · 65 of 65" in body and "001_eb4508a80e02266c" not in body
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        shown = [str(digests.get_option_at_index(i).prompt).splitlines()[0] for i in range(len(digests.ids))]
        assert sum(line.startswith(("Sample digest 2", "Sample digest 3")) for line in shown) == 2, shown
        await search(app, pilot, "digest:001_eb4508a80e02266c")  # by name, as before
        assert results.total == 65
        await search(app, pilot, 'digest:"sample digest 3"')  # and by the readable name
        assert results.total == 119
    capsys.readouterr()
    assert main(["--data-dir", str(paths.data.parent), "digests"]) == 0
    out = capsys.readouterr().out
    assert "Sample digest 2" in out and "Sample digest 3" in out and "Aug 7" in out


def test_only_the_shipped_samples_are_named_samples(tmp_path):
    import shutil

    from tui.core.digest import parse_file, sample_label
    from tui.core.paths import BUNDLED_DIGESTS

    shipped = sorted(BUNDLED_DIGESTS.glob("*.txt"))
    assert [sample_label(p) for p in shipped] == [f"Sample digest {n}" for n in range(1, 5)]
    assert [parse_file(p).label for p in shipped] == ["Aug 7", "Sample digest 2", "Sample digest 3", "Mar 11"]
    copy = tmp_path / shipped[1].name  # the same file added by a user keeps its own name
    shutil.copy(shipped[1], copy)
    assert sample_label(copy) is None and parse_file(copy).label is None


# --- counts ------------------------------------------------------------------------------

ONE_OF = re.compile(r"\b1 (papers|digests|bookmarks|notes|problems|searches|matches)\b")


async def test_a_count_of_one_is_said_in_the_singular_everywhere(paths, bundled_index):
    import json

    from helpers import api_digest
    from tui.core.library import Library
    from tui.core.papers import paper_id

    paths.digests.mkdir(parents=True)
    one = json.loads(api_digest([{"id": "2408.01234", "title": "Wombat Attention for Sparse Burrows"}]))
    (paths.digests / "wombats.json").write_text(json.dumps(one + [5]))  # one paper, one problem
    pid = paper_id("Wombat Attention for Sparse Burrows")
    with Library.open(paths) as lib:
        lib.set_bookmark(pid, True)
        lib.set_note(pid, "burrows")
        lib.saved.save("wombats", "wombat")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    said = []

    def look() -> None:
        said.extend([status(app), screen_text(app), str(app.query_one("#details-body").render())])

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "wombat")
        assert "1 paper matches" in status(app)
        await pilot.press("enter")  # to the list
        look()
        for key in ("2", "3", "4", "5"):
            await pilot.press(key)
            await settle(app, pilot)
            if key == "4":
                digests = app.query_one("#digests")
                digests.highlighted = next(i for i, name in enumerate(digests.ids) if "wombats" in name)
                await settle(app, pilot)
            look()
        assert "1 bookmark" in said[3] and "1 note" in said[6] and "1 paper · 1 parse problem" in said[11]
        await pilot.press("enter")  # the saved search: one paper
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("enter")  # the digest as a feed
        await settle(app, pilot)
        assert "1 paper " in status(app)
        look()
        await pilot.press("m")  # papers like it: the count is a number of papers too
        await settle(app, pilot)
        look()
    said.extend(n.message for n in app._notifications)
    for text in said:
        assert not ONE_OF.search(text), ONE_OF.search(text).group(0) + " in:\n" + text


# --- density -------------------------------------------------------------------------------

def row_heights(paper_list) -> list[int]:
    paper_list._update_lines()
    return [paper_list._line_cache.heights[i] for i in range(min(len(paper_list.ids), 12))]


async def test_C_shows_one_line_per_paper_in_every_list_and_is_remembered(paths, bundled_index):
    import json

    from tui.core.library import Library
    from tui.core.papers import paper_id
    from tui.widgets.rows import digest_label

    swin = paper_id(SWIN)
    with Library.open(paths) as lib:
        lib.set_bookmark(swin, True)
        lib.set_note(swin, "read the ablations")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await pilot.press("j", "j", "j")
        chosen = results.current_id
        assert min(row_heights(results)) >= 2
        await pilot.press("C")
        await settle(app, pilot)
        assert row_heights(results) == [1] * 12 and results.current_id == chosen  # redrawn in place
        paper = app.reader.paper(chosen)
        (line,) = option_lines(results, results.highlighted)
        assert paper.title[:15] in line and line.endswith(digest_label(paper)), line
        for key, pane in (("2", "#bookmark-list"), ("3", "#notes")):
            await pilot.press(key)
            await settle(app, pilot)
            marks = app.query_one(pane)
            assert marks.ids == [swin] and row_heights(marks) == [1], pane
        assert "C" in next(keys for _, pairs in app.binding_groups() for keys, desc in pairs if desc == "Compact")
        from tui.keymap import check_keymap  # the key leaves c to README's example: copy_link = "y,c"

        assert check_keymap({"copy_link": "y,c"}, app.keymap_scopes()) == ({"copy_link": "y,c"}, [])
    assert json.loads(paths.state_file.read_text())["compact"] is True
    app = PapersApp(paths, watch_interval=0, dwell=0)  # remembered across starts
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        assert row_heights(results) == [1] * 12
        await pilot.press("C")
        await settle(app, pilot)
        assert min(row_heights(results)) >= 2
    assert json.loads(paths.state_file.read_text())["compact"] is False


async def test_redrawn_rows_keep_the_query_marks(paths, bundled_index):
    """Rows drawn again (C, or after triage) still mark the query's words."""
    from tui.widgets.render import MATCH_STYLE

    def marked(results) -> bool:
        prompt = results.get_option_at_index(0).prompt
        return any(span.style == MATCH_STYLE for span in prompt.spans)

    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        await pilot.press("enter")
        results = app.query_one("#results")
        assert marked(results)
        app.main._triage_done(None)  # as when triage closes
        assert marked(results)
        await pilot.press("C")
        assert marked(results)
        await pilot.press("C")
        assert marked(results)
