"""The search input. Enter and escape move the focus to the list at once
(inside the key's own handling), so keys typed right after them reach the
list's bindings instead of the input."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class SearchInput(Input):
    BINDINGS = [Binding("escape", "leave", "List", show=False, id="search_leave")]

    def _leave(self) -> None:
        self.app.focus_current_list()

    async def action_submit(self) -> None:
        await super().action_submit()
        self._leave()

    def action_leave(self) -> None:
        self._leave()
