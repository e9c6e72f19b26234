"""The query line and the panes' filters."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from .paging import run_own_binding


class SearchInput(Input):
    """An input whose editing keys apply in the order they were typed.

    Enter and esc are bound with priority on the screen, so the keys typed
    right after them reach the list. The input's own bindings (ctrl+u,
    backspace, ctrl+w, …) are otherwise resolved only once the key has gone up
    to the app and back, after the keys that followed it were already typed
    in: "/", ctrl+u and a query sent in one burst left the box empty. Here
    they run as the key arrives, like a typed character."""

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event):
            await super()._on_key(event)

    def show_quietly(self, text: str) -> None:
        """``text`` in the box without the Changed message (no search runs)."""
        with self.prevent(Input.Changed):
            self.value = text
