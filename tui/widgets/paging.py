"""The paging keys of less and vim, the same in every list and scrolling pane."""

from __future__ import annotations

from textual.binding import Binding


def paging_bindings(action: str) -> list[Binding]:
    """The paging keys of less and vim, for a list or a scrolling pane:
    ``action(pages)`` moves by that many pages (half a page: 0.5)."""
    return [
        Binding("ctrl+d", f"{action}(0.5)", "Half a page down", show=False, id="half_page_down"),
        Binding("ctrl+u", f"{action}(-0.5)", "Half a page up", show=False, id="half_page_up"),
        Binding("ctrl+f,space", f"{action}(1)", "Page down", show=False, id="page_down"),
        Binding("ctrl+b", f"{action}(-1)", "Page up", show=False, id="page_up"),
    ]
