"""Unit tests of what the reader draws, without an app: key names, rows,
the copy menu's lines."""

from __future__ import annotations

import pytest

from tui.screens.dialogs import help_content, pretty_keys


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
    from tui.screens.dialogs import LABEL_COLUMN_MAX, copy_lines

    lines = [c.plain for c in copy_lines([("title", "A\nTitle", "x"), ("Code", "https://c", "x"),
                                          ("a label far too long to fit in the label column", "v", "x")])]
    assert lines[0] == "1 " + "title".ljust(LABEL_COLUMN_MAX) + "  A Title"
    assert lines[1].index("https://c") == lines[0].index("A Title") == lines[2].index("  v") + 2
    assert lines[2].startswith("3 a label far") and "…  v" in lines[2]
