"""Unit tests of what the reader draws, without an app: key names, rows,
the copy menu's lines."""

from __future__ import annotations

import pytest

from tui.widgets.dialogs import help_content, pretty_keys


@pytest.mark.parametrize("keys, shown", [
    ("left_square_bracket", "["), ("right_square_bracket", "]"), ("question_mark", "?"),
    ("slash", "/"), ("escape", "esc"), ("space", "space"), ("enter", "enter"), ("ctrl+s", "ctrl+s"),
    ("ctrl+left_square_bracket", "ctrl+["), ("escape,q,question_mark", "esc, q, ?"), ("s,space", "s, space"),
    ("right,j", "→, j"), ("G", "G"), ("comma", "comma"),
    # already pretty (the app may pass its own names): unchanged
    ("esc, q, ?", "esc, q, ?"), ("esc q ?", "esc, q, ?"), ("ctrl+p", "ctrl+p"),
])
def test_pretty_keys(keys, shown):
    assert pretty_keys(keys) == shown


def test_help_keys_never_run_into_their_description():
    long_keys = "ctrl+left_square_bracket,ctrl+right_square_bracket,question_mark"
    text = help_content([("Group", [("j", "Down"), (long_keys, "Somewhere"), ("left_square_bracket", "Newer")])]).plain
    rows = [line for line in text.splitlines() if line.startswith("  ")]
    assert rows[0].index("Down") == rows[2].index("Newer")  # one column for the descriptions
    assert "ctrl+[, ctrl+], ?  Somewhere" in rows[1]
    assert rows[2].startswith("  [ ")


def test_copy_lines_put_values_in_one_column_and_cut_long_labels():
    from tui.widgets.dialogs import LABEL_COLUMN_MAX, copy_lines

    lines = [c.plain for c in copy_lines([("title", "A\nTitle", "x"), ("Code", "https://c", "x"),
                                          ("a label far too long to fit in the label column", "v", "x")])]
    assert lines[0] == "1 " + "title".ljust(LABEL_COLUMN_MAX) + "  A Title"
    assert lines[1].index("https://c") == lines[0].index("A Title") == lines[2].index("  v") + 2
    assert lines[2].startswith("3 a label far") and "…  v" in lines[2]


TITLE = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"


def test_hanging_indent_keeps_wrapped_lines_under_the_text():
    from textual.content import Content

    from tui.widgets.render import hanging

    lines = [c.plain for c in hanging(Content("★ ● " + TITLE), 30, 4)]
    assert lines == ["★ ● Swin Transformer:", "    Hierarchical Vision", "    Transformer using Shifted", "    Windows"]
    assert all(len(line) <= 30 for line in lines)
    assert [c.plain for c in hanging(Content("  ● short"), 30, 4)] == ["  ● short"]
    # too narrow for an indent: left to the usual wrapping
    assert [c.plain for c in hanging(Content("  ● " + TITLE), 12, 4)] == ["  ● " + TITLE]


def test_row_content_wraps_each_line_under_its_text():
    from tui.widgets.rows import RowState, row_content

    row = row_content(TITLE, [(0, 4)], "Aug 7 · 3 of 100", RowState(bookmarked=True), extra="a note " * 12)
    assert str(row).startswith("★ ● Swin") and row.plain.count("\n") == 1  # the text is unchanged
    laid_out = row.lay_out(40).plain.splitlines()
    assert laid_out[0] == "★ ● Swin Transformer: Hierarchical"
    assert all(line.startswith("    ") and line[4] != " " for line in laid_out[1:])
    assert laid_out[3].startswith("    Aug 7 · 3 of 100  a note a note")
    assert row.get_height({}, 40) == len(laid_out)
    assert row.lay_out(200).plain == row.plain


