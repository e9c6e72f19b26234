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
