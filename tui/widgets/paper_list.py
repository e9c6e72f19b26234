"""The paged list every pane is built on.

A :class:`PaperList` holds one page of rows at a time and asks for more as the
cursor nears its end, so a query with 50k hits shows its first page at once and
the widget never holds an unbounded number of rows. Each pane subclasses it and
owns its keys, its rows, what it says when it is empty, its status line and the
details of what it selects; it posts :mod:`tui.messages` and never touches
another pane.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from .. import messages
from ..reader import Reader
from .details import details_content
from .papers_list import RowState, row_content, where_text
from .render import plain

PAGE = 200


def paper_row(paper, record, title: str = "", spans=(), extra: str = "") -> Content:
    """One paper's row: badges, title (query terms marked), where it appeared."""
    state = RowState(bookmarked=bool(record and record.bookmarked), note=bool(record and record.note),
                     read=bool(record and record.read))
    if paper is None and record is not None:
        labels = record.snapshot.labels if record.snapshot else ()
        return row_content(record.title or title or record.id, (), where_text(None, labels), state)
    return row_content(paper.title if paper else title, spans, where_text(paper), state, extra=extra)


def how_to_add_digests(reader: Reader) -> str:
    """What an empty reader says: where digests come from."""
    folder = reader.paths.digests if reader.paths is not None else "the digests folder"
    return ("No digests yet. Add one with  papers add FILE  (a Daily Papers page saved as text, or its "
            f"JSON), drop files into {folder}, or download the latest with  papers fetch.")


class PaperList(OptionList):
    """Rows keyed by id, loaded a page at a time; a pane of the main screen."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="down"),
        Binding("k", "cursor_up", "Up", show=False, id="up"),
        Binding("g", "first", "Top", show=False, id="top"),
        Binding("G", "last", "Bottom", show=False, id="bottom"),
    ]

    #: the rows are papers (the per-paper keys act on the highlighted one)
    HOLDS_PAPERS = True
    #: shown in the list when it has no rows: what would fill it
    EMPTY = ""

    class NeedMore(Message):
        """The cursor is near the last loaded row and more rows exist."""

        def __init__(self, paper_list: "PaperList", offset: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.offset = offset

        @property
        def control(self) -> "PaperList":
            return self.paper_list

    class Counted(Message):
        """Counts a pane's worker made (unread papers, hits of saved searches)."""

        def __init__(self, counts: dict) -> None:
            super().__init__()
            self.counts = counts

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(messages.WorkerFailed(event.worker))

    def __init__(self, reader: Reader | None = None, **kwargs) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(**kwargs)
        self.reader = reader or Reader(None)
        self.total = 0
        self.ids: list[str] = []
        self.status_text = ""
        self._asked_for = -1

    # -- rows ---------------------------------------------------------------------------
    def set_rows(self, rows: list[tuple[str, Content]], total: int, keep: str | None = None) -> None:
        seen: set[str] = set()
        rows = [r for r in rows if not (r[0] in seen or seen.add(r[0]))]
        self.total = total
        self.ids = [pid for pid, _ in rows]
        self._asked_for = -1
        if rows:
            self.set_options([Option(content, id=pid) for pid, content in rows])
            self.highlighted = self.ids.index(keep) if keep in self.ids else 0
        else:
            empty = self.empty_text()
            self.set_options([Option(empty, disabled=True)] if empty.plain else [])
        self.post_message(messages.ShowDetails(self))

    def add_rows(self, rows: list[tuple[str, Content]]) -> None:
        have = set(self.ids)
        fresh = [(pid, c) for pid, c in rows if not (pid in have or have.add(pid))]
        self.ids.extend(pid for pid, _ in fresh)
        self.add_options([Option(content, id=pid) for pid, content in fresh])

    def update_row(self, pid: str, content: Content) -> None:
        if pid in self.ids:
            self.replace_option_prompt(pid, content)

    @property
    def current_id(self) -> str | None:
        if self.highlighted is None or not self.ids or self.highlighted >= len(self.ids):
            return None
        return self.ids[self.highlighted]

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self.post_message(messages.ShowDetails(self))
        if highlighted is not None and len(self.ids) < self.total and highlighted >= len(self.ids) - 20:
            if self._asked_for != len(self.ids):
                self._asked_for = len(self.ids)
                self.post_message(self.NeedMore(self, len(self.ids)))

    # -- what the screen asks of a pane -------------------------------------------------------
    def empty_text(self) -> Content:
        return plain(self.EMPTY, "dim italic")

    def set_status(self, text: str) -> None:
        self.status_text = text
        self.post_message(messages.Status(self, text))

    @property
    def current_paper_id(self) -> str | None:
        return self.current_id if self.HOLDS_PAPERS else None

    def details(self) -> Content:
        pid = self.current_paper_id
        if pid is None:
            empty = self.empty_text()
            return empty if not self.ids and empty.plain else Content.styled("No paper selected.", "dim")
        return details_content(self.reader.paper(pid), self.reader.record(pid), self.spans_for())

    def spans_for(self):
        """``spans_for(text)``: the spans of query terms in a text (None: no marks)."""
        return None

    def reload(self) -> None:
        """Read the rows again (the library or the index changed)."""

    def shown(self) -> None:
        """The pane became the current one."""
        self.reload()

    def paper_changed(self, pid: str) -> None:
        """One paper's library state changed."""
        self.reload()

    def library_changed(self) -> None:
        """Another papers process changed the library."""
        self.reload()

    def library_rows(self, records) -> list[tuple[str, Content]]:
        papers = self.reader.papers(r.id for r in records)
        return [(r.id, paper_row(papers.get(r.id), r, r.title)) for r in records]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.chosen(event.option.id)

    def chosen(self, key: str) -> None:
        """Enter on a row: a paper's details open."""
        self.post_message(messages.OpenDetails(key))