def test_legible_redraws_a_colour_that_vanishes_into_the_row():
    from textual.color import Color
    from textual.content import Content
    from textual.style import Style

    from tui.widgets.render import contrast, legible

    primary, dark, white = Color.parse("#0178D4"), Color.parse("#121212"), Color.parse("#EEEEEE")
    row = Content.assemble(("●", Style(foreground=primary)), " ", ("Title", Style(bold=True)))
    get_style = lambda s: Style.parse(s, {"background": "#121212"}) if isinstance(s, str) else s  # noqa: E731
    on_dark = legible(row, Style(background=dark, foreground=white), get_style)
    assert on_dark is row  # the dot shows on an ordinary row: kept as it is
    on_primary = legible(row, Style(background=primary, foreground=white), get_style)
    dot = on_primary.spans[0].style
    assert dot.foreground == dark and contrast(dot.foreground, primary) >= 3  # the screen's background colour
    assert on_primary.spans[1:] == row.spans[1:] and on_primary.plain == row.plain
    # when the screen's background does not stand out either, the row's text colour
    light = Color.parse("#1E90FF")
    on_light = legible(row, Style(background=light, foreground=white), lambda s: Style.parse(s, {"background": "#1E80F0"}))
    assert on_light.spans[0].style.foreground == white


def test_compact_row_is_one_line_at_any_width():
    from tui.widgets.rows import RowState, compact_row, row_content

    where = "Aug 7 · 3 of 100"
    row = compact_row(TITLE, [(0, 4)], where, RowState(note=True), extra="a note")
    assert str(row) == " ✎● " + TITLE + "  " + where  # the text, whatever the width
    assert row.spans[:3] == row_content(TITLE, [(0, 4)], where, RowState(note=True)).spans[:3]  # same badges, match
    wide = row.lay_out(120).plain
    assert len(wide) == 120 and wide.startswith(" ✎● Swin") and wide.endswith("Windows" + " " * (120 - 4 - len(TITLE) - len(where)) + where)
    for width in (100, 60, 40, 30):
        line = row.lay_out(width).plain
        assert "\n" not in line and len(line) <= width, (width, line)
        assert row.get_height({}, width) == 1
    assert row.lay_out(60).plain == (" ✎● " + TITLE)[:60 - 2 - len(where) - 1] + "…  " + where
    # the title keeps 20 cells; the label gives way, and goes when less than 6 cells are left
    assert row.lay_out(36).plain == " ✎● Swin Transformer: H…  Aug 7 · 3…"
    assert row.lay_out(30).plain == " ✎● Swin Transformer: Hierarc…"
    short = compact_row("Short", (), where, RowState(read=True)).lay_out(40).plain
    assert short == "    Short" + " " * 15 + where


def test_digest_label_is_the_newest_digest_and_how_many_more():
    from tui.core.papers import Appearance, Paper
    from tui.widgets.rows import digest_label

    once = Paper("a", "T", "x", appearances=(Appearance("003_x", "Mar 11", 3, 75),))
    thrice = Paper("a", "T", "x", appearances=(Appearance("000_x", "Aug 7", 1, 9), Appearance("001_y", None, 2, 9),
                                               Appearance("003_x", "Mar 11", 3, 75)))
    assert digest_label(once) == "Mar 11" and digest_label(thrice) == "Mar 11 +2"
    assert digest_label(None, ("Aug 7", "Mar 11")) == "Mar 11 +1" and digest_label(None) == "not in the digests"


def test_a_row_without_badges_wraps_like_text():
    """A digest's row has no badges: its first line wraps at the width like
    any text, and its height says so."""
    from textual.content import Content

    from tui.widgets.render import ListRow

    row = ListRow(Content("\n").join([Content("Sample digest 2  65 papers · 65 unread"),
                                      Content("    001_eb4508a80e02266c · bundled")]))
    lines = row.lay_out(24).plain.splitlines()
    assert all(len(line) <= 24 for line in lines), lines
    assert lines[0] == "Sample digest 2  65" and lines[1] == "papers · 65 unread"
    assert row.get_height(None, 24) == len(lines) == 4
