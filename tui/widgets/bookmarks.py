"""The Bookmarks pane: the bookmarked papers, a filter, two sort orders."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from .paper_list import PaperList
from .search_input import SearchInput


class BookmarkList(PaperList):
    BINDINGS = [Binding("s", "sort", "Sort", id="sort_bookmarks")]
    EMPTY = "No bookmarks yet — press b on a paper to keep it here."

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(reader, **kwargs)
        self.filter = ""
        self.sort = "added"

    def matching(self) -> list:
        """The bookmarks the filter lets through, in the pane's order."""
        library = self.reader.library
        if library is None:
            return []
        tag = self.filter.strip() or None
        try:
            return library.bookmarks(tag=tag, sort=self.sort)
        except Exception as e:  # a bad tag filter
            self.notify(str(e), severity="warning", markup=False)
            return []

    def reload(self) -> None:
        if self.reader.library is None:
            return
        records = self.matching()
        self.set_rows(self.library_rows(records), len(records), keep=self.current_id)
        self.set_status(f"{len(records)} bookmark{'s' if len(records) != 1 else ''}"
                        + (f" matching {self.filter.strip()!r}" if self.filter.strip() else "")
                        + f" · sorted by {'title' if self.sort == 'title' else 'date added'}")

    def action_sort(self) -> None:
        self.sort = "title" if self.sort == "added" else "added"
        self.reload()
        self.notify(f"Bookmarks sorted by {'title' if self.sort == 'title' else 'date added'}", timeout=2)


class Bookmarks(Vertical):
    """The filter above the list; the list is the pane the screen talks to."""

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reader = reader

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="filter by tag", id="bookmark-filter")
        yield BookmarkList(self.reader, id="bookmark-list")

    @property
    def list(self) -> BookmarkList:
        return self.query_one(BookmarkList)

    @on(Input.Changed, "#bookmark-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.list.filter = event.value
        self.list.reload()

    @on(Input.Submitted, "#bookmark-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self.list)
