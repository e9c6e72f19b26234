"""The paging keys of less and vim, the same in every list and scrolling pane."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll


def paging_bindings(action: str) -> list[Binding]:
    """The paging keys of less and vim, for a list or a scrolling pane:
    ``action(pages)`` moves by that many pages (half a page: 0.5)."""
    return [
        Binding("ctrl+d", f"{action}(0.5)", "Half a page down", show=False, id="half_page_down"),
        Binding("ctrl+u", f"{action}(-0.5)", "Half a page up", show=False, id="half_page_up"),
        Binding("ctrl+f,space", f"{action}(1)", "Page down", show=False, id="page_down"),
        Binding("ctrl+b", f"{action}(-1)", "Page up", show=False, id="page_up"),
    ]


class Pager(VerticalScroll):
    """A scrolling pane (the details, a triage paper, the help) whose keys
    scroll at once, as in less: j k and the arrows a line, g G home end to the
    top and the end, ctrl+d ctrl+u half a page, ctrl+f space ctrl+b PgDn PgUp
    a page.

    Every scroll is made as its key arrives, without animation: Textual's own
    scroll actions animate and are deferred until the next refresh, each
    measured from where the last animation was headed, so a burst (``g`` and
    eight ``j``, a held key) lost all but a line or two. The pane's own keys
    also run as they reach it, not once they have gone up to the app and back
    (see :class:`~tui.widgets.search_input.SearchInput`)."""

    BINDINGS = [
        Binding("j,down", "lines(1)", "Scroll down", show=False),
        Binding("k,up", "lines(-1)", "Scroll up", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Bottom", show=False),
        *paging_bindings("scroll_by"),
        Binding("pagedown", "scroll_by(1)", "Page down", show=False),
        Binding("pageup", "scroll_by(-1)", "Page up", show=False),
    ]

    def scroll_now(self, y: float) -> None:
        self.scroll_to(y=max(0, min(y, self.max_scroll_y)), animate=False, immediate=True)

    def action_lines(self, n: int) -> None:
        self.scroll_now(self.scroll_y + n)

    def action_top(self) -> None:
        self.scroll_now(0)

    def action_bottom(self) -> None:
        self.scroll_now(self.max_scroll_y)

    def action_scroll_by(self, pages: float) -> None:
        """ctrl+d / ctrl+u half a page, ctrl+f / space / ctrl+b a page."""
        self.scroll_now(self.scroll_y + int(pages * self.scrollable_content_region.height))

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event):
            await super()._on_key(event)


async def run_own_binding(widget, event: events.Key) -> bool:
    """Run ``widget``'s own binding of the key as it arrives (instead of once
    the key has gone up to the app and back, after the keys typed after it):
    True when one ran, and the key stops here."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False
