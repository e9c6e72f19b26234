"""The main screen's panes: which one is shown, with its details and status,
what the screen shows of them at each width, and how dense their lists are.

Wide (80 columns or more), the list and the details pane stand side by
side; ``v`` hides the details and the list takes the width. Narrower, the
details pane hides behind the list: ``v`` or enter shows it in the list's
place, ``v`` or esc goes back. The footer keeps help and quit (and, narrow,
``v`` and esc) at any width; ``C`` makes every paper list one line per paper."""

from __future__ import annotations

from textual.widgets import ContentSwitcher, Tabs

from ..widgets.bookmarks import Bookmarks
from ..widgets.chrome import StatusLine
from ..widgets.details import DetailsPane
from ..widgets.paper_list import PaperList
from ..widgets.search_pane import Results

PANES = ("results", "bookmarks", "notes", "digests", "saved")
#: narrower than this, the details pane hides behind the list
NARROW = 80


class PaneLayout:
    """The panes and their layout (a part of :class:`~tui.screens.main.MainScreen`):
    the screen has the class ``-narrow`` or ``-wide`` by its width,
    ``-reading`` while the details stand in the list's place, and
    ``-details-hidden`` when ``v`` put them away."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]

    @property
    def results(self) -> Results:
        return self.query_one("#results", Results)

    def pane(self, name: str) -> PaperList:
        if name == "bookmarks":
            return self.query_one(Bookmarks).list
        return self.query_one(f"#{name}", PaperList)

    @property
    def current_name(self) -> str:
        return self.query_one("#panes", ContentSwitcher).current or "results"

    @property
    def current(self) -> PaperList:
        return self.pane(self.current_name)

    def panes(self) -> list[PaperList]:
        return [self.pane(p) for p in PANES]

    def show_pane(self, name: str) -> None:
        if name not in PANES:
            return
        self.query_one("#panes", ContentSwitcher).current = name
        tabs = self.query_one("#tabs", Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"
        pane = self.pane(name)
        pane.shown()
        self.refresh_bindings()  # the footer shows the keys of this pane
        self.focus_list()
        self._show_status(pane)
        self.show_details()

    def show_details(self) -> None:
        pane = self.current
        self.query_one(DetailsPane).show(pane.details(), pane.current_paper_id)

    def _show_status(self, pane: PaperList) -> None:
        if pane.status_text:
            self.set_status(pane.status_text)

    def set_status(self, text: str) -> None:
        self.query_one(StatusLine).say(text)

    def action_pane(self, pane: str) -> None:
        self.show_pane(pane)

    # -- at each width -------------------------------------------------------------------------
    def focus_list(self) -> None:
        self.remove_class("-reading")  # narrow: the list, not the details, fills the screen
        self.set_focus(self.current)  # at once, not deferred: the next key goes to the list

    def read_details(self) -> None:
        """The details pane, shown (in the list's place when narrow) and focused."""
        self.remove_class("-details-hidden")
        self.set_class(self.has_class("-narrow"), "-reading")
        self.set_focus(self.query_one(DetailsPane))

    def footer_keep(self) -> tuple[str, ...]:
        """The keys the footer shows at any width (most important first)."""
        keep = ("app.help", "app.quit")
        return keep + ("toggle_details", "back") if self.has_class("-narrow") else keep

    def action_back(self) -> None:
        self.focus_list()

    def action_toggle_details(self) -> None:
        """``v``: narrow, the details in the list's place and back; wide, the
        details pane hidden (the list takes the width) or shown."""
        if self.has_class("-narrow"):
            self.focus_list() if self.has_class("-reading") else self.read_details()
        elif self.has_class("-details-hidden"):
            self.remove_class("-details-hidden")
        else:
            self.add_class("-details-hidden")
            self.focus_list()

    def action_toggle_compact(self) -> None:
        """``C``: one line per paper in every paper list, or the full rows;
        remembered for the next start."""
        self.reader.compact = not self.reader.compact
        for name in ("results", "bookmarks", "notes"):
            self.pane(name).redraw()
        self.app.remember(compact=self.reader.compact)
