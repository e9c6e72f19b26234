"""The main screen's panes: the tabs and the five lists under them (Search,
Bookmarks, Notes, Digests, Saved searches), one shown at a time.

The screen holds this widget and asks it for the pane shown, to show
another, and to tell every pane that the library or the index changed: it
names no pane to redraw, each pane decides what it redraws (see
:meth:`~tui.widgets.paper_list.PaperList.library_changed`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Tab, Tabs

from ..reader import Reader
from .bookmarks import BookmarkList, Bookmarks
from .chrome import PaneTabs
from .digests import Digests
from .notes import Notes
from .paper_list import LibraryChange, PaperList
from .saved import SavedSearches
from .search_input import SearchInput
from .search_pane import Results

#: the panes by name, in the order of their tabs and keys (1 to 5)
NAMES = ("results", "bookmarks", "notes", "digests", "saved")
#: each pane's tab labels, from the longest (the tabs take the longest that fits):
#: whole words, the numbers dropped first, then a shorter word, then the numbers alone
LABELS = {"results": ("1 Search", "Search", "Search", "1"), "bookmarks": ("2 Bookmarks", "Bookmarks", "Marks", "2"),
          "notes": ("3 Notes", "Notes", "Notes", "3"), "digests": ("4 Digests", "Digests", "Digests", "4"),
          "saved": ("5 Saved", "Saved", "Saved", "5")}


class Panes(Vertical):
    """The tabs and the panes; the pane shown is :attr:`current`."""

    #: the name of the Search pane, where queries, feeds and computed lists show
    SEARCH = "results"

    def __init__(self, reader: Reader, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reader = reader

    def compose(self) -> ComposeResult:
        reader = self.reader
        yield PaneTabs({f"tab-{p}": LABELS[p] for p in NAMES}, id="tabs")
        with ContentSwitcher(initial=self.SEARCH, id="panes"):
            yield Results(reader, id="results")
            yield Bookmarks(reader, id="bookmarks")
            yield Notes(reader, id="notes")
            yield Digests(reader, id="digests")
            yield SavedSearches(reader, id="saved")

    # -- which pane ------------------------------------------------------------------------
    @property
    def search(self) -> Results:
        return self.query_one("#results", Results)

    @property
    def bookmarks(self) -> BookmarkList:
        return self.query_one(Bookmarks).list

    @property
    def saved(self) -> SavedSearches:
        return self.query_one("#saved", SavedSearches)

    def pane(self, name: str) -> PaperList:
        if name == "bookmarks":
            return self.bookmarks
        return self.query_one(f"#{name}", PaperList)

    def all(self) -> list[PaperList]:
        return [self.pane(p) for p in NAMES]

    @property
    def current_name(self) -> str:
        return self.query_one("#panes", ContentSwitcher).current or self.SEARCH

    @property
    def current(self) -> PaperList:
        return self.pane(self.current_name)

    def show(self, name: str) -> PaperList | None:
        """Show the pane ``name`` (its tab too); None for a name that is no pane."""
        if name not in NAMES:
            return None
        self.query_one("#panes", ContentSwitcher).current = name
        tabs = self.query_one("#tabs", Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"
        pane = self.pane(name)
        pane.shown()
        return pane

    @staticmethod
    def name_of(tab: Tab) -> str:
        """The pane a tab shows."""
        return (tab.id or f"tab-{Panes.SEARCH}").removeprefix("tab-")

    def filter(self) -> SearchInput | None:
        """The current pane's own filter, if it has one."""
        box = self.query_one("#panes", ContentSwitcher).get_child_by_id(self.current_name)
        return next(iter(box.query(SearchInput)), None)

    # -- telling the panes -------------------------------------------------------------------
    def library_changed(self, change: LibraryChange) -> None:
        """The library changed: every pane hears it, and redraws what it shows of it."""
        current = self.current
        for pane in self.all():
            pane.library_changed(change, shown=pane is current)

    def index_changed(self) -> None:
        """An index was opened (at start, after a fetch): every pane reads its rows again."""
        for name in ("digests", "bookmarks", "notes", "saved", "results"):
            self.pane(name).reload()

    def redraw(self) -> None:
        """Every list of papers drawn again (one line per paper, or full rows)."""
        for pane in self.all():
            if pane.HOLDS_PAPERS:
                pane.redraw()
