"""The Bookmarks pane: the bookmarked papers, a filter, two sort orders."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from .. import messages
from ..core.text import plural
from .paper_list import LibraryChange, PaperList
from .render import plain
from .search_input import SearchInput


class BookmarkList(PaperList):
    BINDINGS = [Binding("s", "sort", "Sort", id="sort_bookmarks")]
    EMPTY = "No bookmarks yet — press b on a paper to keep it here."

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(reader, **kwargs)
        self.filter = ""
        self.sort = "added"

    def matching(self) -> list:
        """The bookmarks the filter lets through, in the pane's order: each
        word of the filter is part of a tag or of the title."""
        if not self.reader.has_library:
            return []
        words = self.filter.casefold().split()
        records = self.reader.bookmarks(sort=self.sort)
        if not words:
            return records
        titles = self.reader.titles(r.id for r in records)

        def keeps(r) -> bool:
            title = (titles.get(r.id) or r.title or "").casefold()
            return all(any(w in t.casefold() for t in r.tags) or w in title for w in words)

        return [r for r in records if keeps(r)]

    def empty_text(self):
        if self.filter.strip() and self.reader.bookmarks():
            return plain(f"No bookmark matches “{self.filter.strip()}” (a part of a tag or words of the title).",
                         "dim italic")
        return super().empty_text()

    def reload(self, keep: bool = True) -> None:
        """Read the bookmarks again (``keep``: the same one highlighted, else the top)."""
        if not self.reader.has_library:
            return
        records = self.matching()
        self.set_rows(self.library_rows(records), len(records), keep=self.current_id if keep else None)
        self._say(len(records))

    def _say(self, shown: int) -> None:
        words = self.filter.strip()
        order = f" · sorted by {'title' if self.sort == 'title' else 'date added'}"
        if not words:
            self.set_status(plural(shown, "bookmark") + order)
            return
        total = len(self.reader.bookmarks())
        self.set_status(f"{shown} of {plural(total, 'bookmark')} {'matches' if shown == 1 else 'match'} "
                        f"{words!r}" + order)

    def shown(self) -> None:
        """The pane shown again: rows removed meanwhile go, the top highlighted."""
        self.reload(keep=False)

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """Out of sight: read again (the top highlighted when shown). On
        screen, a bookmark removed here (``b``) keeps its row, unmarked, until
        the pane is left, so ``b`` again puts it back; other changes read the
        rows again, the same one highlighted."""
        if not shown:
            self.reload(keep=False)
        elif change.paper_id is not None and change.paper_id in self.ids:
            pid = change.paper_id
            paper, record = self.reader.paper(pid), self.reader.record(pid)
            self.update_row(pid, self.paper_row(paper, record, record.title if record else ""))
            self.post_message(messages.ShowDetails(self))
        else:
            self.reload()

    def more_like_these(self) -> None:
        """Papers like the bookmarks the filter lets through (``M``)."""
        words = self.filter.strip()
        ids = [r.id for r in self.matching()]
        if not ids:
            self.notify("No bookmarks" + (f" matching “{words}”" if words else "") + " to start from", timeout=3)
            return
        self.post_message(messages.MoreLike(tuple(ids), "papers like your bookmarks"
                                            + (f" matching “{words}”" if words else "")))

    def action_sort(self) -> None:
        self.sort = "title" if self.sort == "added" else "added"
        self.reload()
        self.notify(f"Bookmarks sorted by {'title' if self.sort == 'title' else 'date added'}", timeout=2)


class Bookmarks(Vertical):
    """The list, and under it the filter (Tab from the list reaches it, ``/``
    focuses it); the list is the pane the screen talks to."""

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reader = reader

    def compose(self) -> ComposeResult:
        yield BookmarkList(self.reader, id="bookmark-list")
        yield SearchInput(placeholder="filter: part of a tag or title words   (/ to focus)", id="bookmark-filter")

    @property
    def list(self) -> BookmarkList:
        return self.query_one(BookmarkList)

    @on(Input.Changed, "#bookmark-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.list.filter = event.value
        # read again from the list's own turn: a message made while this
        # container handles the event names it as sender, and Textual stops
        # it here on its way up, so the screen never heard the new status
        self.list.call_later(self.list.reload)
