"""The search input."""

from __future__ import annotations

from textual.widgets import Input


class SearchInput(Input):
    """The query line; enter and esc are handled by the app's priority bindings
    so that the keys typed right after them reach the list, not the input."""
