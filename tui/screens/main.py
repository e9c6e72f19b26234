"""The main screen: search input, the panes (results, bookmarks, notes,
digests), the details pane, a status line and the footer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input, ProgressBar, Static, Tab, Tabs

from ..widgets.details import DetailsPane
from ..widgets.papers_list import PaperList
from ..widgets.search_input import SearchInput

PANES = ("results", "bookmarks", "notes", "digests", "saved")
PANE_TITLES = {"results": "1 Search", "bookmarks": "2 Bookmarks", "notes": "3 Notes", "digests": "4 Digests",
               "saved": "5 Saved"}


class MainScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "List", id="back"),
        Binding("b", "app.bookmark", "Bookmark", id="bookmark"),
        Binding("t", "app.tags", "Tags", id="tags"),
        Binding("n", "app.note", "Note", id="note"),
        Binding("e", "app.edit_note", "$EDITOR", show=False, id="edit_note"),
        Binding("y", "app.copy_link", "Copy link", id="copy_link"),
        Binding("Y", "app.copy_menu", "Copy…", show=False, id="copy_menu"),
        Binding("o", "app.open_link", "Open", show=False, id="open_link"),
        Binding("r", "app.toggle_read", "Read", id="toggle_read"),
        Binding("s", "app.sort_bookmarks", "Sort", id="sort_bookmarks"),
        Binding("T", "app.triage", "Triage", id="triage"),
        Binding("m", "app.more_like", "Similar", id="more_like"),
        Binding("N", "app.whats_new", "What's new", show=False, id="whats_new"),
        Binding("M", "app.like_bookmarks", "Like bookmarks", show=False, id="like_bookmarks"),
        Binding("left_square_bracket", "app.step_digest(-1)", "Newer digest", show=False, id="digest_newer"),
        Binding("right_square_bracket", "app.step_digest(1)", "Older digest", show=False, id="digest_older"),
        Binding("1", "pane('results')", "Search", show=False, id="pane_search"),
        Binding("2", "pane('bookmarks')", "Bookmarks", show=False, id="pane_bookmarks"),
        Binding("3", "pane('notes')", "Notes", show=False, id="pane_notes"),
        Binding("4", "pane('digests')", "Digests", show=False, id="pane_digests"),
        Binding("5", "pane('saved')", "Saved searches", show=False, id="pane_saved"),
        Binding("ctrl+s", "app.save_search", "Save search", show=False, id="save_search"),
        Binding("W", "app.toggle_watch", "Watch", id="toggle_watch"),
        Binding("x", "app.delete_saved", "Delete", id="delete_saved"),
        Binding("ctrl+r", "app.refresh", "Refresh", show=False, id="refresh"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def compose(self) -> ComposeResult:
        yield SearchInput(select_on_focus=False, placeholder="Search papers — words, \"phrases\", title:…, tag:…, is:unread   (/ to focus)",
                    id="search")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Tabs(*[Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANES], id="tabs")
                with ContentSwitcher(initial="results", id="panes"):
                    yield PaperList(id="results")
                    with Vertical(id="bookmarks"):
                        yield Input(placeholder="filter by tag", id="bookmark-filter")
                        yield PaperList(id="bookmark-list")
                    yield PaperList(id="notes")
                    yield PaperList(id="digests")
                    yield PaperList(id="saved")
            yield DetailsPane(id="details")
        with Horizontal(id="statusbar"):
            yield Static(Content.styled("Starting…", "dim"), id="status", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#results", PaperList).focus()
        self.app.start()

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        pane = (event.tab.id or "tab-results").removeprefix("tab-")
        if self.query_one("#panes", ContentSwitcher).current != pane:
            self.app.show_pane(pane)

    def action_back(self) -> None:
        self.app.focus_current_list()

    def action_pane(self, pane: str) -> None:
        self.app.show_pane(pane)

    def action_next_pane(self) -> None:
        cur = self.query_one("#panes", ContentSwitcher).current
        self.app.show_pane(PANES[(PANES.index(cur) + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        cur = self.query_one("#panes", ContentSwitcher).current
        self.app.show_pane(PANES[(PANES.index(cur) - 1) % len(PANES)])
